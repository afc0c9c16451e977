import * as tf from '@tensorflow/tfjs-core';
import { FUSED_KERNELS, backendOffers } from '@dl4ts/core';
import type { UpdaterState } from '@dl4ts/core';

/** The rules a backend's `updaterStep` kernel computes, with the constants each takes (in order). */
export type FusedRule =
  | 'nesterovs' // lr, mu, 1 + mu
  | 'adam' // b1, 1 - b1, b2, 1 - b2, alpha, eps
  | 'adamax' // b1, 1 - b1, b2, alpha, tiny
  | 'nadam' // b1, 1 - b1, b2, 1 - b2, scale, eps
  | 'amsgrad' // b1, 1 - b1, b2, 1 - b2, alpha, eps
  | 'adagrad' // lr, eps
  | 'rmsprop' // lr, decay, 1 - decay, eps
  | 'adadelta'; // rho, 1 - rho, eps

/**
 * One updater step in a single kernel, where the active backend offers
 * {@link FUSED_KERNELS}.updaterStep (the native backend does): `[update, ...state]` from the gradient
 * and the state tensors named `names`, in that order. Returns undefined otherwise, and the updater
 * takes its tfjs-op path; both give the same values bit for bit, as the kernel repeats the rule
 * operation for operation in float32.
 */
export function fusedStep(rule: FusedRule, gradient: tf.Tensor, state: UpdaterState, names: readonly string[], constants: readonly number[]): { update: tf.Tensor; state: UpdaterState } | undefined {
  if (gradient.dtype !== 'float32' || !backendOffers(FUSED_KERNELS.updaterStep)) return undefined;
  const inputs: Record<string, tf.Tensor> = { g: gradient };
  for (const [i, name] of names.entries()) {
    const t = state[name];
    if (t === undefined || t.dtype !== 'float32' || t.size !== gradient.size) return undefined; // the op path names the problem
    inputs[`s${i}`] = t;
  }
  const outputs = tf.engine().runKernel(FUSED_KERNELS.updaterStep, inputs, { rule, constants: [...constants] }) as unknown as tf.Tensor[];
  const next: UpdaterState = {};
  for (const [i, name] of names.entries()) next[name] = outputs[i + 1] as tf.Tensor;
  return { update: outputs[0] as tf.Tensor, state: next };
}
