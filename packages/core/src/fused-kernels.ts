import * as tf from '@tensorflow/tfjs-core';
import type { FusedKernelSpecs } from './fused-kernel-specs';
import { runFusedKernel } from './fused-kernel-specs';
import { dropoutMaskValues } from './random';

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
 * - `applyUpdate`: inputs `{ w, g, s0, s1, s2 }`, attrs `{ rule, constants, l1, l2, decay }`: core's
 *   whole update pipeline for one parameter, `g' = g + l1 sign(w) + l2 w`, the rule, `update +=
 *   decay w`, returning `[w - update, ...newState]`; bitwise the tfjs ops of `applyGradients`.
 * - `sumSquares`: input `{ x }`: `sum(x^2)` as a scalar, the squares in float32 summed in double as
 *   `tf.sum(tf.square(x))` on cpu (equal to it after the final rounding to float32).
 * - `countNonFinite`: input `{ x }` (float32): the number of NaN and infinite elements, an int32
 *   scalar: `tf.sum(tf.cast(tf.logicalNot(tf.isFinite(x)), 'int32'))` in one pass.
 * - `dense`: inputs `{ x, w, b }` (float32, `[batch, nIn]`, `[nIn, nOut]`, `[nOut]`), attrs
 *   `{ activation: 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax' }`: `f(x w + b)` in one kernel, the
 *   activation applied in the product's pass (core registers its gradient; see `fusedDense`).
 * - `lstmSequence` / `lstmSequenceGrad`: the whole recurrence of an LSTM without peepholes over a
 *   sequence and its backward pass (see `@dl4ts/rnn`'s `lstmSequence`).
 */
export const FUSED_KERNELS = {
  updaterStep: 'Dl4tsUpdaterStep',
  scaledAdd: 'Dl4tsScaledAdd',
  applyUpdate: 'Dl4tsApplyUpdate',
  sumSquares: 'Dl4tsSumSquares',
  countNonFinite: 'Dl4tsCountNonFinite',
  dense: 'Dl4tsDense',
  lstmSequence: 'Dl4tsLstmSequence',
  lstmSequenceGrad: 'Dl4tsLstmSequenceGrad',
  dropoutMask: 'Dl4tsDropoutMask',
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
    return runFusedKernel(FUSED_KERNELS.scaledAdd, { a, b }, { alpha }) as tf.Tensor;
  }
  return tf.add(a, tf.mul(alpha, b));
}

/** `sum(x^2)` in one kernel where the backend offers {@link FUSED_KERNELS}.sumSquares, else `tf.sum(tf.square(x))`. */
export function sumOfSquares(x: tf.Tensor): tf.Tensor {
  if (x.dtype === 'float32' && backendOffers(FUSED_KERNELS.sumSquares)) return runFusedKernel(FUSED_KERNELS.sumSquares, { x }, {}) as tf.Tensor;
  return tf.sum(tf.square(x));
}

/** The number of NaN and infinite elements of `x` (an int32 scalar), in one kernel where the backend offers {@link FUSED_KERNELS}.countNonFinite. */
export function countNonFinite(x: tf.Tensor): tf.Tensor {
  if (x.dtype === 'float32' && backendOffers(FUSED_KERNELS.countNonFinite)) return runFusedKernel(FUSED_KERNELS.countNonFinite, { x }, {}) as tf.Tensor;
  return tf.tidy(() => tf.sum(tf.cast(tf.logicalNot(tf.isFinite(x)), 'int32')));
}

/**
 * An inverted-dropout mask of `shape` (values `1 / keep` with probability `keep`, else 0), in one
 * kernel where the backend offers {@link FUSED_KERNELS}.dropoutMask, else drawn in JavaScript by
 * {@link dropoutMaskValues}: the same values either way, so a seed gives the same mask on every backend.
 */
export function dropoutMask(shape: readonly number[], seed: number, keep: number): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  if (backendOffers(FUSED_KERNELS.dropoutMask)) return runFusedKernel(FUSED_KERNELS.dropoutMask, {}, { shape: [...shape], seed, keep, scale: 1 / keep }) as tf.Tensor;
  return tf.tensor(dropoutMaskValues(seed, size, keep, 1 / keep), [...shape], 'float32');
}

/** An updater step as one of the rules a backend's fused kernels know (see `Updater.fusedRule`). */
/**
 * The updater rules a backend's `Dl4tsUpdaterStep` and `Dl4tsApplyUpdate` kernels implement, by
 * name: the one list the updaters that emit them and the backends that run them are typed by.
 */
export const FUSED_UPDATER_RULES = ['sgd', 'nesterovs', 'adam', 'adamax', 'nadam', 'amsgrad', 'adagrad', 'rmsprop', 'adadelta'] as const;
export type FusedUpdaterRuleName = (typeof FUSED_UPDATER_RULES)[number];

export interface FusedUpdaterRule {
  /** One of {@link FUSED_UPDATER_RULES}. */
  readonly rule: FusedUpdaterRuleName;
  /** The rule's constants at this step, in the rule's order (`nesterovs`: lr, mu, 1 + mu). */
  readonly constants: readonly number[];
  /** The names of the state tensors the rule reads and rewrites, in order. */
  readonly state: readonly string[];
}

/**
 * The parameter's whole update (penalties, rule, decay, `w - update`) in one kernel where the
 * backend offers {@link FUSED_KERNELS}.applyUpdate; undefined otherwise, and core takes its op path.
 */
export function fusedApplyUpdate(
  w: tf.Tensor,
  g: tf.Tensor,
  state: Readonly<Record<string, tf.Tensor>>,
  rule: FusedUpdaterRule,
  penalties: { readonly l1: number; readonly l2: number; readonly decay: number },
): { param: tf.Tensor; state: Record<string, tf.Tensor> } | undefined {
  if (w.dtype !== 'float32' || g.dtype !== 'float32' || g.size !== w.size || !backendOffers(FUSED_KERNELS.applyUpdate)) return undefined;
  const inputs: FusedKernelSpecs['Dl4tsApplyUpdate']['inputs'] = { w, g };
  for (const [i, name] of rule.state.entries()) {
    const t = state[name];
    if (t === undefined || t.dtype !== 'float32' || t.size !== w.size) return undefined;
    inputs[`s${i}`] = t;
  }
  const outputs = runFusedKernel(FUSED_KERNELS.applyUpdate, inputs, { rule: rule.rule, constants: [...rule.constants], ...penalties }) as tf.Tensor[];
  const next: Record<string, tf.Tensor> = {};
  for (const [i, name] of rule.state.entries()) next[name] = outputs[i + 1] as tf.Tensor;
  return { param: outputs[0] as tf.Tensor, state: next };
}
