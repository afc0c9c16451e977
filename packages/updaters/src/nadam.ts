import * as tf from '@tensorflow/tfjs-core';
import { UPDATER_CONTRACT_VERSION } from '@dl4ts/core';
import type { ComponentDefinition, ResolvedConfig, Updater, UpdaterStep } from '@dl4ts/core';
import { POSITIVE, inRange, onlyOptions, positive, scheduledOption } from './options';
import { scheduleValue } from './schedules';
import type { Scheduled } from './schedules';
import { movingAverageOfSquares, stateTensor } from './state';

/** Options of {@link nadam}. */
export interface NadamOptions {
  /** A number or a schedule; default 1e-3 (DL4J's). */
  learningRate?: Scheduled;
  /** In [0, 1); default 0.9. */
  beta1?: number;
  /** In [0, 1); default 0.999. */
  beta2?: number;
  /** Default 1e-8. */
  epsilon?: number;
}

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
  onlyOptions(config, ['learningRate', 'beta1', 'beta2', 'epsilon']);
  const key = 'updaters/nadam';
  const learningRate = scheduledOption(config, 'learningRate', 1e-3, POSITIVE);
  const beta1 = inRange(config, 'beta1', 0.9, 0, 1);
  const beta2 = inRange(config, 'beta2', 0.999, 0, 1);
  const epsilon = positive(config, 'epsilon', 1e-8);
  const learningRateAt = (step: UpdaterStep): number => scheduleValue(learningRate, step);
  return {
    key,
    config: { ...config, learningRate, beta1, beta2, epsilon },
    initState: (param) => ({ m: tf.zerosLike(param), v: tf.zerosLike(param) }),
    apply: (gradient, state, step) => {
      // (1 - b1) g appears in both m' and the look-ahead: computed once.
      const scaled = tf.mul(gradient, 1 - beta1);
      const m = tf.add(tf.mul(stateTensor(state, 'm', key), beta1), scaled);
      const v = movingAverageOfSquares(stateTensor(state, 'v', key), gradient, beta2);
      const scale = learningRateAt(step) / (1 - beta1 ** (step.iteration + 1));
      const update = tf.div(tf.mul(tf.add(tf.mul(m, beta1), scaled), scale), tf.add(tf.sqrt(v), epsilon));
      return { update, state: { m, v } };
    },
    learningRateAt,
  };
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
