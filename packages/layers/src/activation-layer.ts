import type * as tf from '@tensorflow/tfjs-core';
import { Dl4tsError, LAYER_CONTRACT_VERSION, optionNames } from '@dl4ts/core';
import type { Activation, BuildContext, ComponentDefinition, ForwardContext, Layer, LayerCommonOptions, ParamMap, LayerConfigOf, Shape } from '@dl4ts/core';

/** Options of an activation layer. */
export type ActivationLayerOptions = Pick<LayerCommonOptions, 'name' | 'activation' | 'dropout'>;

declare module '@dl4ts/core' {
  interface LayerConfigMap {
    'layers/activation': ActivationLayerOptions;
  }
}

/**
 * Activation layer (DL4J's ActivationLayer): `y = f(x)` element-wise (row-wise for softmax), no
 * parameters, output shape = input shape. `activation` comes from the layer, else the network
 * defaults, else identity.
 *
 * @example
 * ```ts
 * { type: 'layers/activation', activation: 'relu' }
 * ```
 */
export class ActivationLayer implements Layer {
  readonly key = 'layers/activation';
  private activation: Activation | undefined;

  constructor(readonly config: LayerConfigOf<ActivationLayerOptions>) {}

  build(inputShape: Shape, context: BuildContext): Shape {
    this.activation = context.activation(this.config.activation);
    return inputShape;
  }

  forward(input: tf.Tensor, _params: ParamMap, context: ForwardContext): tf.Tensor {
    if (this.activation === undefined) throw new Dl4tsError('DL4TS_NOT_BUILT', `Layer "${this.config.name}" (layers/activation) is not built yet: build it (Network.init) first`);
    return this.activation.apply(input, context);
  }
}

/** Registry definition of {@link ActivationLayer}. */
export const activationLayerDefinition: ComponentDefinition<'layer', ActivationLayer, LayerConfigOf<ActivationLayerOptions>> = {
  kind: 'layer',
  key: 'layers/activation',
  contractVersion: LAYER_CONTRACT_VERSION,
  provider: '@dl4ts/layers',
  description: 'Applies an activation, y = f(x); no parameters',
  options: optionNames<ActivationLayerOptions>({ name: true, activation: true, dropout: true }),
  create: (config) => new ActivationLayer(config),
};
