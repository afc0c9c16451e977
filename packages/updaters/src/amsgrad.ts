import * as tf from '@tensorflow/tfjs-core';
import { UPDATER_CONTRACT_VERSION } from '@dl4ts/core';
import type { ComponentDefinition, ResolvedConfig, Updater } from '@dl4ts/core';
import { adamAlpha, adamFamily } from './adam-family';
import type { AdamFamilyOptions } from './adam-family';
import { movingAverage, movingAverageOfSquares } from './state';

/** Options of {@link amsgrad}: learning rate (or schedule), beta1, beta2, epsilon. */
export type AmsGradOptions = AdamFamilyOptions;

declare module '@dl4ts/core' {
  interface UpdaterConfigMap {
    'updaters/amsgrad': AmsGradOptions;
  }
}

/**
 * AMSGrad, DL4J's form (AMSGradUpdater): Adam whose denominator uses the running maximum of `v`.
 * With `t = iteration + 1`: `m' = b1 m + (1 - b1) g`, `v' = b2 v + (1 - b2) g^2`,
 * `vHat' = max(vHat, v')`, `update = lr sqrt(1 - b2^t) / (1 - b1^t) * m' / (sqrt(vHat') + eps)`.
 *
 * @example
 * ```ts
 * defaults: { updater: { type: 'updaters/amsgrad', learningRate: 1e-3 } }
 * ```
 */
export function amsgrad(config: ResolvedConfig): Updater {
  return adamFamily('updaters/amsgrad', config, ['m', 'v', 'vHat'], (gradient, s) => {
    const m = movingAverage(s.state('m'), gradient, s.beta1);
    const v = movingAverageOfSquares(s.state('v'), gradient, s.beta2);
    const vHat = tf.maximum(s.state('vHat'), v);
    const alpha = adamAlpha(s);
    const update = tf.div(tf.mul(m, alpha), tf.add(tf.sqrt(vHat), s.epsilon));
    return { update, state: { m, v, vHat } };
  }, (s) => ({ rule: 'amsgrad', constants: [s.beta1, 1 - s.beta1, s.beta2, 1 - s.beta2, adamAlpha(s), s.epsilon] }));
}

/** Registry definition of {@link amsgrad}. */
export const amsgradDefinition: ComponentDefinition<'updater', Updater> = {
  kind: 'updater',
  key: 'updaters/amsgrad',
  contractVersion: UPDATER_CONTRACT_VERSION,
  provider: '@dl4ts/updaters',
  description: 'AMSGrad (Adam with a non-decreasing second moment)',
  create: amsgrad,
};
