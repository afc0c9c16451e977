import * as tf from '@tensorflow/tfjs-core';
import { ACTIVATION_CONTRACT_VERSION } from '@dl4ts/core';
import type { Activation, ComponentDefinition, ResolvedConfig } from '@dl4ts/core';
import { numberOption, onlyOptions } from './options';

/** Options of `example/beta-swish`. */
export interface BetaSwishOptions {
  /** Sharpness of the gate: 0 gives `x / 2`, large values approach relu. Default 1 (plain swish). */
  beta?: number;
}

declare module '@dl4ts/core' {
  interface ActivationConfigMap {
    'example/beta-swish': BetaSwishOptions;
  }
}

/** Registry key of {@link betaSwish}. */
export const BETA_SWISH = 'example/beta-swish';

/**
 * Swish with a sharpness parameter: `f(x) = x * sigmoid(beta x)`, with the hand-written gradient
 * `f'(x) = s + beta x s (1 - s)`, `s = sigmoid(beta x)`, which reuses `s` from the forward pass.
 *
 * @example
 * ```ts
 * { type: 'example/gated-dense', nOut: 16, activation: { type: 'example/beta-swish', beta: 1.5 } }
 * ```
 */
export function betaSwish(config: ResolvedConfig): Activation {
  const owner = `Activation "${BETA_SWISH}"`;
  onlyOptions(owner, config, ['beta']);
  const beta = numberOption(owner, config, 'beta', 1);
  // A custom gradient shows the contract's escape hatch from autodiff: the rule for the gradient
  // sits right under the rule for the value.
  const swish = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const s = tf.sigmoid(tf.mul(input, beta));
    save([input, s]);
    return {
      value: tf.mul(input, s),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ss] = saved as [tf.Tensor, tf.Tensor];
        return tf.mul(dy, tf.add(ss, tf.mul(tf.mul(xs, beta), tf.mul(ss, tf.sub(1, ss)))));
      },
    };
  });
  return { key: BETA_SWISH, config: { ...config, beta }, apply: (x) => swish(x) };
}

/** Registry definition of {@link betaSwish}. */
export const betaSwishDefinition: ComponentDefinition<'activation', Activation> = {
  kind: 'activation',
  key: BETA_SWISH,
  contractVersion: ACTIVATION_CONTRACT_VERSION,
  provider: '@dl4ts/example-plugin',
  description: 'Swish with sharpness beta, x * sigmoid(beta x)',
  create: betaSwish,
};
