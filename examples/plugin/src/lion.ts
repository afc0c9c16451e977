import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, UPDATER_CONTRACT_VERSION } from '@dl4ts/core';
import type { ComponentDefinition, ResolvedConfig, Updater } from '@dl4ts/core';
import { numberOption, onlyOptions } from './options';

/** Options of `example/lion`. */
export interface LionOptions {
  /** Step size: every entry moves by exactly this much (or 0). Default 1e-4. */
  learningRate?: number;
  /** Weight of the momentum in the step's direction, in [0, 1). Default 0.9. */
  beta1?: number;
  /** Decay of the momentum itself, in [0, 1). Default 0.99. */
  beta2?: number;
}

declare module '@dl4ts/core' {
  interface UpdaterConfigMap {
    'example/lion': LionOptions;
  }
}

/** Registry key of {@link lion}. */
export const LION = 'example/lion';

/**
 * Lion (EvoLved Sign Momentum, Chen et al. 2023). With momentum `m` (initially 0) and gradient `g`:
 * `update = lr * sign(beta1 m + (1 - beta1) g)`, then `m' = beta2 m + (1 - beta2) g`; core applies
 * `w <- w - update`. One state tensor per parameter (`m`), saved and restored with the model.
 * Decoupled weight decay comes from core's `weightDecay` option, which uses `learningRateAt`.
 *
 * @example
 * ```ts
 * defaults: { updater: { type: 'example/lion', learningRate: 3e-3, beta1: 0.9, beta2: 0.99 } }
 * ```
 */
export function lion(config: ResolvedConfig): Updater {
  const owner = `Updater "${LION}"`;
  onlyOptions(owner, config, ['learningRate', 'beta1', 'beta2']);
  const learningRate = numberOption(owner, config, 'learningRate', 1e-4, (v) => v > 0, 'a finite number > 0');
  const beta1 = numberOption(owner, config, 'beta1', 0.9, (v) => v >= 0 && v < 1, 'a number in [0, 1)');
  const beta2 = numberOption(owner, config, 'beta2', 0.99, (v) => v >= 0 && v < 1, 'a number in [0, 1)');
  return {
    key: LION,
    config: { ...config, learningRate, beta1, beta2 },
    initState: (param) => ({ m: tf.zerosLike(param) }),
    apply: (gradient, state) => {
      const m = state.m;
      if (m === undefined) {
        throw new ConfigError(`${owner}: state has no "m" (keys: ${Object.keys(state).join(', ') || 'none'}); it must come from this updater's initState`);
      }
      const direction = tf.add(tf.mul(m, beta1), tf.mul(gradient, 1 - beta1));
      const update = tf.mul(tf.sign(direction), learningRate);
      const next = tf.add(tf.mul(m, beta2), tf.mul(gradient, 1 - beta2));
      return { update, state: { m: next } };
    },
    learningRateAt: () => learningRate,
  };
}

/** Registry definition of {@link lion}. */
export const lionDefinition: ComponentDefinition<'updater', Updater> = {
  kind: 'updater',
  key: LION,
  contractVersion: UPDATER_CONTRACT_VERSION,
  provider: '@dl4ts/example-plugin',
  description: 'Lion: sign of interpolated momentum, one state tensor',
  create: lion,
};
