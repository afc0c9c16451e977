import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError, formatShape, isRecurrent } from '@dl4ts/core';
import type { Network, RecurrentState } from '@dl4ts/core';
import { Bidirectional } from './bidirectional';

/**
 * Stateful inference over a network with recurrent layers (DL4J's `rnnTimeStep`): each call
 * continues from the state the previous call left. The network's input must accept any sequence
 * length (`input: [null, features]`) to step one step at a time.
 *
 * State lives here, not in the network, and is not part of a saved model.
 *
 * @example
 * ```ts
 * const stepper = new RnnStepper(net);
 * let y = stepper.rnnTimeStep(x0);   // x0 [batch, features]: one step, y [batch, nOut]
 * y = stepper.rnnTimeStep(x1);       // continues from x0's state
 * stepper.rnnClearPreviousState();
 * stepper.dispose();
 * ```
 */
export class RnnStepper {
  private state = new Map<string, RecurrentState>();

  constructor(readonly network: Network) {
    // Layers that need whole sequences (rnn/bidirectional) are recurrent but cannot be stepped.
    for (const layer of network.layers) {
      if (isRecurrent(layer) && (layer as { readonly key: string }).key === 'rnn/bidirectional') throw new ConfigError(`RnnStepper: ${Bidirectional.stateless(layer.config.name)}`);
    }
  }

  /**
   * Runs `x` from the stored state and stores the new state. `x` is one step `[batch, features]`
   * (output `[batch, ...]` without a time axis) or several `[batch, time, features]`. Caller disposes.
   */
  rnnTimeStep(x: tf.Tensor): tf.Tensor {
    if (x.rank !== 2 && x.rank !== 3) throw new ShapeError(`rnnTimeStep: input has shape ${formatShape(x.shape)}, expected one step [batch, features] or steps [batch, time, features]`, x.shape, [-1, -1, -1]);
    const batch = x.shape[0] as number;
    const stored = [...this.state.values()][0]?.h?.shape[0];
    if (stored !== undefined && stored !== batch) {
      throw new ShapeError(`rnnTimeStep: input has batch size ${batch} but the stored state has ${stored}; call rnnClearPreviousState() first`, [batch], [stored]);
    }
    const single = x.rank === 2;
    const input = single ? tf.expandDims(x, 1) : x;
    let result: { output: tf.Tensor; state: Map<string, RecurrentState> };
    try {
      result = this.network.outputWithState(input, { state: this.state });
    } finally {
      if (single) input.dispose();
    }
    this.rnnClearPreviousState();
    this.state = result.state;
    if (!single || result.output.rank !== 3) return result.output;
    const squeezed = tf.squeeze(result.output, [1]);
    result.output.dispose();
    return squeezed;
  }

  /** Forgets the stored state: the next call starts from zeros. */
  rnnClearPreviousState(): void {
    for (const s of this.state.values()) tf.dispose(Object.values(s));
    this.state.clear();
  }

  /** A copy of one recurrent layer's stored state (`{ h }` or `{ h, c }`), or undefined. Caller disposes. */
  getState(layer: string): Record<string, tf.Tensor> | undefined {
    this.recurrentLayer(layer);
    const s = this.state.get(layer);
    return s === undefined ? undefined : Object.fromEntries(Object.entries(s).map(([k, t]) => [k, t.clone()]));
  }

  /** Replaces one recurrent layer's state with copies of `state`; shapes are checked on the next step. */
  setState(layer: string, state: Readonly<Record<string, tf.Tensor>>): void {
    this.recurrentLayer(layer);
    const old = this.state.get(layer);
    this.state.set(layer, Object.fromEntries(Object.entries(state).map(([k, t]) => [k, tf.keep(tf.cast(t, 'float32').clone())])));
    if (old !== undefined) tf.dispose(Object.values(old));
  }

  /** Frees the stored state. */
  dispose(): void {
    this.rnnClearPreviousState();
  }

  private recurrentLayer(name: string): void {
    const layers = this.network.layers;
    const layer = layers.find((l) => l.config.name === name);
    if (layer === undefined || !isRecurrent(layer)) {
      const names = layers.filter(isRecurrent).map((l) => l.config.name);
      throw new ConfigError(`RnnStepper: no recurrent layer named "${name}"; recurrent layers: ${names.join(', ') || 'none'}`);
    }
  }
}
