import * as tf from '@tensorflow/tfjs-core';
import { UPDATER_CONTRACT_VERSION } from '@dl4ts/core';
import type { ComponentDefinition, ResolvedConfig, Updater } from '@dl4ts/core';
import { inRange, onlyOptions, positive } from './options';
import { movingAverageOfSquares, stateTensor } from './state';
import { withFusedRule } from './fused-step';

/** Options of {@link adadelta}. AdaDelta has no learning rate. */
export interface AdaDeltaOptions {
  /** Decay of both running means, in [0, 1); default 0.95 (DL4J's). */
  rho?: number;
  /** Default 1e-6. */
  epsilon?: number;
}

declare module '@dl4ts/core' {
  interface UpdaterConfigMap {
    'updaters/adadelta': AdaDeltaOptions;
  }
}

/**
 * AdaDelta, DL4J's form (AdaDeltaUpdater; Zeiler 2012, algorithm 1). With running means `msg`
 * (of g^2) and `msdx` (of updates^2), both starting at 0:
 * `msg' = rho msg + (1 - rho) g^2`, `update = g sqrt(msdx + eps) / sqrt(msg' + eps)`,
 * `msdx' = rho msdx + (1 - rho) update^2`.
 *
 * @example
 * ```ts
 * defaults: { updater: { type: 'updaters/adadelta', rho: 0.95 } }
 * ```
 */
export function adadelta(config: ResolvedConfig): Updater {
  onlyOptions(config, ['rho', 'epsilon']);
  const key = 'updaters/adadelta';
  const rho = inRange(config, 'rho', 0.95, 0, 1);
  const epsilon = positive(config, 'epsilon', 1e-6);
  const updater: Updater = {
    key,
    config: { ...config, rho, epsilon },
    initState: (param) => ({ msg: tf.zerosLike(param), msdx: tf.zerosLike(param) }),
    apply: (gradient, state) => {
      const msdx = stateTensor(state, 'msdx', key);
      const msg = movingAverageOfSquares(stateTensor(state, 'msg', key), gradient, rho);
      // One sqrt of the ratio instead of two square roots and a division.
      const update = tf.mul(gradient, tf.sqrt(tf.div(tf.add(msdx, epsilon), tf.add(msg, epsilon))));
      return { update, state: { msg, msdx: movingAverageOfSquares(msdx, update, rho) } };
    },
  };
  return withFusedRule(updater, () => ({ rule: 'adadelta', constants: [rho, 1 - rho, epsilon], state: ['msg', 'msdx'] }));
}

/** Registry definition of {@link adadelta}. */
export const adadeltaDefinition: ComponentDefinition<'updater', Updater> = {
  kind: 'updater',
  key: 'updaters/adadelta',
  contractVersion: UPDATER_CONTRACT_VERSION,
  provider: '@dl4ts/updaters',
  description: 'AdaDelta (no learning rate; ratio of running RMS values)',
  create: adadelta,
};
