import * as tf from '@tensorflow/tfjs-core';
import { UPDATER_CONTRACT_VERSION } from '@dl4ts/core';
import type { ComponentDefinition, ResolvedConfig, Updater, UpdaterStep } from '@dl4ts/core';
import { POSITIVE, onlyOptions, positive, scheduledOption } from './options';
import { scheduleValue } from './schedules';
import type { Scheduled } from './schedules';
import { stateTensor } from './state';
import { withFusedRule } from './fused-step';

/** Options of {@link adagrad}. */
export interface AdaGradOptions {
  /** A number or a schedule; default 0.1 (DL4J's). */
  learningRate?: Scheduled;
  /** Default 1e-6; also the initial value of the squared-gradient sum. */
  epsilon?: number;
}

declare module '@dl4ts/core' {
  interface UpdaterConfigMap {
    'updaters/adagrad': AdaGradOptions;
  }
}

/**
 * AdaGrad, DL4J's form (AdaGradUpdater). The sum of squared gradients `h` starts at `eps`:
 * `h' = h + g^2`, `update = lr g / (sqrt(h') + eps)`.
 *
 * @example
 * ```ts
 * defaults: { updater: { type: 'updaters/adagrad', learningRate: 0.05 } }
 * ```
 */
export function adagrad(config: ResolvedConfig): Updater {
  onlyOptions(config, ['learningRate', 'epsilon']);
  const key = 'updaters/adagrad';
  const learningRate = scheduledOption(config, 'learningRate', 0.1, POSITIVE);
  const epsilon = positive(config, 'epsilon', 1e-6);
  const learningRateAt = (step: UpdaterStep): number => scheduleValue(learningRate, step);
  const updater: Updater = {
    key,
    config: { ...config, learningRate, epsilon },
    initState: (param) => ({ h: tf.fill(param.shape, epsilon, 'float32') }),
    apply: (gradient, state, step) => {
      const h = tf.add(stateTensor(state, 'h', key), tf.square(gradient));
      const update = tf.div(tf.mul(gradient, learningRateAt(step)), tf.add(tf.sqrt(h), epsilon));
      return { update, state: { h } };
    },
    learningRateAt,
  };
  return withFusedRule(updater, (step) => ({ rule: 'adagrad', constants: [learningRateAt(step), epsilon], state: ['h'] }));
}

/** Registry definition of {@link adagrad}. */
export const adagradDefinition: ComponentDefinition<'updater', Updater> = {
  kind: 'updater',
  key: 'updaters/adagrad',
  contractVersion: UPDATER_CONTRACT_VERSION,
  provider: '@dl4ts/updaters',
  description: 'AdaGrad (per-weight rates from the sum of squared gradients)',
  create: adagrad,
};
