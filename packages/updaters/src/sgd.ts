import * as tf from '@tensorflow/tfjs-core';
import { UPDATER_CONTRACT_VERSION } from '@dl4ts/core';
import type { ComponentDefinition, ResolvedConfig, Updater, UpdaterStep } from '@dl4ts/core';
import { POSITIVE, onlyOptions, scheduledOption } from './options';
import { scheduleValue } from './schedules';
import type { Scheduled } from './schedules';
import { withFusedRule } from './fused-step';

/** Options of {@link sgd}. */
export interface SgdOptions {
  /** A number or a schedule; default 1e-3 (DL4J's). */
  learningRate?: Scheduled;
}

declare module '@dl4ts/core' {
  interface UpdaterConfigMap {
    'updaters/sgd': SgdOptions;
  }
}

/**
 * Plain stochastic gradient descent: `update = lr * g`, so `w <- w - lr * g`.
 *
 * @example
 * ```ts
 * defaults: { updater: { type: 'updaters/sgd', learningRate: 0.1 } }
 * ```
 */
export function sgd(config: ResolvedConfig): Updater {
  onlyOptions(config, ['learningRate']);
  const learningRate = scheduledOption(config, 'learningRate', 1e-3, POSITIVE);
  const learningRateAt = (step: UpdaterStep): number => scheduleValue(learningRate, step);
  const updater: Updater = {
    key: 'updaters/sgd',
    config: { ...config, learningRate },
    initState: () => ({}),
    apply: (gradient, state, step) => ({ update: tf.mul(gradient, learningRateAt(step)), state }),
    learningRateAt,
  };
  return withFusedRule(updater, (step) => ({ rule: 'sgd', constants: [learningRateAt(step)], state: [] }));
}

/** Registry definition of {@link sgd}. */
export const sgdDefinition: ComponentDefinition<'updater', Updater> = {
  kind: 'updater',
  key: 'updaters/sgd',
  contractVersion: UPDATER_CONTRACT_VERSION,
  provider: '@dl4ts/updaters',
  description: 'Stochastic gradient descent',
  create: sgd,
};
