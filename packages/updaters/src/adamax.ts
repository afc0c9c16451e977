import * as tf from '@tensorflow/tfjs-core';
import { UPDATER_CONTRACT_VERSION } from '@dl4ts/core';
import type { ComponentDefinition, ResolvedConfig, Updater } from '@dl4ts/core';
import { adamFamily } from './adam-family';
import type { AdamFamilyOptions } from './adam-family';
import { guardedStepSize, movingAverage } from './state';

/** Options of {@link adamax}: learning rate (or schedule), beta1, beta2, epsilon. */
export type AdaMaxOptions = AdamFamilyOptions;

declare module '@dl4ts/core' {
  interface UpdaterConfigMap {
    'updaters/adamax': AdaMaxOptions;
  }
}

/** DL4J adds this to `u` (in its state) so that `m / u` is never 0 / 0. */
const TINY = 1e-32;

/**
 * AdaMax, DL4J's form (AdaMaxUpdater): Adam with an infinity norm. With `t = iteration + 1`:
 * `m' = b1 m + (1 - b1) g`, `u' = max(b2 u, |g|) + 1e-32`, `update = lr / (1 - b1^t) * m' / u'`.
 * Here `epsilon` only replaces a degenerate step size (DL4J's guard).
 *
 * @example
 * ```ts
 * defaults: { updater: { type: 'updaters/adamax', learningRate: 2e-3 } }
 * ```
 */
export function adamax(config: ResolvedConfig): Updater {
  return adamFamily('updaters/adamax', config, ['m', 'u'], (gradient, s) => {
    const m = movingAverage(s.state('m'), gradient, s.beta1);
    const u = tf.add(tf.maximum(tf.mul(s.state('u'), s.beta2), tf.abs(gradient)), TINY);
    const alpha = guardedStepSize(s.learningRate / (1 - s.beta1 ** s.t), s.epsilon);
    const update = tf.div(tf.mul(m, alpha), u);
    return { update, state: { m, u } };
  }, (s) => ({ rule: 'adamax', constants: [s.beta1, 1 - s.beta1, s.beta2, guardedStepSize(s.learningRate / (1 - s.beta1 ** s.t), s.epsilon), TINY] }));
}

/** Registry definition of {@link adamax}. */
export const adamaxDefinition: ComponentDefinition<'updater', Updater> = {
  kind: 'updater',
  key: 'updaters/adamax',
  contractVersion: UPDATER_CONTRACT_VERSION,
  provider: '@dl4ts/updaters',
  description: 'AdaMax (Adam with the infinity norm)',
  create: adamax,
};
