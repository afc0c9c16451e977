import * as tf from '@tensorflow/tfjs-core';
import { UPDATER_CONTRACT_VERSION } from '@dl4ts/core';
import type { ComponentDefinition, ResolvedConfig, Updater, UpdaterStep } from '@dl4ts/core';
import { POSITIVE, inRange, onlyOptions, positive, scheduledOption } from './options';
import { scheduleValue } from './schedules';
import type { Scheduled } from './schedules';
import { guardedStepSize, movingAverage, stateTensor } from './state';

/** Options of {@link adamax}. */
export interface AdaMaxOptions {
  /** A number or a schedule; default 1e-3 (DL4J's). */
  learningRate?: Scheduled;
  /** In [0, 1); default 0.9. */
  beta1?: number;
  /** In [0, 1); default 0.999. */
  beta2?: number;
  /** Only replaces a degenerate step size (DL4J's guard); default 1e-8. */
  epsilon?: number;
}

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
 *
 * @example
 * ```ts
 * defaults: { updater: { type: 'updaters/adamax', learningRate: 2e-3 } }
 * ```
 */
export function adamax(config: ResolvedConfig): Updater {
  onlyOptions(config, ['learningRate', 'beta1', 'beta2', 'epsilon']);
  const key = 'updaters/adamax';
  const learningRate = scheduledOption(config, 'learningRate', 1e-3, POSITIVE);
  const beta1 = inRange(config, 'beta1', 0.9, 0, 1);
  const beta2 = inRange(config, 'beta2', 0.999, 0, 1);
  const epsilon = positive(config, 'epsilon', 1e-8);
  const learningRateAt = (step: UpdaterStep): number => scheduleValue(learningRate, step);
  return {
    key,
    config: { ...config, learningRate, beta1, beta2, epsilon },
    initState: (param) => ({ m: tf.zerosLike(param), u: tf.zerosLike(param) }),
    apply: (gradient, state, step) => {
      const m = movingAverage(stateTensor(state, 'm', key), gradient, beta1);
      const u = tf.add(tf.maximum(tf.mul(stateTensor(state, 'u', key), beta2), tf.abs(gradient)), TINY);
      const alpha = guardedStepSize(learningRateAt(step) / (1 - beta1 ** (step.iteration + 1)), epsilon);
      const update = tf.div(tf.mul(m, alpha), u);
      return { update, state: { m, u } };
    },
    learningRateAt,
  };
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
