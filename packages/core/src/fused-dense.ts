import * as tf from '@tensorflow/tfjs-core';
import { runFusedKernel } from './fused-kernel-specs';
import { ShapeError } from './errors';
import { FUSED_KERNELS, backendOffers } from './fused-kernels';

/** The activations {@link fusedDense} applies in the product's own pass. */
export type FusedDenseActivation = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax';

/**
 * `f(x W + b)` with `x` [batch, nIn], `W` [nIn, nOut], `b` [nOut] (or no bias) and `f` linear, relu, sigmoid,
 * tanh or softmax (over each row): one {@link FUSED_KERNELS}.dense kernel where the active backend
 * offers it, else `tf.fused.matMul` (followed by `tf.sigmoid`, `tf.tanh` or `tf.softmax`, whose
 * gradients tfjs's fused op lacks).
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
export function fusedDense(x: tf.Tensor, W: tf.Tensor, b: tf.Tensor | undefined, activation: FusedDenseActivation): tf.Tensor2D {
  if (x.rank !== 2 || W.rank !== 2 || (b !== undefined && b.rank !== 1)) {
    throw new ShapeError(`fusedDense: expected x [batch, nIn], W [nIn, nOut], b [nOut]; received x [${x.shape.join(', ')}], W [${W.shape.join(', ')}], b [${b?.shape.join(', ') ?? 'none'}]`, x.shape, [-1, W.shape[0] ?? -1]);
  }
  if (b !== undefined && x.dtype === 'float32' && W.dtype === 'float32' && b.dtype === 'float32' && backendOffers(FUSED_KERNELS.dense)) {
    return runFusedKernel(FUSED_KERNELS.dense, { x, w: W, b }, { activation }) as tf.Tensor2D;
  }
  const bias = b === undefined ? {} : { bias: b };
  if (activation === 'linear' || activation === 'relu') return tf.fused.matMul({ a: x as tf.Tensor2D, b: W as tf.Tensor2D, ...bias, activation }) as tf.Tensor2D;
  return tf.tidy(() => {
    const z = tf.fused.matMul({ a: x as tf.Tensor2D, b: W as tf.Tensor2D, ...bias });
    return (activation === 'sigmoid' ? tf.sigmoid(z) : activation === 'tanh' ? tf.tanh(z) : tf.softmax(z)) as tf.Tensor2D;
  });
}

/** `dL/dz` from `dL/dy` and the output `y = f(z)`: f' written in terms of y. */
function activationGradient(dy: tf.Tensor, y: tf.Tensor, activation: string): tf.Tensor {
  switch (activation) {
    case 'linear':
      return dy;
    case 'relu':
      return tf.mul(dy, tf.step(y));
    case 'sigmoid':
      return tf.mul(dy, tf.mul(y, tf.sub(1, y)));
    case 'tanh':
      return tf.mul(dy, tf.sub(1, tf.square(y)));
    case 'softmax':
      // The Jacobian of a softmax row times dy: y (dy - sum(dy y)).
      return tf.mul(y, tf.sub(dy, tf.sum(tf.mul(dy, y), -1, true)));
    default:
      throw new Error(`${FUSED_KERNELS.dense}: no gradient for activation "${activation}"; expected linear, relu, sigmoid, tanh or softmax`);
  }
}

/**
 * The gradient of {@link FUSED_KERNELS}.dense: with `dz = dy f'(z)` from the output (`dy` for
 * linear, `dy step(y)` for relu, `dy y (1 - y)` for sigmoid, `dy (1 - y^2)` for tanh,
 * `y (dy - sum(dy y))` per row for softmax),
 * `dx = dz W^T`, `dW = x^T dz`, `db = sum(dz, 0)`.
 */
export const denseGradient: tf.GradConfig = {
  kernelName: FUSED_KERNELS.dense,
  inputsToSave: ['x', 'w'],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [x, w, y] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const activation = attrs.activation as string;
    const dz = activationGradient(dy as tf.Tensor, y, activation) as tf.Tensor2D;
    return { x: () => tf.matMul(dz, w, false, true), w: () => tf.matMul(x, dz, true, false), b: () => tf.sum(dz, 0) };
  },
};

/** Registers {@link denseGradient} with tfjs (core's `registerGradients` does). */
export function registerDenseGradient(): void {
  tf.registerGradient(denseGradient);
}
