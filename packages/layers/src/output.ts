import type * as tf from '@tensorflow/tfjs-core';
import { Dl4tsError, LAYER_COMMON_OPTIONS, LAYER_CONTRACT_VERSION, optionNames } from '@dl4ts/core';
import type { Activation, BuildContext, ComponentDefinition, ComponentRef, ForwardContext, Loss, OutputLayer, ParamMap, Shape, LayerConfigOf } from '@dl4ts/core';
import type { DenseOptions } from './dense';
import { FUSED_ACTIVATIONS, checkDenseShape, declareDenseParams, fusedAffine } from './dense';

/** Options of an output layer: a dense layer plus the loss it is trained with. */
export interface OutputOptions extends DenseOptions {
  /** The loss, e.g. `'mcxent'` with a softmax activation. */
  loss: ComponentRef<'loss'>;
}

declare module '@dl4ts/core' {
  interface LayerConfigMap {
    'layers/output': OutputOptions;
  }
}

/** What {@link Output} is built from: its options, resolved. */
export type OutputConfig = LayerConfigOf<OutputOptions>;

/**
 * Output layer (DL4J's OutputLayer): a dense layer `y = f(x W + b)` whose loss is computed from the
 * pre-activation `x W + b` and `f`, so softmax + cross-entropy uses the fused, stable form.
 *
 * @example
 * ```ts
 * { type: 'layers/output', nOut: 10, activation: 'softmax', loss: 'mcxent' }
 * ```
 */
export class Output implements OutputLayer {
  readonly key = 'layers/output';
  private built: { activation: Activation; loss: Loss } | undefined;

  constructor(readonly config: OutputConfig) {}

  get activation(): Activation {
    return this.parts().activation;
  }

  get loss(): Loss {
    return this.parts().loss;
  }

  build(inputShape: Shape, context: BuildContext): Shape {
    const { nIn, nOut } = checkDenseShape(this.config, inputShape);
    const options = this.config;
    this.built = { activation: context.activation(options.activation), loss: context.loss(options.loss) };
    declareDenseParams(this.config, nIn, nOut, context);
    return [nOut];
  }

  preOutput(input: tf.Tensor, params: ParamMap): tf.Tensor {
    return fusedAffine(input, params, 'linear');
  }

  /** `activation(preOutput(x))`, in one kernel where the activation fuses with the product (inference: training reads the two parts). */
  forward(input: tf.Tensor, params: ParamMap, context: ForwardContext): tf.Tensor {
    const fused = FUSED_ACTIVATIONS[this.activation.key];
    if (fused !== undefined) return fusedAffine(input, params, fused);
    return this.activation.apply(this.preOutput(input, params), context);
  }

  private parts(): { activation: Activation; loss: Loss } {
    if (this.built === undefined) throw new Dl4tsError('DL4TS_NOT_BUILT', `Layer "${this.config.name}" (layers/output) is not built yet: build it (Network.init) first`);
    return this.built;
  }
}

/** Registry definition of {@link Output}. */
export const outputDefinition: ComponentDefinition<'layer', Output, OutputConfig> = {
  kind: 'layer',
  key: 'layers/output',
  contractVersion: LAYER_CONTRACT_VERSION,
  provider: '@dl4ts/layers',
  description: 'Dense layer with a loss; ends a network',
  options: optionNames<OutputOptions>({ ...LAYER_COMMON_OPTIONS, nOut: true, nIn: true, hasBias: true, loss: true }),
  create: (config) => new Output(config),
};
