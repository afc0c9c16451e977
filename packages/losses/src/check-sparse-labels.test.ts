import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, ValueError } from '@dl4ts/core';
import { describe, expect, it } from 'vitest';
import { checkSparseLabels } from './check-sparse-labels';

/** The error thrown by a check, or undefined. */
async function errorOf(run: () => Promise<void>): Promise<unknown> {
  try {
    await run();
    return undefined;
  } catch (e) {
    return e;
  }
}

describe('checkSparseLabels', () => {
  it('accepts integer class indices in [0, nOut - 1], as [batch, 1], [batch], int32 or arrays', async () => {
    const column = tf.tensor2d([[0], [2], [1]]);
    const flat = tf.tensor1d([0, 2, 1], 'int32');
    await expect(checkSparseLabels(column, 3)).resolves.toBeUndefined();
    await expect(checkSparseLabels(flat, 3)).resolves.toBeUndefined();
    await expect(checkSparseLabels([0, 1, 2, 2], 3)).resolves.toBeUndefined();
    await expect(checkSparseLabels(Float32Array.from([4, 0]), 5)).resolves.toBeUndefined();
    tf.dispose([column, flat]);
  });

  it.each([
    [[0, 3, 1], 3, 1, '3'],
    [[0, 1, -1], 3, 2, '-1'],
    [[1.5, 0], 3, 0, '1.5'],
    [[0, Number.NaN], 2, 1, 'NaN'],
    [[Number.POSITIVE_INFINITY], 4, 0, 'Infinity'],
  ])('rejects %j with nOut=%i: a ValueError naming row %i, value %s and the range', async (labels, nOut, row, value) => {
    const e = await errorOf(() => checkSparseLabels(labels, nOut));
    expect(e).toBeInstanceOf(ValueError);
    expect((e as ValueError).code).toBe('DL4TS_VALUE');
    expect((e as Error).message).toBe(`Sparse label at row ${row} is ${value}, expected an integer class index in [0, ${nOut - 1}] (nOut=${nOut})`);
  });

  it('counts every invalid label and reports the first', async () => {
    const labels = tf.tensor2d([[0], [9], [2], [-3], [0.5]]);
    const e = await errorOf(() => checkSparseLabels(labels, 3));
    expect((e as Error).message).toBe('Sparse label at row 1 is 9, expected an integer class index in [0, 2] (nOut=3) (3 of 5 labels are invalid)');
    labels.dispose();
  });

  it('rejects a tensor of another shape with a ShapeError, and a bad nOut with a ValueError', async () => {
    const oneHot = tf.tensor2d([
      [1, 0],
      [0, 1],
    ]);
    const e = await errorOf(() => checkSparseLabels(oneHot, 2));
    expect(e).toBeInstanceOf(ShapeError);
    expect((e as ShapeError).received).toEqual([2, 2]);
    expect((e as ShapeError).expected).toEqual([-1, 1]);
    expect((e as Error).message).toMatch(/shape \[2, 2\], expected class indices \[batch, 1\] or \[batch\]/);
    oneHot.dispose();
    await expect(checkSparseLabels([0], 0)).rejects.toThrow(ValueError);
    await expect(checkSparseLabels([0], 2.5)).rejects.toThrow(/nOut is 2.5, expected a positive integer/);
  });

  it('reads the labels without leaking tensors', async () => {
    const labels = tf.tensor2d([[0], [1]]);
    const before = tf.memory().numTensors;
    await checkSparseLabels(labels, 2);
    expect(tf.memory().numTensors).toBe(before);
    labels.dispose();
  });
});
