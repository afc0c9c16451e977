import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, ValueError } from '@dl4ts/core';
import { describe, expect, it } from 'vitest';
import { checkBinaryLabels, checkDistributionLabels } from './check-distribution-labels';

const ALLOWED = 'expected one-hot rows or class distributions (values in [0, 1] summing to 1)';
const HINT = 'For class indices use losses/sparse-mcxent; for several labels per example, losses/xent with sigmoid';

async function check(rows: number[][] | Float32Array, nOut: number, shape?: [number, number]): Promise<void> {
  const labels = rows instanceof Float32Array ? tf.tensor2d(rows, shape) : tf.tensor2d(rows);
  try {
    await checkDistributionLabels(labels, nOut);
  } finally {
    labels.dispose();
  }
}

describe('checkDistributionLabels (mcxent, negativeloglikelihood)', () => {
  it('accepts one-hot rows and soft rows, label smoothing over 1000 classes computed in float32 included', async () => {
    await expect(check([[0, 1, 0], [1, 0, 0], [0.1, 0.8, 0.1], [1 / 3, 1 / 3, 1 / 3]], 3)).resolves.toBeUndefined();
    // Label smoothing 0.1 over 1000 classes, each value computed and stored in float32.
    const k = 1000;
    const smooth = new Float32Array(4 * k).fill(Math.fround(0.1 / k));
    for (let r = 0; r < 4; r++) smooth[r * k + r] = Math.fround(Math.fround(0.9) + Math.fround(0.1 / k));
    await expect(check(smooth, k, [4, k])).resolves.toBeUndefined();
  });

  it.each([
    [[[0, 1, 0], [0, 0, 0]], 1, 'sums to 0: [0, 0, 0]', ''],
    [[[1, 1, 0], [0, 1, 0], [0, 1, 1]], 0, 'sums to 2: [1, 1, 0]', ' (2 of 3 rows are invalid)'],
    [[[0.5, 0.5, 0.5]], 0, 'sums to 1.5: [0.5, 0.5, 0.5]', ''],
    [[[2, -1, 0]], 0, 'holds a value outside [0, 1]: [2, -1, 0]', ''],
    [[[0, Number.NaN, 1]], 0, 'holds a value outside [0, 1]: [0, NaN, 1]', ''],
  ])('refuses %j: row %i %s', async (rows, row, what, more) => {
    await expect(check(rows, 3)).rejects.toThrow(new ValueError(`Label row ${row} ${what}; ${ALLOWED}${more}. ${HINT}`));
  });

  it('allows a sum off by float32 rounding, not by more: the bound is 8 ulps (2^-23) per class', async () => {
    const bound = 3 * 8 * 2 ** -23;
    const near = new Float32Array([0.5, 0.5, bound / 2]);
    const far = new Float32Array([0.5, 0.5, 2 * bound]);
    await expect(check(near, 3, [1, 3])).resolves.toBeUndefined();
    await expect(check(far, 3, [1, 3])).rejects.toThrow(ValueError);
  });

  it('shows the first 10 values of a wide row, and refuses labels of another shape', async () => {
    const wide = new Float32Array(20);
    await expect(check(wide, 20, [1, 20])).rejects.toThrow('Label row 0 sums to 0: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ...];');
    const column = tf.tensor2d([[1], [2]]);
    await expect(checkDistributionLabels(column, 3)).rejects.toThrow(ShapeError);
    column.dispose();
  });
});

describe('checkBinaryLabels (xent)', () => {
  it('accepts values in [0, 1] and names the first outside, with the count', async () => {
    const good = tf.tensor2d([[0, 1], [0.25, 1]]);
    await expect(checkBinaryLabels(good, 2)).resolves.toBeUndefined();
    const bad = tf.tensor2d([[0, 1], [2, -1]]);
    await expect(checkBinaryLabels(bad, 2)).rejects.toThrow(new ValueError('Label at row 1, column 0 is 2; expected a value in [0, 1] (binary cross-entropy targets) (2 of 4 values are invalid)'));
    tf.dispose([good, bad]);
  });
});
