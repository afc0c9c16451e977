import * as tf from '@tensorflow/tfjs-core';
import { ValueError, formatValue } from '../errors';

/**
 * One-hot encodes integer class labels on the host: row `i` has a 1 in column `labels[i]`.
 * Every label must be an integer in `[0, numClasses)`; the error names the first bad one.
 *
 * @example
 * ```ts
 * oneHotArray([2, 0], 3); // Float32Array [0, 0, 1, 1, 0, 0]
 * ```
 */
export function oneHotArray(labels: ArrayLike<number>, numClasses: number, name = 'labels'): Float32Array {
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new ValueError(`${name}: numClasses must be a positive integer, received ${formatValue(numClasses)}`);
  const out = new Float32Array(labels.length * numClasses);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i] as number;
    if (!Number.isInteger(c) || c < 0 || c >= numClasses) {
      throw new ValueError(`${name}: value ${c} at index ${i} is not a class index; expected an integer in [0, ${numClasses - 1}] (numClasses ${numClasses})`);
    }
    out[i * numClasses + c] = 1;
  }
  return out;
}

/**
 * One-hot encodes integer class labels as a float32 tensor `[n, numClasses]`, with the range
 * check of {@link oneHotArray} (tfjs' own `oneHot` silently writes a zero row for a bad index).
 *
 * @example
 * ```ts
 * const y = oneHot([5, 0, 4], 10); // [3, 10]
 * ```
 */
export function oneHot(labels: ArrayLike<number>, numClasses: number, name = 'labels'): tf.Tensor2D {
  return tf.tensor2d(oneHotArray(labels, numClasses, name), [labels.length, numClasses], 'float32');
}
