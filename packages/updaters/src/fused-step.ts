import * as tf from '@tensorflow/tfjs-core';
import { FUSED_KERNELS, backendOffers, runFusedKernel } from '@dl4ts/core';
import type { FusedKernelSpecs, FusedUpdaterRule, FusedUpdaterRuleName, Updater, UpdaterState, UpdaterStep } from '@dl4ts/core';

/** The rules a backend's fused updater kernels compute (their constants are listed in core's FUSED_KERNELS). */
/** Core's rule names, the one list (`FUSED_UPDATER_RULES`). */
export type FusedRule = FusedUpdaterRuleName;

/**
 * One updater step in a single kernel, where the active backend offers
 * {@link FUSED_KERNELS}.updaterStep (the native backend does): `{ update, state }` from the gradient
 * and the rule's state tensors. Undefined otherwise, or when the state does not fit the rule (the
 * op path then names the problem).
 */
export function fusedStep(gradient: tf.Tensor, state: UpdaterState, rule: FusedUpdaterRule): { update: tf.Tensor; state: UpdaterState } | undefined {
  if (gradient.dtype !== 'float32' || !backendOffers(FUSED_KERNELS.updaterStep)) return undefined;
  const inputs: FusedKernelSpecs['Dl4tsUpdaterStep']['inputs'] = { g: gradient };
  for (const [i, name] of rule.state.entries()) {
    const t = state[name];
    if (t === undefined || t.dtype !== 'float32' || t.size !== gradient.size) return undefined;
    inputs[`s${i}`] = t;
  }
  const outputs = runFusedKernel(FUSED_KERNELS.updaterStep, inputs, { rule: rule.rule, constants: [...rule.constants] }) as tf.Tensor[];
  const next: UpdaterState = {};
  for (const [i, name] of rule.state.entries()) next[name] = outputs[i + 1] as tf.Tensor;
  return { update: outputs[0] as tf.Tensor, state: next };
}

/**
 * `updater` with its step also described as a fused rule (`fusedRule`, which core's update pipeline
 * runs as one kernel where the backend offers it) and its `apply` taken in one kernel where the
 * backend offers {@link FUSED_KERNELS}.updaterStep. `ruleAt` must describe exactly what `apply`
 * computes: the kernels repeat the rule operation for operation in float32, so both paths give the
 * same values bit for bit.
 */
export function withFusedRule(updater: Updater, ruleAt: (step: UpdaterStep) => FusedUpdaterRule): Updater {
  return {
    ...updater,
    fusedRule: ruleAt,
    apply: (gradient, state, step) => fusedStep(gradient, state, ruleAt(step)) ?? updater.apply(gradient, state, step),
  };
}
