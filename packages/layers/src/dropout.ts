import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, LAYER_CONTRACT_VERSION, optionNames } from '@dl4ts/core';
import type { ComponentDefinition, Layer, LayerCommonOptions, LayerConfigOf, Shape } from '@dl4ts/core';

/** Options of a dropout layer. */
export interface DropoutOptions extends Pick<LayerCommonOptions, 'name'> {
  /**
   * Probability of *retaining* each input value, DL4J's convention (0.8 drops 20%), in (0, 1].
   * Required at build: set it on the layer or in the network's `defaults`.
   */
  dropout?: number;
}

declare module '@dl4ts/core' {
  interface LayerConfigMap {
    'layers/dropout': DropoutOptions;
  }
}

/**
 * Dropout layer (DL4J's DropoutLayer): an identity layer that exists to carry a `dropout`.
 *
 * Core already applies every layer's `dropout` to that layer's input in training (inverted
 * dropout: each value kept with probability p and scaled by 1/p, the mask drawn from the network's
 * seeded generator), so this layer's forward is the identity and it has no parameters. In
 * inference it passes its input through unchanged. Any input shape is accepted and returned.
 *
 * @example
 * ```ts
 * { type: 'layers/dropout', dropout: 0.5 } // drops half of the previous layer's outputs in training
 * ```
 */
export class Dropout implements Layer {
  readonly key = 'layers/dropout';

  constructor(readonly config: LayerConfigOf<DropoutOptions>) {
    // Range checks (0 < p <= 1) are core's, done for every layer; here only presence is checked.
    if (config.dropout === undefined) {
      throw new ConfigError(
        `Layer "${config.name}" (layers/dropout): dropout (the probability of retaining an input, in (0, 1]) is required, received undefined; set it on the layer or in the network defaults`,
      );
    }
  }

  build(inputShape: Shape): Shape {
    return inputShape;
  }

  forward(input: tf.Tensor): tf.Tensor {
    // A new handle on the same data, so that callers disposing every layer output (feedForward)
    // never dispose the caller's input.
    return tf.clone(input);
  }
}

/** Registry definition of {@link Dropout}. */
export const dropoutDefinition: ComponentDefinition<'layer', Dropout, LayerConfigOf<DropoutOptions>> = {
  kind: 'layer',
  key: 'layers/dropout',
  contractVersion: LAYER_CONTRACT_VERSION,
  provider: '@dl4ts/layers',
  description: 'Identity layer carrying a dropout (retain probability) applied to its input in training',
  options: optionNames<DropoutOptions>({ name: true, dropout: true }),
  create: (config) => new Dropout(config),
};
