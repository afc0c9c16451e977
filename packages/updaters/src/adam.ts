import * as tf from '@tensorflow/tfjs-core';
import { UPDATER_CONTRACT_VERSION } from '@dl4ts/core';
import type { ComponentDefinition, ResolvedConfig, Updater } from '@dl4ts/core';
import { adamAlpha, adamFamily } from './adam-family';
import type { AdamFamilyOptions } from './adam-family';
import { movingAverage, movingAverageOfSquares } from './state';

/** Options of {@link adam}: learning rate (or schedule), beta1, beta2, epsilon. */
export type AdamOptions = AdamFamilyOptions;

declare module '@dl4ts/core' {
  interface UpdaterConfigMap {
    'updaters/adam': AdamOptions;
  }
}

/**
 * Adam, DL4J's form (AdamUpdater). With `t = iteration + 1` and `m`, `v` starting at 0:
 * `m' = b1 m + (1 - b1) g`, `v' = b2 v + (1 - b2) g^2`,
 * `update = lr sqrt(1 - b2^t) / (1 - b1^t) * m' / (sqrt(v') + eps)`.
 *
 * @example
 * ```ts
 * defaults: { updater: { type: 'updaters/adam', learningRate: 1e-3 } }
 * ```
 */
export function adam(config: ResolvedConfig): Updater {
  return adamFamily('updaters/adam', config, ['m', 'v'], (gradient, s) => {
    const m = movingAverage(s.state('m'), gradient, s.beta1);
    const v = movingAverageOfSquares(s.state('v'), gradient, s.beta2);
    const alpha = adamAlpha(s);
    const update = tf.div(tf.mul(m, alpha), tf.add(tf.sqrt(v), s.epsilon));
    return { update, state: { m, v } };
  }, (s) => ({ rule: 'adam', constants: [s.beta1, 1 - s.beta1, s.beta2, 1 - s.beta2, adamAlpha(s), s.epsilon] }));
}

/** Registry definition of {@link adam}. */
export const adamDefinition: ComponentDefinition<'updater', Updater> = {
  kind: 'updater',
  key: 'updaters/adam',
  contractVersion: UPDATER_CONTRACT_VERSION,
  provider: '@dl4ts/updaters',
  description: 'Adam (bias-corrected moment estimates)',
  create: adam,
};
