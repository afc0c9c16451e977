import * as tf from '@tensorflow/tfjs-core';
import { UPDATER_CONTRACT_VERSION } from '@dl4ts/core';
import type { ComponentDefinition, ResolvedConfig, Updater, UpdaterStep } from '@dl4ts/core';
import { POSITIVE, inRange, onlyOptions, positive, scheduledOption } from './options';
import { scheduleValue } from './schedules';
import type { Scheduled } from './schedules';
import { guardedStepSize, movingAverage, movingAverageOfSquares, stateTensor } from './state';

/** Options of {@link amsgrad}. */
export interface AmsGradOptions {
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
  onlyOptions(config, ['learningRate', 'beta1', 'beta2', 'epsilon']);
  const key = 'updaters/amsgrad';
  const learningRate = scheduledOption(config, 'learningRate', 1e-3, POSITIVE);
  const beta1 = inRange(config, 'beta1', 0.9, 0, 1);
  const beta2 = inRange(config, 'beta2', 0.999, 0, 1);
  const epsilon = positive(config, 'epsilon', 1e-8);
  const learningRateAt = (step: UpdaterStep): number => scheduleValue(learningRate, step);
  return {
    key,
    config: { ...config, learningRate, beta1, beta2, epsilon },
    initState: (param) => ({ m: tf.zerosLike(param), v: tf.zerosLike(param), vHat: tf.zerosLike(param) }),
    apply: (gradient, state, step) => {
      const m = movingAverage(stateTensor(state, 'm', key), gradient, beta1);
      const v = movingAverageOfSquares(stateTensor(state, 'v', key), gradient, beta2);
      const vHat = tf.maximum(stateTensor(state, 'vHat', key), v);
      const t = step.iteration + 1;
      const alpha = guardedStepSize((learningRateAt(step) * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t), epsilon);
      const update = tf.div(tf.mul(m, alpha), tf.add(tf.sqrt(vHat), epsilon));
      return { update, state: { m, v, vHat } };
    },
    learningRateAt,
  };
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
