import * as tf from '@tensorflow/tfjs-core';
import type { FusedDenseActivation } from './fused-dense';
import type { FusedKernelName, FusedUpdaterRuleName } from './fused-kernels';

type NoAttrs = Record<string, never>;

/**
 * What each fused kernel takes: its inputs by name and its attributes, the one contract between
 * the components that run a fused kernel and the backends that implement it (as tfjs's
 * kernel_names module is for tfjs's kernels). An updater's state tensors are the inputs `s0`,
 * `s1`, ... in the order of its rule's `state` list.
 */
export interface FusedKernelSpecs {
  /** An updater's rule on its state; outputs the update, then the new state tensors. */
  Dl4tsUpdaterStep: { inputs: { g: tf.Tensor; [state: `s${number}`]: tf.Tensor }; attrs: { rule: FusedUpdaterRuleName; constants: number[] } };
  /** `a + alpha b`. */
  Dl4tsScaledAdd: { inputs: { a: tf.Tensor; b: tf.Tensor }; attrs: { alpha: number } };
  /** The whole update of one parameter (penalties, rule, decay, `w - update`); outputs the new parameter, then the new state. */
  Dl4tsApplyUpdate: {
    inputs: { w: tf.Tensor; g: tf.Tensor; [state: `s${number}`]: tf.Tensor };
    attrs: { rule: FusedUpdaterRuleName; constants: number[]; l1: number; l2: number; decay: number };
  };
  /** `sum(x^2)`, accumulated in float64. */
  Dl4tsSumSquares: { inputs: { x: tf.Tensor }; attrs: NoAttrs };
  /** The number of NaN and infinite values of `x`. */
  Dl4tsCountNonFinite: { inputs: { x: tf.Tensor }; attrs: NoAttrs };
  /** `f(x w + b)`. */
  Dl4tsDense: { inputs: { x: tf.Tensor; w: tf.Tensor; b: tf.Tensor }; attrs: { activation: FusedDenseActivation } };
  /** An LSTM over a whole sequence from the input products `xw`; outputs packed, gates, cs, tcs. */
  Dl4tsLstmSequence: { inputs: { xw: tf.Tensor; rw: tf.Tensor; h0: tf.Tensor; c0: tf.Tensor; mask?: tf.Tensor }; attrs: NoAttrs };
  /** The LSTM sequence's gradient; outputs dxw, drw, dh0, dc0. */
  Dl4tsLstmSequenceGrad: {
    inputs: { dy: tf.Tensor; gates: tf.Tensor; cs: tf.Tensor; tcs: tf.Tensor; packed: tf.Tensor; rw: tf.Tensor; h0: tf.Tensor; c0: tf.Tensor; mask?: tf.Tensor };
    attrs: NoAttrs;
  };
  /** An inverted-dropout mask of `shape`, with exactly the values of `dropoutMaskValues(seed, size, keep, scale)`. */
  Dl4tsDropoutMask: { inputs: Record<string, never>; attrs: { shape: number[]; seed: number; keep: number; scale: number } };
}

// Every kernel name has a spec and every spec a name: the compiler rejects this line otherwise.
const specsCoverNames: [Exclude<FusedKernelName, keyof FusedKernelSpecs>, Exclude<keyof FusedKernelSpecs, FusedKernelName>] extends [never, never] ? true : never = true;
void specsCoverNames;

/** Runs a fused kernel with inputs and attributes its spec checks; the caller checked `backendOffers(name)`. */
export function runFusedKernel<N extends FusedKernelName>(name: N, inputs: FusedKernelSpecs[N]['inputs'], attrs: FusedKernelSpecs[N]['attrs']): tf.Tensor | tf.Tensor[] {
  return tf.engine().runKernel(name, inputs as tf.NamedTensorMap, attrs as tf.NamedAttrMap);
}

/** For a backend implementing a fused kernel: the call's attributes, typed by the kernel's spec. */
export function fusedKernelAttrs<N extends FusedKernelName>(_name: N, attrs: tf.NamedAttrMap): FusedKernelSpecs[N]['attrs'] {
  return attrs as FusedKernelSpecs[N]['attrs'];
}
