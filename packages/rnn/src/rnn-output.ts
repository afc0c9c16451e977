import * as tf from '@tensorflow/tfjs-core';
import { Dl4tsError, LAYER_COMMON_OPTIONS, LAYER_CONTRACT_VERSION, optionNames } from '@dl4ts/core';
import type { Activation, BuildContext, ComponentDefinition, ComponentRef, ForwardContext, LayerCommonOptions, Loss, OutputLayer, ParamMap, LayerConfigOf, Shape } from '@dl4ts/core';
import { checkSequenceInput, checkSequenceShape } from './recurrent-base';

/** Options of {@link RnnOutput}. */
export interface RnnOutputOptions extends LayerCommonOptions {
  nOut: number;
  nIn?: number;
  /** Whether the layer adds a bias. Default true. */
  hasBias?: boolean;
  /** The loss, applied at every time step, e.g. `'mcxent'` with a softmax activation. */
  loss: ComponentRef<'loss'>;
}

declare module '@dl4ts/core' {
  interface LayerConfigMap {
    'rnn/rnn-output': RnnOutputOptions;
  }
}

/**
 * Output layer for sequences (DL4J's RnnOutputLayer): a dense layer `y_t = f(x_t W + b)` applied at
 * every step of `[batch, time, nIn]`, giving `[batch, time, nOut]`, with the loss scored at every
 * step. Labels are `[batch, time, nOut]`; the network removes masked steps and sums an example's
 * steps (DL4J's score: the sum over steps, averaged over examples).
 *
 * @example
 * ```ts
 * { type: 'rnn/rnn-output', nOut: 65, activation: 'softmax', loss: 'mcxent' }
 * ```
 */
export class RnnOutput implements OutputLayer {
  readonly key = 'rnn/rnn-output';
  private built: { activation: Activation; loss: Loss; nIn: number } | undefined;

  constructor(readonly config: LayerConfigOf<RnnOutputOptions>) {}

  get activation(): Activation {
    return this.parts().activation;
  }

  get loss(): Loss {
    return this.parts().loss;
  }

  build(inputShape: Shape, context: BuildContext): Shape {
    const { time, nIn, nOut } = checkSequenceShape(this.config, inputShape);
    const options = this.config;
    this.built = { activation: context.activation(options.activation), loss: context.loss(options.loss), nIn };
    context.addParam({ name: 'W', shape: [nIn, nOut], role: 'weight', init: context.weightInit(options.weightInit), fanIn: nIn, fanOut: nOut });
    if (options.hasBias !== false) {
      context.addParam({ name: 'b', shape: [nOut], role: 'bias', init: context.weightInit({ type: 'layers/constant', value: options.biasInit ?? 0 }), fanIn: nIn, fanOut: nOut });
    }
    return [time, nOut];
  }

  preOutput(input: tf.Tensor, params: ParamMap): tf.Tensor {
    const { nIn } = this.parts();
    checkSequenceInput(this.config, input, nIn);
    const [batch, time] = input.shape as [number, number, number];
    const flat = tf.fused.matMul({ a: tf.reshape(input, [batch * time, nIn]) as tf.Tensor2D, b: params.W as tf.Tensor2D, bias: params.b });
    return tf.reshape(flat, [batch, time, -1]);
  }

  forward(input: tf.Tensor, params: ParamMap, context: ForwardContext): tf.Tensor {
    return this.activation.apply(this.preOutput(input, params), context);
  }

  private parts(): { activation: Activation; loss: Loss; nIn: number } {
    if (this.built === undefined) throw new Dl4tsError('DL4TS_NOT_BUILT', `Layer "${this.config.name}" (rnn/rnn-output) is not built yet: build it (Network.init) first`);
    return this.built;
  }
}

/** Registry definition of {@link RnnOutput}. */
export const rnnOutputDefinition: ComponentDefinition<'layer', RnnOutput, LayerConfigOf<RnnOutputOptions>> = {
  kind: 'layer',
  key: 'rnn/rnn-output',
  contractVersion: LAYER_CONTRACT_VERSION,
  provider: '@dl4ts/rnn',
  description: 'Dense layer and loss at every time step; ends a sequence network',
  options: optionNames<RnnOutputOptions>({ ...LAYER_COMMON_OPTIONS, nOut: true, nIn: true, hasBias: true, loss: true }),
  create: (config) => new RnnOutput(config),
};
