import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, LAYER_COMMON_OPTIONS, LAYER_CONTRACT_VERSION, ShapeError, ValueError, formatValue, optionNames } from '@dl4ts/core';
import type { Activation, BuildContext, ComponentDefinition, ForwardContext, Layer, LayerCommonOptions, ParamMap, Shape, LayerConfigOf } from '@dl4ts/core';

/** Options of an embedding layer. */
export interface EmbeddingOptions extends LayerCommonOptions {
  /** Vocabulary size: indices run from 0 to nIn - 1. Required. */
  nIn: number;
  /** Embedding size. */
  nOut: number;
  /** Whether the layer adds a bias. Default false (DL4J's EmbeddingLayer.Builder). */
  hasBias?: boolean;
}

declare module '@dl4ts/core' {
  interface LayerConfigMap {
    'layers/embedding': EmbeddingOptions;
  }
}

/** What {@link Embedding} is built from: its options, resolved. */
export type EmbeddingConfig = LayerConfigOf<EmbeddingOptions>;

/**
 * Checks that every value of `input` is an integer index in `[0, nIn)`, reading the values
 * asynchronously once; throws a `ValueError` naming the first bad value, its row and the range.
 *
 * Call it on a data set's features before training an embedding: the forward pass cannot check
 * its indices without a synchronous read, and backends disagree on bad ones (tfjs's CPU backend
 * throws in `gather`, others return zeros or unrelated rows).
 *
 * @example
 * ```ts
 * await checkEmbeddingIndices(data.features, 10_000);
 * ```
 */
export async function checkEmbeddingIndices(input: tf.Tensor, nIn: number, owner = 'Embedding'): Promise<void> {
  const values = await input.data();
  const width = input.rank >= 2 ? input.size / (input.shape[0] as number) : 1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isInteger(v) || v < 0 || v >= nIn) {
      throw new ValueError(`${owner}: input row ${Math.floor(i / width)} holds index ${v}, expected an integer in [0, ${nIn - 1}] (nIn=${nIn})`);
    }
  }
}

/**
 * Embedding layer (DL4J's EmbeddingLayer): each example is one integer index `i` in `[0, nIn)`,
 * given as `[batch, 1]` (float values are fine: they are cast to int32); the output is row `i` of
 * `W` `[nIn, nOut]`, plus `b` when `hasBias`, through the activation (default identity):
 * `y = f(W[i] + b)`. This equals a dense layer on one-hot input, without the one-hot matrix; the
 * gradient of `W` is non-zero only on the rows that were looked up.
 *
 * Indices are not validated in the forward pass (that would need a synchronous read): check them
 * once with {@link checkEmbeddingIndices} or {@link Embedding.checkInput}. Non-integer values are
 * truncated by the cast; indices above 2^24 are not exact in float32 input.
 *
 * @example
 * ```ts
 * { type: 'layers/embedding', nIn: 10_000, nOut: 64 }
 * ```
 */
export class Embedding implements Layer {
  readonly key = 'layers/embedding';
  private activation: Activation | undefined;

  constructor(readonly config: EmbeddingConfig) {
    const where = `Layer "${config.name}" (layers/embedding)`;
    const { nIn, nOut, hasBias } = config;
    if (!Number.isInteger(nIn) || nIn <= 0) throw new ConfigError(`${where}: nIn (the vocabulary size) must be a positive integer, received ${formatValue(nIn)}`);
    if (!Number.isInteger(nOut) || nOut <= 0) throw new ConfigError(`${where}: nOut must be a positive integer, received ${formatValue(nOut)}`);
    if (hasBias !== undefined && typeof hasBias !== 'boolean') throw new ConfigError(`${where}: hasBias must be true or false, received ${JSON.stringify(hasBias)}`);
  }

  private get options(): EmbeddingConfig {
    return this.config;
  }

  build(inputShape: Shape, context: BuildContext): Shape {
    if (inputShape.length !== 1 || inputShape[0] !== 1) {
      throw new ShapeError(
        `Layer "${this.config.name}" (layers/embedding): input has shape [${inputShape.join(', ')}] per example, expected [1] (one index per example)`,
        inputShape,
        [1],
      );
    }
    const { nIn, nOut, hasBias, weightInit, biasInit, activation } = this.options;
    this.activation = context.activation(activation);
    context.addParam({ name: 'W', shape: [nIn, nOut], role: 'weight', init: context.weightInit(weightInit), fanIn: nIn, fanOut: nOut });
    if (hasBias === true) {
      context.addParam({ name: 'b', shape: [nOut], role: 'bias', init: context.weightInit({ type: 'layers/constant', value: biasInit ?? 0 }), fanIn: nIn, fanOut: nOut });
    }
    return [nOut];
  }

  forward(input: tf.Tensor, params: ParamMap, context: ForwardContext): tf.Tensor {
    const rows = tf.gather(params.W as tf.Tensor, tf.cast(tf.reshape(input, [-1]), 'int32'));
    const z = params.b === undefined ? rows : tf.add(rows, params.b);
    return (this.activation as Activation).apply(z, context);
  }

  /** Checks a batch of indices against this layer's `nIn` (see {@link checkEmbeddingIndices}). */
  checkInput(input: tf.Tensor): Promise<void> {
    return checkEmbeddingIndices(input, this.options.nIn, `Layer "${this.config.name}" (layers/embedding)`);
  }
}

/** Registry definition of {@link Embedding}. */
export const embeddingDefinition: ComponentDefinition<'layer', Embedding, EmbeddingConfig> = {
  kind: 'layer',
  key: 'layers/embedding',
  contractVersion: LAYER_CONTRACT_VERSION,
  provider: '@dl4ts/layers',
  description: 'Looks up row i of W for integer index i: y = f(W[i] + b)',
  options: optionNames<EmbeddingOptions>({ ...LAYER_COMMON_OPTIONS, nIn: true, nOut: true, hasBias: true }),
  create: (config) => new Embedding(config),
};
