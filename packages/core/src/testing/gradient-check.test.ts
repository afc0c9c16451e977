import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { checkGradients } from './gradient-check';

// f(w) = sum(c w) with a hand-written gradient off by `offset` per entry: a wrong gradient the
// check must catch, unless the caller says differences that small are noise.
const C = [0.01, 0.02, -0.015];
const skewed = (offset: number) =>
  tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: tf.sum(tf.mul(tf.tensor1d(C), inputs[0] as tf.Tensor)),
    gradFunc: (dy: tf.Tensor) => tf.mul(dy, tf.tensor1d(C.map((c) => c + offset))),
  }));

describe('checkGradients', () => {
  it('passes an exact gradient and catches one off by 1e-3 on entries of 1e-2', async () => {
    const w = tf.tensor1d([1, -2, 0.5]);
    expect((await checkGradients(([x]) => skewed(0)(x as tf.Tensor) as tf.Scalar, [w])).failures).toEqual([]);
    const wrong = await checkGradients(([x]) => skewed(1e-3)(x as tf.Tensor) as tf.Scalar, [w]);
    expect(wrong.failures.map((f) => f.index)).toEqual([0, 1, 2]);
    w.dispose();
  });

  it('absoluteTolerance: differences within it pass, larger ones still fail', async () => {
    const w = tf.tensor1d([1, -2, 0.5]);
    expect((await checkGradients(([x]) => skewed(1e-3)(x as tf.Tensor) as tf.Scalar, [w], { absoluteTolerance: 2e-3 })).failures).toEqual([]);
    expect((await checkGradients(([x]) => skewed(1e-3)(x as tf.Tensor) as tf.Scalar, [w], { absoluteTolerance: 5e-4 })).failures).toHaveLength(3);
    w.dispose();
  });
});
