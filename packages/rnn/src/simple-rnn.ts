import * as tf from '@tensorflow/tfjs-core';
import { LAYER_COMMON_OPTIONS, LAYER_CONTRACT_VERSION, optionNames } from '@dl4ts/core';
import type { ComponentDefinition, ForwardContext, ParamMap, RecurrentState, LayerConfigOf } from '@dl4ts/core';
import type { RecurrentOptions } from './recurrent-base';
import { RecurrentBase } from './recurrent-base';

declare module '@dl4ts/core' {
  interface LayerConfigMap {
    'rnn/simple-rnn': RecurrentOptions;
  }
}

/**
 * Fully connected recurrent layer (DL4J's SimpleRnn): `h_t = f(x_t W + h_{t-1} RW + b)`, `f`
 * the layer's activation (default tanh). Input `[batch, time, nIn]`, output `[batch, time, nOut]`.
 *
 * @example
 * ```ts
 * { type: 'rnn/simple-rnn', nOut: 32, activation: 'tanh' }
 * ```
 */
export class SimpleRnn extends RecurrentBase {
  readonly key = 'rnn/simple-rnn';
  protected readonly gates = 1;
  protected readonly stateNames = ['h'] as const;

  protected step(xw: tf.Tensor2D, state: RecurrentState, params: ParamMap, context: ForwardContext): RecurrentState {
    return { h: this.act(tf.add(xw, this.recurrent(state.h as tf.Tensor, params.RW as tf.Tensor, 0, 1)), context) };
  }
}

/** Registry definition of {@link SimpleRnn}. */
export const simpleRnnDefinition: ComponentDefinition<'layer', SimpleRnn, LayerConfigOf<RecurrentOptions>> = {
  kind: 'layer',
  key: 'rnn/simple-rnn',
  contractVersion: LAYER_CONTRACT_VERSION,
  provider: '@dl4ts/rnn',
  description: 'Fully connected recurrent layer, h_t = f(x_t W + h_{t-1} RW + b)',
  options: optionNames<RecurrentOptions>({ ...LAYER_COMMON_OPTIONS, nOut: true, nIn: true, recurrentWeightInit: true }),
  create: (config) => new SimpleRnn(config),
};
