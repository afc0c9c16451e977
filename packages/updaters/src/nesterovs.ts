import * as tf from '@tensorflow/tfjs-core';
import { UPDATER_CONTRACT_VERSION } from '@dl4ts/core';
import type { ComponentDefinition, ResolvedConfig, Updater, UpdaterStep } from '@dl4ts/core';
import { POSITIVE, onlyOptions, range, scheduledOption } from './options';
import { scheduleValue } from './schedules';
import type { Scheduled } from './schedules';
import { stateTensor } from './state';
import { withFusedRule } from './fused-step';

/** Options of {@link nesterovs}. */
export interface NesterovsOptions {
  /** A number or a schedule; default 0.1 (DL4J's). */
  learningRate?: Scheduled;
  /** A number in [0, 1) or a schedule (DL4J's momentumSchedule); default 0.9. */
  momentum?: Scheduled;
}

declare module '@dl4ts/core' {
  interface UpdaterConfigMap {
    'updaters/nesterovs': NesterovsOptions;
  }
}

/**
 * Nesterov momentum, DL4J's form. With velocity `v` (initially 0) and `lr`, `mu` taken at this
 * step when scheduled: `v' = mu v - lr g`, `update = mu v - (1 + mu) v'`, and `w <- w - update`.
 *
 * @example
 * ```ts
 * defaults: { updater: { type: 'updaters/nesterovs', learningRate: 0.006, momentum: 0.9 } }
 * ```
 */
export function nesterovs(config: ResolvedConfig): Updater {
  onlyOptions(config, ['learningRate', 'momentum']);
  const key = 'updaters/nesterovs';
  const learningRate = scheduledOption(config, 'learningRate', 0.1, POSITIVE);
  const momentum = scheduledOption(config, 'momentum', 0.9, range(0, 1));
  const learningRateAt = (step: UpdaterStep): number => scheduleValue(learningRate, step);
  const updater: Updater = {
    key,
    config: { ...config, learningRate, momentum },
    initState: (param) => ({ v: tf.zerosLike(param) }),
    apply: (gradient, state, step) => {
      const mu = scheduleValue(momentum, step);
      const decayed = tf.mul(stateTensor(state, 'v', key), mu);
      const next = tf.sub(decayed, tf.mul(gradient, learningRateAt(step)));
      const update = tf.sub(decayed, tf.mul(next, 1 + mu));
      return { update, state: { v: next } };
    },
    learningRateAt,
  };
  return withFusedRule(updater, (step) => {
    const mu = scheduleValue(momentum, step);
    return { rule: 'nesterovs', constants: [learningRateAt(step), mu, 1 + mu], state: ['v'] };
  });
}

/** Registry definition of {@link nesterovs}. */
export const nesterovsDefinition: ComponentDefinition<'updater', Updater> = {
  kind: 'updater',
  key: 'updaters/nesterovs',
  contractVersion: UPDATER_CONTRACT_VERSION,
  provider: '@dl4ts/updaters',
  description: 'Nesterov momentum',
  create: nesterovs,
};
