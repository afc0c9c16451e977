import * as tf from '@tensorflow/tfjs-core';

/** Version of the fused-kernel contracts below; a backend offering other versions uses other names. */
export const FUSED_KERNEL_CONTRACT_VERSION = 1;

/**
 * Kernels a backend may offer beyond tfjs's own, under these tfjs kernel names, so that a layer,
 * loss or updater can do in one kernel what otherwise takes a chain of tfjs ops. A component asks
 * {@link backendOffers} and takes its ordinary path when the answer is no, so every backend still
 * runs every model; the fused path must give the same values (bitwise where stated).
 *
 * - `updaterStep`: inputs `{ g, s0, s1, s2 }` (gradient and the rule's state tensors, float32, one
 *   shape), attrs `{ rule, constants: number[] }`; returns `[update, ...newState]`. Rules and their
 *   constants are those of `@dl4ts/updaters` (`nesterovs`: lr, mu, 1 + mu; ...); bitwise equal to
 *   the rule written as tfjs ops.
 * - `scaledAdd`: inputs `{ a, b }`, attrs `{ alpha }`: `a + alpha b`, bitwise `tf.add(a, tf.mul(alpha, b))`.
 * - `lstmSequence` / `lstmSequenceGrad`: the whole recurrence of an LSTM without peepholes over a
 *   sequence and its backward pass (see `@dl4ts/rnn`'s `lstmSequence`).
 */
export const FUSED_KERNELS = {
  updaterStep: 'Dl4tsUpdaterStep',
  scaledAdd: 'Dl4tsScaledAdd',
  lstmSequence: 'Dl4tsLstmSequence',
  lstmSequenceGrad: 'Dl4tsLstmSequenceGrad',
} as const;

/** One of {@link FUSED_KERNELS}' names. */
export type FusedKernelName = (typeof FUSED_KERNELS)[keyof typeof FUSED_KERNELS];

/**
 * Whether the active tfjs backend has `kernel` registered: the capability check a component makes
 * before it takes a fused path.
 *
 * @example
 * ```ts
 * if (backendOffers(FUSED_KERNELS.scaledAdd)) return tf.engine().runKernel(FUSED_KERNELS.scaledAdd, { a, b }, { alpha }) as tf.Tensor;
 * ```
 */
export function backendOffers(kernel: FusedKernelName | string): boolean {
  return tf.getKernel(kernel, tf.getBackend()) !== undefined;
}

/**
 * `a + alpha b` in one kernel where the backend offers {@link FUSED_KERNELS}.scaledAdd, else as
 * `tf.add(a, tf.mul(alpha, b))`; the same values either way.
 */
export function scaledAdd(a: tf.Tensor, b: tf.Tensor, alpha: number): tf.Tensor {
  if (a.dtype === 'float32' && b.dtype === 'float32' && a.size === b.size && backendOffers(FUSED_KERNELS.scaledAdd)) {
    return tf.engine().runKernel(FUSED_KERNELS.scaledAdd, { a, b }, { alpha }) as tf.Tensor;
  }
  return tf.add(a, tf.mul(alpha, b));
}
