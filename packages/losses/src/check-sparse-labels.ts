import type * as tf from '@tensorflow/tfjs-core';
import { ShapeError, ValueError, formatShape } from '@dl4ts/core';

/**
 * Checks sparse class-index labels (SPARSE_MCXENT): every value an integer in `[0, nOut - 1]`.
 *
 * The loss itself cannot check values: it runs inside autodiff, where reading data would stall the
 * device, and there an out-of-range index one-hot encodes to an all-zero row (score 0, no error)
 * and a fractional one is truncated. So this check reads the labels once, before training: core
 * calls it through `loss.checkLabels(labels, nOut)` on the whole data set at the start of `fit`.
 * Call it yourself for data that does not go through `fit`.
 *
 * @param labels `[batch, 1]` or `[batch]` tensor, or the values as a plain or typed array.
 * @param nOut the number of classes (the output layer's nOut).
 * @throws ShapeError for a tensor of another shape; ValueError naming the first bad value, its row,
 *   the valid range, and how many values are bad in all.
 *
 * @example
 * ```ts
 * await checkSparseLabels(tf.tensor2d([[0], [2], [1]]), 3); // ok
 * await checkSparseLabels([0, 3], 3); // ValueError: label at row 1 is 3, expected an integer class index in [0, 2]
 * ```
 */
export async function checkSparseLabels(labels: tf.Tensor | ArrayLike<number>, nOut: number): Promise<void> {
  if (!Number.isInteger(nOut) || nOut < 1) {
    throw new ValueError(`checkSparseLabels: nOut is ${nOut}, expected a positive integer (the number of classes)`);
  }
  let values: ArrayLike<number>;
  if (isTensor(labels)) {
    if (!(labels.rank === 1 || (labels.rank === 2 && labels.shape[1] === 1))) {
      throw new ShapeError(`Sparse labels have shape ${formatShape(labels.shape)}, expected class indices [batch, 1] or [batch]`, labels.shape, [-1, 1]);
    }
    values = await labels.data();
  } else {
    values = labels;
  }
  let firstRow = -1;
  let bad = 0;
  for (let row = 0; row < values.length; row++) {
    const v = values[row] as number;
    if (Number.isInteger(v) && v >= 0 && v < nOut) continue;
    if (firstRow < 0) firstRow = row;
    bad++;
  }
  if (bad > 0) {
    const more = bad > 1 ? ` (${bad} of ${values.length} labels are invalid)` : '';
    throw new ValueError(`Sparse label at row ${firstRow} is ${values[firstRow]}, expected an integer class index in [0, ${nOut - 1}] (nOut=${nOut})${more}`);
  }
}

function isTensor(x: tf.Tensor | ArrayLike<number>): x is tf.Tensor {
  return typeof (x as tf.Tensor).data === 'function' && Array.isArray((x as tf.Tensor).shape);
}
