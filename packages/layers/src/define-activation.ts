import type * as tf from '@tensorflow/tfjs-core';
import { ACTIVATION_CONTRACT_VERSION } from '@dl4ts/core';
import type { Activation, ActivationContext, ComponentDefinition, ResolvedConfig } from '@dl4ts/core';
import { checkKnownOptions } from './options';

/** The math of an activation, its options already read and checked. */
export type Forward = (x: tf.Tensor, context: ActivationContext) => tf.Tensor;

/**
 * Defines an activation. `build` reads and checks the options once, when the registry creates the
 * activation (so a bad config fails at network build, not at the first batch), and returns the
 * forward function. Gradients come from tfjs autodiff. Options other than `options` are rejected.
 *
 * @example
 * ```ts
 * defineActivation('my-plugin/scaled-tanh', 'f(x) = a tanh(x)', ['a'], (config, owner) => {
 *   const a = numberOption(owner, config, 'a', 1);
 *   return (x) => tf.mul(tf.tanh(x), a);
 * });
 * ```
 */
export function defineActivation(
  key: string,
  description: string,
  options: readonly string[],
  build: (config: ResolvedConfig, owner: string) => Forward,
): ComponentDefinition<'activation', Activation> {
  return {
    kind: 'activation',
    key,
    contractVersion: ACTIVATION_CONTRACT_VERSION,
    provider: '@dl4ts/layers',
    description,
    create: (config) => {
      const owner = `Activation "${key}"`;
      checkKnownOptions(owner, config, options);
      const forward = build(config, owner);
      return { key, config, apply: forward };
    },
  };
}

/** An activation without options. */
export function fixedActivation(key: string, description: string, forward: Forward): ComponentDefinition<'activation', Activation> {
  return defineActivation(key, description, [], () => forward);
}
