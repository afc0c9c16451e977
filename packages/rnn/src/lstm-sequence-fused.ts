import * as tf from '@tensorflow/tfjs-core';
import { FUSED_KERNELS, backendOffers, runFusedKernel } from '@dl4ts/core';

/** `(xw, rw, h0, c0) -> packed [batch, time + 1, n]`: the states h_0..h_{T-1}, then c_{T-1}. */
export type LstmRun = (xw: tf.Tensor, rw: tf.Tensor, h0: tf.Tensor, c0: tf.Tensor) => tf.Tensor;

/**
 * The LSTM recurrence as the backend's fused kernels ({@link FUSED_KERNELS}.lstmSequence and
 * lstmSequenceGrad, which the native backend offers): the same packed output and gradients as
 * {@link lstmSequence}'s tfjs-op pass, one kernel each way instead of ~15 per step. Undefined
 * when the active backend does not offer both, or the inputs are not float32.
 *
 * `mask` is `[batch, time]` of 0/1, or undefined.
 */
export function fusedLstmRun(xw: tf.Tensor, mask: tf.Tensor | undefined): LstmRun | undefined {
  if (xw.dtype !== 'float32' || !backendOffers(FUSED_KERNELS.lstmSequence) || !backendOffers(FUSED_KERNELS.lstmSequenceGrad)) return undefined;
  const maskInput: { mask?: tf.Tensor } = mask === undefined ? {} : { mask };
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, w, hInit, cInit] = args as tf.Tensor[];
    const save = args[4] as tf.GradSaveFunc;
    const inputs = { xw: x as tf.Tensor, rw: w as tf.Tensor, h0: hInit as tf.Tensor, c0: cInit as tf.Tensor, ...maskInput };
    const [packed, gates, cs, tcs] = runFusedKernel(FUSED_KERNELS.lstmSequence, inputs, {}) as tf.Tensor[];
    save([gates as tf.Tensor, cs as tf.Tensor, tcs as tf.Tensor, packed as tf.Tensor, w as tf.Tensor, hInit as tf.Tensor, cInit as tf.Tensor]);
    const gradFunc = (dy: tf.Tensor, kept: tf.Tensor[]): tf.Tensor[] => {
      const [g, c, t, p, rw, h0, c0] = kept as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      return runFusedKernel(FUSED_KERNELS.lstmSequenceGrad, { dy, gates: g, cs: c, tcs: t, packed: p, rw, h0, c0, ...maskInput }, {}) as tf.Tensor[];
    };
    return { value: packed as tf.Tensor, gradFunc };
  }) as LstmRun;
}
