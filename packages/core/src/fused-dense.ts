import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from './errors';
import { FUSED_KERNELS, backendOffers } from './fused-kernels';

/**
 * `f(x W + b)` with `x` [batch, nIn], `W` [nIn, nOut], `b` [nOut] and `f` linear or relu: one
 * {@link FUSED_KERNELS}.dense kernel where the active backend offers it, else `tf.fused.matMul`
 * (the same values: both are one product with the bias and activation applied to its output).
 *
 * `tf.fused.matMul` reaches its kernel through three reshapes and a custom-gradient scope, about
 * 9 µs of bookkeeping per call on the native backend: more than a third of a one-sample layer's
 * product. The dense kernel skips them; its gradient ({@link denseGradient}) is registered with
 * tfjs's gradients by core.
 *
 * @example
 * ```ts
 * const h = fusedDense(x, params.W, params.b, 'relu');
 * ```
 */
export function fusedDense(x: tf.Tensor, W: tf.Tensor, b: tf.Tensor, activation: 'linear' | 'relu'): tf.Tensor2D {
  if (x.rank !== 2 || W.rank !== 2 || b.rank !== 1) {
    throw new ShapeError(`fusedDense: expected x [batch, nIn], W [nIn, nOut], b [nOut]; received x [${x.shape.join(', ')}], W [${W.shape.join(', ')}], b [${b.shape.join(', ')}]`, x.shape, [-1, W.shape[0] ?? -1]);
  }
  if (x.dtype === 'float32' && W.dtype === 'float32' && b.dtype === 'float32' && backendOffers(FUSED_KERNELS.dense)) {
    return tf.engine().runKernel(FUSED_KERNELS.dense, { x, w: W, b }, { activation }) as tf.Tensor2D;
  }
  return tf.fused.matMul({ a: x as tf.Tensor2D, b: W as tf.Tensor2D, bias: b, activation }) as tf.Tensor2D;
}

/**
 * The gradient of {@link FUSED_KERNELS}.dense: with `dz = dy` (linear) or `dy * step(y)` (relu),
 * `dx = dz W^T`, `dW = x^T dz`, `db = sum(dz, 0)`, as tfjs differentiates `fused.matMul`.
 */
export const denseGradient: tf.GradConfig = {
  kernelName: FUSED_KERNELS.dense,
  inputsToSave: ['x', 'w'],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [x, w, y] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const { activation } = attrs as unknown as { activation: string };
    const dz = (activation === 'relu' ? tf.mul(dy as tf.Tensor, tf.step(y)) : dy) as tf.Tensor2D;
    return { x: () => tf.matMul(dz, w, false, true), w: () => tf.matMul(x, dz, true, false), b: () => tf.sum(dz, 0) };
  },
};

/** Registers {@link denseGradient} with tfjs (core's `registerGradients` does). */
export function registerDenseGradient(): void {
  tf.registerGradient(denseGradient);
}
