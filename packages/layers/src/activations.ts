import * as tf from '@tensorflow/tfjs-core';
import { ACTIVATION_CONTRACT_VERSION } from '@dl4ts/core';
import type { Activation, ActivationContext, ComponentDefinition, ResolvedConfig } from '@dl4ts/core';

declare module '@dl4ts/core' {
  interface ActivationConfigMap {
    'layers/identity': Record<string, never>;
    'layers/sigmoid': Record<string, never>;
    'layers/tanh': Record<string, never>;
    'layers/relu': Record<string, never>;
    'layers/softmax': Record<string, never>;
  }
}

type Forward = (x: tf.Tensor, config: ResolvedConfig, context: ActivationContext) => tf.Tensor;

/** Defines an activation from its forward function; gradients come from tfjs autodiff. */
function activation(key: string, description: string, forward: Forward): ComponentDefinition<'activation', Activation> {
  return {
    kind: 'activation',
    key,
    contractVersion: ACTIVATION_CONTRACT_VERSION,
    provider: '@dl4ts/layers',
    description,
    create: (config) => ({ key, config, apply: (x, context) => forward(x, config, context) }),
  };
}

/**
 * The activation functions, DL4J's names. Each is `f(x)`, element-wise unless stated.
 *
 * - identity: `x`
 * - sigmoid: `1 / (1 + e^-x)`
 * - tanh: `tanh(x)`
 * - relu: `max(0, x)`
 * - softmax (row-wise): `e^x_i / sum_j e^x_j`
 */
export const activationDefinitions: readonly ComponentDefinition<'activation', Activation>[] = [
  activation('layers/identity', 'f(x) = x', (x) => x),
  activation('layers/sigmoid', 'f(x) = 1 / (1 + exp(-x))', (x) => tf.sigmoid(x)),
  activation('layers/tanh', 'f(x) = tanh(x)', (x) => tf.tanh(x)),
  activation('layers/relu', 'f(x) = max(0, x)', (x) => tf.relu(x)),
  activation('layers/softmax', 'f(x)_i = exp(x_i) / sum_j exp(x_j), over the last axis', (x) => tf.softmax(x)),
];
