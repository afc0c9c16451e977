import * as tf from '@tensorflow/tfjs-core';
import { UPDATER_CONTRACT_VERSION } from '@dl4ts/core';
import type { ComponentDefinition, ResolvedConfig, Updater, UpdaterStep } from '@dl4ts/core';
import { POSITIVE, inRange, onlyOptions, positive, scheduledOption } from './options';
import { scheduleValue } from './schedules';
import type { Scheduled } from './schedules';
import { movingAverageOfSquares, stateTensor } from './state';
import { withFusedRule } from './fused-step';

/** Options of {@link rmsprop}. */
export interface RmsPropOptions {
  /** A number or a schedule; default 0.1 (DL4J's). */
  learningRate?: Scheduled;
  /** Decay of the squared-gradient mean, in [0, 1); default 0.95. */
  rmsDecay?: number;
  /** Default 1e-8; also the initial value of the squared-gradient mean. */
  epsilon?: number;
}

declare module '@dl4ts/core' {
  interface UpdaterConfigMap {
    'updaters/rmsprop': RmsPropOptions;
  }
}

/**
 * RMSProp, DL4J's form (RmsPropUpdater). The mean of squared gradients `s` starts at `eps`:
 * `s' = d s + (1 - d) g^2`, `update = lr g / (sqrt(s') + eps)` with `d = rmsDecay`.
 *
 * @example
 * ```ts
 * defaults: { updater: { type: 'updaters/rmsprop', learningRate: 1e-3, rmsDecay: 0.9 } }
 * ```
 */
export function rmsprop(config: ResolvedConfig): Updater {
  onlyOptions(config, ['learningRate', 'rmsDecay', 'epsilon']);
  const key = 'updaters/rmsprop';
  const learningRate = scheduledOption(config, 'learningRate', 0.1, POSITIVE);
  const rmsDecay = inRange(config, 'rmsDecay', 0.95, 0, 1);
  const epsilon = positive(config, 'epsilon', 1e-8);
  const learningRateAt = (step: UpdaterStep): number => scheduleValue(learningRate, step);
  const updater: Updater = {
    key,
    config: { ...config, learningRate, rmsDecay, epsilon },
    initState: (param) => ({ s: tf.fill(param.shape, epsilon, 'float32') }),
    apply: (gradient, state, step) => {
      const s = movingAverageOfSquares(stateTensor(state, 's', key), gradient, rmsDecay);
      const update = tf.div(tf.mul(gradient, learningRateAt(step)), tf.add(tf.sqrt(s), epsilon));
      return { update, state: { s } };
    },
    learningRateAt,
  };
  return withFusedRule(updater, (step) => ({ rule: 'rmsprop', constants: [learningRateAt(step), rmsDecay, 1 - rmsDecay, epsilon], state: ['s'] }));
}

/** Registry definition of {@link rmsprop}. */
export const rmspropDefinition: ComponentDefinition<'updater', Updater> = {
  kind: 'updater',
  key: 'updaters/rmsprop',
  contractVersion: UPDATER_CONTRACT_VERSION,
  provider: '@dl4ts/updaters',
  description: 'RMSProp (rates from a moving mean of squared gradients)',
  create: rmsprop,
};
