import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { DataSet, trainTestSplit } from './data-set';
import { ShapeError, ValueError } from './errors';
import { Rng } from './random';
import { leakedTensors } from './testing';

const rows = (n: number, width: number) => Array.from({ length: n }, (_, i) => Array.from({ length: width }, (_, j) => i * 10 + j));

async function drain(data: DataSet, batchSize: number, rng?: Rng): Promise<{ sizes: number[]; firstColumn: number[] }> {
  const sizes: number[] = [];
  const firstColumn: number[] = [];
  for await (const batch of data.batches(batchSize, rng)) {
    sizes.push(batch.features.shape[0] as number);
    const x = (await batch.features.array()) as number[][];
    firstColumn.push(...x.map((r) => r[0] as number));
    tf.dispose([batch.features, batch.labels]);
  }
  return { sizes, firstColumn };
}

describe('DataSet', () => {
  it('builds from nested arrays, typed arrays with shapes and tensors', async () => {
    const a = DataSet.from(rows(3, 2), [[1], [0], [1]]);
    const b = DataSet.from(new Float32Array([0, 1, 10, 11, 20, 21]), new Uint8Array([1, 0, 1]), { features: [3, 2], labels: [3, 1] });
    const t = tf.tensor2d(rows(3, 2));
    const c = DataSet.from(t, [1, 0, 1]);
    for (const d of [a, b, c]) {
      expect(d.size).toBe(3);
      expect(await d.features.array()).toEqual(rows(3, 2));
      expect(d.labels.shape).toEqual([3, 1]);
    }
    expect(t.isDisposed).toBe(false);
    [a, b, c].forEach((d) => d.dispose());
    t.dispose();
  });

  it('rejects mismatched rows, missing shapes, empty data and non-finite values', async () => {
    expect(() => DataSet.from(rows(3, 2), [[1], [0]])).toThrow(ShapeError);
    expect(() => DataSet.from(rows(3, 2), [[1], [0]])).toThrow('features have 3 rows but labels have 2');
    expect(() => DataSet.from(new Float32Array(4), [1, 2])).toThrow('pass its shape');
    expect(() => DataSet.from([], [])).toThrow(ValueError);
    const bad = DataSet.from([[1, Number.NaN]], [[1]]);
    await expect(bad.check()).rejects.toThrow('features hold 1 NaN or infinite value');
    bad.dispose();
  });

  it('adopts tensors without copying, casting other dtypes and disposing on failure', () => {
    const x = tf.tensor2d([[1, 2]], [1, 2], 'int32');
    const y = tf.tensor2d([[1]]);
    const d = DataSet.adopt(x, y);
    expect(d.features.dtype).toBe('float32');
    expect(d.labels).toBe(y);
    expect(x.isDisposed).toBe(true);
    d.dispose();
    const x2 = tf.zeros([2, 2]) as tf.Tensor2D;
    const y2 = tf.zeros([3, 1]) as tf.Tensor2D;
    expect(() => DataSet.adopt(x2, y2)).toThrow(ShapeError);
    expect(x2.isDisposed && y2.isDisposed).toBe(true);
  });

  it('yields ordered minibatches, or a seeded permutation of them, without leaking', async () => {
    const data = DataSet.from(rows(5, 2), rows(5, 1));
    expect(await drain(data, 2)).toEqual({ sizes: [2, 2, 1], firstColumn: [0, 10, 20, 30, 40] });
    const shuffled = await drain(data, 2, new Rng(1));
    expect(shuffled.sizes).toEqual([2, 2, 1]);
    expect([...shuffled.firstColumn].sort((p, q) => p - q)).toEqual([0, 10, 20, 30, 40]);
    expect((await drain(data, 2, new Rng(1))).firstColumn).toEqual(shuffled.firstColumn);
    expect(await leakedTensors(() => drain(data, 2, new Rng(2)))).toBe(0);
    expect(() => [...data.batches(0)]).toThrow('batchSize must be a positive integer, received 0');
    data.dispose();
  });

  it('splits in order, or seeded and reproducibly, keeping features and labels aligned', async () => {
    const data = DataSet.from(rows(10, 2), rows(10, 1));
    const ordered = data.split(0.7);
    expect(ordered.train.size).toBe(7);
    expect(ordered.test.size).toBe(3);
    expect((await ordered.test.features.array()).map((r) => r[0])).toEqual([70, 80, 90]);

    const a = trainTestSplit(data, 0.8, 42);
    const b = data.split(0.8, new Rng(42));
    expect(await a.train.features.array()).toEqual(await b.train.features.array());
    const train = (await a.train.features.array()).map((r) => r[0] as number);
    const test = (await a.test.features.array()).map((r) => r[0] as number);
    expect(train).toHaveLength(8);
    expect([...train, ...test].sort((p, q) => p - q)).toEqual(rows(10, 1).map((r) => r[0]));
    expect(train).not.toEqual(train.slice().sort((p, q) => p - q));
    // Labels move with their rows: label = 10 * i = first feature.
    expect((await a.test.labels.array()).map((r) => r[0])).toEqual(test);
    [ordered.train, ordered.test, a.train, a.test, b.train, b.test].forEach((d) => d.dispose());
    expect(data.features.isDisposed).toBe(false);
    data.dispose();
  });

  it('refuses a split that leaves one side empty', () => {
    const data = DataSet.from(rows(3, 1), rows(3, 1));
    expect(() => data.split(0.9)).toThrow('fraction 0.9 of 3 examples gives 3 for training and 0 for testing');
    expect(() => data.split(1)).toThrow('fraction must be in (0, 1), received 1');
    data.dispose();
  });
});
