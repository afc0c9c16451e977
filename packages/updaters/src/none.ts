import * as tf from '@tensorflow/tfjs-core';
import { UPDATER_CONTRACT_VERSION } from '@dl4ts/core';
import type { ComponentDefinition, ResolvedConfig, Updater } from '@dl4ts/core';
import { onlyOptions } from './options';

/** `updaters/none` takes no options. */
export type NoneOptions = Record<never, never>;

declare module '@dl4ts/core' {
  interface UpdaterConfigMap {
    'updaters/none': NoneOptions;
  }
}

/**
 * No updater (DL4J's NoOp, `Updater.NONE`): the gradient is used unchanged, `update = g`, i.e. a
 * plain gradient step of size 1 with no learning rate, momentum or state. DL4J uses it where the
 * gradient is already the step (and for frozen layers, whose gradients are zero). Stateless.
 *
 * @example
 * ```ts
 * layers: [{ type: 'layers/dense', nOut: 64, updater: 'none' }] // w <- w - g
 * ```
 */
export function none(config: ResolvedConfig): Updater {
  onlyOptions(config, []);
  return {
    key: 'updaters/none',
    config: { ...config },
    initState: () => ({}),
    apply: (gradient, state) => ({ update: tf.clone(gradient), state }),
  };
}

/** Registry definition of {@link none}. */
export const noneDefinition: ComponentDefinition<'updater', Updater> = {
  kind: 'updater',
  key: 'updaters/none',
  contractVersion: UPDATER_CONTRACT_VERSION,
  provider: '@dl4ts/updaters',
  description: 'No updater: the raw gradient is the update (NoOp)',
  create: none,
};
