import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, LAYER_COMMON_OPTIONS, LAYER_CONTRACT_VERSION, ShapeError, ValueError, formatShape, formatValue, optionNames } from '@dl4ts/core';
import type { Activation, BuildContext, ComponentDefinition, ForwardContext, Layer, LayerCommonOptions, ParamMap, LayerConfigOf, Shape } from '@dl4ts/core';

/** Options of {@link EmbeddingSequence}. */
export interface EmbeddingSequenceOptions extends LayerCommonOptions {
  /** Vocabulary size: indices run from 0 to nIn - 1. */
  nIn: number;
  /** Embedding size. */
  nOut: number;
  /** Whether the layer adds a bias. Default false (DL4J's EmbeddingSequenceLayer). */
  hasBias?: boolean;
  /**
   * Check every (unmasked) index in the forward pass and throw a `ValueError` for one out of
   * range. Default true. The check reads the indices synchronously, which costs little on the
   * cpu and wasm backends; turn it off on a GPU backend once the data are known to be valid.
   */
  validateIndices?: boolean;
}

declare module '@dl4ts/core' {
  interface LayerConfigMap {
    'rnn/embedding-sequence': EmbeddingSequenceOptions;
  }
}

/**
 * Embedding of token sequences (DL4J's EmbeddingSequenceLayer): input `[batch, time]` or
 * `[batch, time, 1]` of integer indices in `[0, nIn)` (float values are cast to int32), output
 * `[batch, time, nOut]` with row `i` of `W` `[nIn, nOut]` (plus `b` when `hasBias`, through the
 * activation, default identity) at each step: `y_t = f(W[i_t] + b)`. Equal to a dense layer on
 * one-hot steps; the gradient of `W` is non-zero only on the rows that were looked up.
 *
 * Configure the network with `input: [null, 1]` (features `[batch, time, 1]`, which masks and
 * truncated BPTT need) or `input: [time]`. At masked steps the index is not read (padding may
 * hold any value) and row 0 is used; the recurrent layer after it ignores those steps.
 *
 * @example
 * ```ts
 * input: [null, 1],
 * layers: [{ type: 'rnn/embedding-sequence', nIn: 65, nOut: 32 }, { type: 'rnn/lstm', nOut: 128 }, ...]
 * ```
 */
export class EmbeddingSequence implements Layer {
  readonly key = 'rnn/embedding-sequence';
  private activation: Activation | undefined;

  constructor(readonly config: LayerConfigOf<EmbeddingSequenceOptions>) {
    const where = `Layer "${config.name}" (rnn/embedding-sequence)`;
    const { nIn, nOut, hasBias, validateIndices } = config;
    if (!Number.isInteger(nIn) || nIn <= 0) throw new ConfigError(`${where}: nIn (the vocabulary size) must be a positive integer, received ${formatValue(nIn)}`);
    if (!Number.isInteger(nOut) || nOut <= 0) throw new ConfigError(`${where}: nOut must be a positive integer, received ${formatValue(nOut)}`);
    for (const [name, v] of [['hasBias', hasBias], ['validateIndices', validateIndices]] as const) {
      if (v !== undefined && typeof v !== 'boolean') throw new ConfigError(`${where}: ${name} must be true or false, received ${JSON.stringify(v)}`);
    }
  }

  private get options(): LayerConfigOf<EmbeddingSequenceOptions> {
    return this.config;
  }

  build(inputShape: Shape, context: BuildContext): Shape {
    if (!(inputShape.length === 1 || (inputShape.length === 2 && inputShape[1] === 1))) {
      throw new ShapeError(
        `Layer "${this.config.name}" (rnn/embedding-sequence): input has shape [${inputShape.join(', ')}] per example, expected token indices [time] or [time, 1]`,
        inputShape,
        [-1, 1],
      );
    }
    const { nIn, nOut, hasBias, weightInit, biasInit, activation } = this.options;
    this.activation = context.activation(activation);
    context.addParam({ name: 'W', shape: [nIn, nOut], role: 'weight', init: context.weightInit(weightInit), fanIn: nIn, fanOut: nOut });
    if (hasBias === true) {
      context.addParam({ name: 'b', shape: [nOut], role: 'bias', init: context.weightInit({ type: 'layers/constant', value: biasInit ?? 0 }), fanIn: nIn, fanOut: nOut });
    }
    return [inputShape[0] as number, nOut];
  }

  forward(input: tf.Tensor, params: ParamMap, context: ForwardContext): tf.Tensor {
    const where = `Layer "${this.config.name}" (rnn/embedding-sequence)`;
    if (!(input.rank === 2 || (input.rank === 3 && input.shape[2] === 1))) {
      throw new ShapeError(`${where}: input has shape ${formatShape(input.shape)}, expected [batch, time] or [batch, time, 1] of token indices`, input.shape, [-1, -1, 1]);
    }
    const [batch, time] = input.shape as [number, number];
    let indices = tf.reshape(input, [batch * time]);
    if (context.mask !== undefined) indices = tf.mul(indices, tf.reshape(tf.cast(context.mask, indices.dtype), [batch * time]));
    if (this.options.validateIndices !== false) this.check(indices.dataSync(), time);
    const rows = tf.gather(params.W as tf.Tensor, tf.cast(indices, 'int32'));
    const z = params.b === undefined ? rows : tf.add(rows, params.b);
    return tf.reshape((this.activation as Activation).apply(z, context), [batch, time, this.options.nOut]);
  }

  private check(values: ArrayLike<number>, time: number): void {
    const { nIn } = this.options;
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      if (!Number.isInteger(v) || v < 0 || v >= nIn) {
        throw new ValueError(
          `Layer "${this.config.name}" (rnn/embedding-sequence): example ${Math.floor(i / time)}, step ${i % time} holds index ${v}, expected an integer in [0, ${nIn - 1}] (vocabulary size nIn=${nIn})`,
        );
      }
    }
  }
}

/** Registry definition of {@link EmbeddingSequence}. */
export const embeddingSequenceDefinition: ComponentDefinition<'layer', EmbeddingSequence, LayerConfigOf<EmbeddingSequenceOptions>> = {
  kind: 'layer',
  key: 'rnn/embedding-sequence',
  contractVersion: LAYER_CONTRACT_VERSION,
  provider: '@dl4ts/rnn',
  description: 'Token indices [batch, time] -> [batch, time, nOut], row i of W per step',
  options: optionNames<EmbeddingSequenceOptions>({ ...LAYER_COMMON_OPTIONS, nIn: true, nOut: true, hasBias: true, validateIndices: true }),
  create: (config) => new EmbeddingSequence(config),
};
