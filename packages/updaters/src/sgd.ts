import * as tf from '@tensorflow/tfjs-core';
import { UPDATER_CONTRACT_VERSION } from '@dl4ts/core';
import type { ComponentDefinition, ResolvedConfig, Updater } from '@dl4ts/core';
import { positive } from './options';

/** Options of {@link sgd}. */
export interface SgdOptions {
  /** Default 1e-3 (DL4J's). */
  learningRate?: number;
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
  const learningRate = positive(config, 'learningRate', 1e-3);
  return {
    key: 'updaters/sgd',
    config: { ...config, learningRate },
    initState: () => ({}),
    apply: (gradient, state) => ({ update: tf.mul(gradient, learningRate), state }),
  };
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
