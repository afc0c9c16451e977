import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, type Model } from '@dl4ts/core';
import type { LayoutEntry } from './protocol';

/**
 * Where each parameter (and, optionally, each updater-state tensor) of a model sits in one flat
 * float32 buffer: parameters in `paramNames()` order, then updater state in `updaterState()`
 * order. Every replica of one config has the same layout, which the trainer checks at start-up.
 */
export class StateLayout {
  readonly params: LayoutEntry[];
  readonly updaters: LayoutEntry[];
  private readonly shapes = new Map<string, number[]>();

  constructor(network: Model) {
    this.params = network.paramNames().map((name) => {
      const shape = network.paramShape(name);
      this.shapes.set(name, shape);
      return { name, size: shape.reduce((a, b) => a * b, 1) };
    });
    this.updaters = [...network.updaterState()].map(([name, t]) => {
      this.shapes.set(`updater:${name}`, t.shape);
      return { name, size: t.size };
    });
  }

  /** Floats in the buffer: parameters, plus updater state when `updaters`. */
  length(updaters: boolean): number {
    const sum = (entries: LayoutEntry[]) => entries.reduce((n, e) => n + e.size, 0);
    return sum(this.params) + (updaters ? sum(this.updaters) : 0);
  }

  /** Every entry, parameters first, as sent in a worker's `ready` message. */
  entries(): LayoutEntry[] {
    return [...this.params, ...this.updaters.map((e) => ({ name: `updater:${e.name}`, size: e.size }))];
  }

  /** Copies the network's parameters (and updater state) into a new buffer. */
  async read(network: Model, updaters: boolean, buffer?: Float32Array): Promise<Float32Array> {
    const out = buffer ?? new Float32Array(this.length(updaters));
    let offset = 0;
    for (const { name, size } of this.params) {
      const t = network.getParam(name);
      try {
        out.set(await t.data<'float32'>(), offset);
      } finally {
        t.dispose();
      }
      offset += size;
    }
    if (updaters) {
      const state = network.updaterState();
      for (const { name, size } of this.updaters) {
        out.set(await (state.get(name) as tf.Tensor).data<'float32'>(), offset);
        offset += size;
      }
    }
    return out;
  }

  /**
   * Writes a buffer from {@link StateLayout.read} into the network. Values are copied out of the
   * buffer (tfjs may keep a typed array it is given), so the buffer may be reused or shared.
   */
  write(network: Model, buffer: Float32Array, updaters: boolean): void {
    const expected = this.length(updaters);
    if (buffer.length !== expected) throw new ShapeError(`StateLayout.write: buffer has ${buffer.length} values, expected ${expected}`, [buffer.length], [expected]);
    let offset = 0;
    for (const { name, size } of this.params) {
      const t = tf.tensor(buffer.slice(offset, offset + size), this.shapes.get(name), 'float32');
      network.setParam(name, t);
      t.dispose();
      offset += size;
    }
    if (!updaters || this.updaters.length === 0) return;
    const values = new Map<string, tf.Tensor>();
    for (const { name, size } of this.updaters) {
      values.set(name, tf.tensor(buffer.slice(offset, offset + size), this.shapes.get(`updater:${name}`), 'float32'));
      offset += size;
    }
    try {
      network.setUpdaterState(values);
    } finally {
      tf.dispose([...values.values()]);
    }
  }
}
