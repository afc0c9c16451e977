import * as tf from '@tensorflow/tfjs-core';
import { UPDATER_CONTRACT_VERSION } from '@dl4ts/core';
import type { ComponentDefinition, ResolvedConfig, Updater } from '@dl4ts/core';
import { adamFamily } from './adam-family';
import type { AdamFamilyOptions } from './adam-family';
import { movingAverageOfSquares } from './state';

/** Options of {@link nadam}: learning rate (or schedule), beta1, beta2, epsilon. */
export type NadamOptions = AdamFamilyOptions;

declare module '@dl4ts/core' {
  interface UpdaterConfigMap {
    'updaters/nadam': NadamOptions;
  }
}

/**
 * Nadam, DL4J's form (NadamUpdater): Adam with a Nesterov look-ahead on the mean and, as in DL4J,
 * no bias correction of `v`. With `t = iteration + 1`: `m' = b1 m + (1 - b1) g`,
 * `v' = b2 v + (1 - b2) g^2`, `update = lr (b1 m' + (1 - b1) g) / (1 - b1^t) / (sqrt(v') + eps)`.
 *
 * @example
 * ```ts
 * defaults: { updater: { type: 'updaters/nadam', learningRate: 1e-3 } }
 * ```
 */
export function nadam(config: ResolvedConfig): Updater {
  return adamFamily('updaters/nadam', config, ['m', 'v'], (gradient, s) => {
    // (1 - b1) g appears in both m' and the look-ahead: computed once.
    const scaled = tf.mul(gradient, 1 - s.beta1);
    const m = tf.add(tf.mul(s.state('m'), s.beta1), scaled);
    const v = movingAverageOfSquares(s.state('v'), gradient, s.beta2);
    const scale = s.learningRate / (1 - s.beta1 ** s.t);
    const update = tf.div(tf.mul(tf.add(tf.mul(m, s.beta1), scaled), scale), tf.add(tf.sqrt(v), s.epsilon));
    return { update, state: { m, v } };
  }, (s) => ({ rule: 'nadam', constants: [s.beta1, 1 - s.beta1, s.beta2, 1 - s.beta2, s.learningRate / (1 - s.beta1 ** s.t), s.epsilon] }));
}

/** Registry definition of {@link nadam}. */
export const nadamDefinition: ComponentDefinition<'updater', Updater> = {
  kind: 'updater',
  key: 'updaters/nadam',
  contractVersion: UPDATER_CONTRACT_VERSION,
  provider: '@dl4ts/updaters',
  description: 'Nadam (Adam with Nesterov momentum)',
  create: nadam,
};
