import * as tf from '@tensorflow/tfjs-core';
import { UPDATER_CONTRACT_VERSION } from '@dl4ts/core';
import type { ComponentDefinition, ResolvedConfig, Updater } from '@dl4ts/core';
import { inRange, positive } from './options';

/** Options of {@link nesterovs}. */
export interface NesterovsOptions {
  /** Default 0.1 (DL4J's). */
  learningRate?: number;
  /** Default 0.9. */
  momentum?: number;
}

declare module '@dl4ts/core' {
  interface UpdaterConfigMap {
    'updaters/nesterovs': NesterovsOptions;
  }
}

/**
 * Nesterov momentum, DL4J's form. With velocity `v` (initially 0):
 * `v' = mu v - lr g`, `update = mu v - (1 + mu) v'`, and `w <- w - update`.
 *
 * @example
 * ```ts
 * defaults: { updater: { type: 'updaters/nesterovs', learningRate: 0.006, momentum: 0.9 } }
 * ```
 */
export function nesterovs(config: ResolvedConfig): Updater {
  const learningRate = positive(config, 'learningRate', 0.1);
  const momentum = inRange(config, 'momentum', 0.9, 0, 1);
  return {
    key: 'updaters/nesterovs',
    config: { ...config, learningRate, momentum },
    initState: (param) => ({ v: tf.zerosLike(param) }),
    apply: (gradient, state) => {
      const decayed = tf.mul(state.v as tf.Tensor, momentum);
      const next = tf.sub(decayed, tf.mul(gradient, learningRate));
      const update = tf.sub(decayed, tf.mul(next, 1 + momentum));
      return { update, state: { v: next } };
    },
  };
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
