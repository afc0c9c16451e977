import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { BatchSource } from '../data-set';
import { ConfigError, ShapeError, ValueError } from '../errors';
import { Rng } from '../random';
import { leakedTensors } from '../testing';
import { StreamingSource, type StreamRow } from './streaming-source';

const row = (i: number): StreamRow => ({ features: [i, -i], labels: [i % 2] });

/** Rows 0..n-1 from an async generator, in chunks of 3 (as a file read in pieces would give). */
function source(n: number, options = {}): StreamingSource {
  return new StreamingSource(async function* () {
    for (let i = 0; i < n; i += 3) yield Array.from({ length: Math.min(3, n - i) }, (_, k) => row(i + k));
  }, options);
}

/** Consumes one epoch as Network.fit does (for await, dispose each batch); returns shapes and first features. */
async function epoch(data: BatchSource, batchSize: number, rng?: Rng): Promise<{ shapes: number[][]; order: number[] }> {
  const shapes: number[][] = [];
  const order: number[] = [];
  for await (const batch of data.batches(batchSize, rng)) {
    try {
      shapes.push(batch.features.shape as number[]);
      const x = (await batch.features.data()) as Float32Array;
      const y = (await batch.labels.data()) as Float32Array;
      const width = x.length / (batch.features.shape[0] as number);
      for (let i = 0; i < y.length; i++) {
        const first = x[i * width] as number;
        order.push(first);
        expect(y[i]).toBe(first % 2); // labels stay with their rows
      }
    } finally {
      tf.dispose([batch.features, batch.labels]);
    }
  }
  return { shapes, order };
}

describe('StreamingSource', () => {
  it('packs streamed rows into batches in order, the last one smaller', async () => {
    const data = source(10, { size: 10 });
    expect(data.size).toBe(10);
    const { shapes, order } = await epoch(data, 4);
    expect(shapes).toEqual([[4, 2], [4, 2], [2, 2]]);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('shuffles through a buffer with a seeded rng: a permutation, the same for the same seed', async () => {
    const n = 50;
    const full = await epoch(source(n, { shuffleBuffer: 100 }), 8, new Rng(5));
    expect([...full.order].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(full.order).not.toEqual(Array.from({ length: n }, (_, i) => i));
    expect((await epoch(source(n, { shuffleBuffer: 100 }), 8, new Rng(5))).order).toEqual(full.order);
    expect((await epoch(source(n, { shuffleBuffer: 100 }), 8, new Rng(6))).order).not.toEqual(full.order);

    // A buffer of 4 only shuffles locally: row i leaves no earlier than position i - 4.
    const local = await epoch(source(n, { shuffleBuffer: 4 }), 8, new Rng(5));
    expect([...local.order].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    local.order.forEach((value, position) => expect(value).toBeLessThanOrEqual(position + 4));
    // shuffleBuffer 0: the rng is ignored.
    expect((await epoch(source(n, { shuffleBuffer: 0 }), 8, new Rng(5))).order).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it('reshapes features per example and accepts plain iterables of single rows', async () => {
    const data = new StreamingSource(() => [0, 1, 2].map((i) => ({ features: new Float32Array(4).fill(i), labels: [i % 2] })), { featureShape: [2, 2, 1] });
    const { shapes } = await epoch(data, 2);
    expect(shapes).toEqual([[2, 2, 2, 1], [1, 2, 2, 1]]);
  });

  it('names the row of a width mismatch or a non-finite value, and checks options', async () => {
    const ragged = new StreamingSource(() => [row(0), row(1), { features: [1], labels: [0] }]);
    await expect(epoch(ragged, 2)).rejects.toThrow(ShapeError);
    await expect(epoch(ragged, 2)).rejects.toThrow('StreamingSource: row 2 has 1 features, row 0 has 2; expected equal rows');
    const nan = new StreamingSource(() => [row(0), { features: [1, Number.NaN], labels: [0] }]);
    await expect(epoch(nan, 1)).rejects.toThrow(ValueError);
    await expect(epoch(nan, 1)).rejects.toThrow('row 1, features column 1 is NaN');
    const shape = new StreamingSource(() => [row(0)], { featureShape: [3] });
    await expect(epoch(shape, 1)).rejects.toThrow('featureShape [3] holds 3 values, but row 0 has 2 features');
    expect(() => new StreamingSource(() => [], { shuffleBuffer: -1 })).toThrow(ConfigError);
  });

  it('leaks no tensors over an epoch, also when the consumer stops early', async () => {
    const data = source(20);
    expect(await leakedTensors(() => epoch(data, 3, new Rng(1)))).toBe(0);
    expect(
      await leakedTensors(async () => {
        for await (const batch of data.batches(3)) {
          tf.dispose([batch.features, batch.labels]);
          break;
        }
      }),
    ).toBe(0);
  });
});
