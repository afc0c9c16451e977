import type * as tf from '@tensorflow/tfjs-core';
import { ShapeError, ValueError, formatShape } from '@dl4ts/core';

/**
 * How far a label row's sum may be from 1: 8 float32 ulps (2^-23 each near 1) per class, room
 * for soft labels rounded to float32 one by one and for labels computed in float32 arithmetic
 * (label smoothing); every real mistake (an all-zero row, two classes marked) is off by far more.
 */
function sumTolerance(nOut: number): number {
  return nOut * 8 * 2 ** -23;
}

/**
 * Checks labels of MCXENT and NEGATIVELOGLIKELIHOOD: each row `[rows, nOut]` a distribution over
 * the classes, one-hot or soft, every value in [0, 1] and each row summing to 1. An all-zero row
 * would score 0 and teach nothing, and a row with two classes marked (multi-label data, which is
 * XENT's) counts both as the one true class; neither raises anything inside the loss.
 *
 * @throws ShapeError for labels that are not `[rows, nOut]`; ValueError naming the first bad row,
 *   its values, and how many rows are bad.
 *
 * @example
 * ```ts
 * await checkDistributionLabels(tf.tensor2d([[0, 1, 0], [0.1, 0.8, 0.1]]), 3); // ok
 * await checkDistributionLabels(tf.tensor2d([[0, 0, 0]]), 3); // ValueError: label row 0 sums to 0
 * ```
 */
export async function checkDistributionLabels(labels: tf.Tensor, nOut: number): Promise<void> {
  if (labels.rank !== 2 || labels.shape[1] !== nOut) {
    throw new ShapeError(`Labels have shape ${formatShape(labels.shape)}, expected [rows, ${nOut}] (one column per class)`, labels.shape, [-1, nOut]);
  }
  const values = await labels.data();
  const rows = labels.shape[0] as number;
  const tolerance = sumTolerance(nOut);
  let first = -1;
  let firstReason = '';
  let bad = 0;
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    let outside = false;
    for (let c = 0; c < nOut; c++) {
      const v = values[r * nOut + c] as number;
      if (!(v >= 0 && v <= 1)) outside = true;
      sum += v;
    }
    if (!outside && Math.abs(sum - 1) <= tolerance) continue;
    bad++;
    if (first < 0) {
      first = r;
      firstReason = outside ? 'holds a value outside [0, 1]' : `sums to ${Number(sum.toPrecision(6))}`;
    }
  }
  if (bad > 0) {
    const row = Array.from(values.subarray(first * nOut, first * nOut + Math.min(nOut, 10)), (v) => Number(v.toPrecision(4)));
    const more = bad > 1 ? ` (${bad} of ${rows} rows are invalid)` : '';
    throw new ValueError(
      `Label row ${first} ${firstReason}: [${row.join(', ')}${nOut > 10 ? ', ...' : ''}]; expected one-hot rows or class distributions (values in [0, 1] summing to 1)${more}. For class indices use losses/sparse-mcxent; for several labels per example, losses/xent with sigmoid`,
    );
  }
}

/**
 * Checks labels of XENT (binary cross-entropy per output): every value in [0, 1]. A label of 2
 * or -1 gives a score that is not a cross-entropy and gradients that push past the target.
 *
 * @example
 * ```ts
 * await checkBinaryLabels(tf.tensor2d([[0, 1], [1, 0.5]]), 2); // ok
 * ```
 */
export async function checkBinaryLabels(labels: tf.Tensor, nOut: number): Promise<void> {
  if (labels.rank !== 2 || labels.shape[1] !== nOut) {
    throw new ShapeError(`Labels have shape ${formatShape(labels.shape)}, expected [rows, ${nOut}]`, labels.shape, [-1, nOut]);
  }
  const values = await labels.data();
  let first = -1;
  let bad = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v >= 0 && v <= 1) continue;
    if (first < 0) first = i;
    bad++;
  }
  if (bad > 0) {
    const more = bad > 1 ? ` (${bad} of ${values.length} values are invalid)` : '';
    throw new ValueError(`Label at row ${Math.floor(first / nOut)}, column ${first % nOut} is ${values[first]}; expected a value in [0, 1] (binary cross-entropy targets)${more}`);
  }
}
