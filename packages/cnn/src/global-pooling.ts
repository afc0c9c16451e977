import * as tf from '@tensorflow/tfjs-core';
import { LAYER_CONTRACT_VERSION, ShapeError, optionNames } from '@dl4ts/core';
import type { ComponentDefinition, ForwardContext, Layer, LayerCommonOptions, LayerConfigOf, Shape } from '@dl4ts/core';
import type { PoolingType, PoolingTypeName } from './pooling';
import { poolingOptions } from './pooling';

/** Options of {@link GlobalPooling}. */
export interface GlobalPoolingOptions extends Pick<LayerCommonOptions, 'name' | 'dropout'> {
  /** Default `max`. */
  poolingType?: PoolingTypeName;
  /** `p` of `pnorm` pooling, an integer >= 1. Default 2. */
  pnorm?: number;
}

declare module '@dl4ts/core' {
  interface LayerConfigMap {
    'cnn/global-pooling': GlobalPoolingOptions;
  }
}

/** Fills masked steps for max pooling: never the maximum while one step is unmasked. */
const LOWEST = -3.4028234663852886e38;

/**
 * Pools over all of space or all of time (DL4J's `GlobalPoolingLayer`): images
 * `[height, width, channels]` -> `[channels]`, sequences `[time, features]` -> `[features]`. With
 * a features mask, a sequence pools over its unmasked steps only (an average divides by their
 * number). No parameters.
 *
 * @example
 * ```ts
 * { type: 'cnn/global-pooling', poolingType: 'avg' }
 * ```
 */
export class GlobalPooling implements Layer {
  readonly key = 'cnn/global-pooling';
  private readonly pooling: { type: PoolingType; p: number };
  private axes: number[] = [];

  constructor(readonly config: LayerConfigOf<GlobalPoolingOptions>) {
    this.pooling = poolingOptions(`Layer "${config.name}" (cnn/global-pooling)`, config);
  }

  build(inputShape: Shape): Shape {
    if (inputShape.length !== 2 && inputShape.length !== 3) {
      throw new ShapeError(
        `Layer "${this.config.name}" (cnn/global-pooling): input has shape [${inputShape.join(', ')}] per example, expected an image [height, width, channels] or a sequence [time, features]`,
        inputShape,
        [-1, -1],
      );
    }
    this.axes = inputShape.length === 3 ? [1, 2] : [1];
    return [inputShape[inputShape.length - 1] as number];
  }

  forward(input: tf.Tensor, _params: unknown, context: ForwardContext): tf.Tensor {
    const { type, p } = this.pooling;
    // A sequence's mask [batch, time] as [batch, time, 1]; images have none.
    const mask = input.rank === 3 && context.mask !== undefined ? tf.expandDims(tf.cast(context.mask, 'float32'), 2) : undefined;
    const masked = (t: tf.Tensor): tf.Tensor => (mask === undefined ? t : tf.mul(t, mask));
    switch (type) {
      case 'max':
        return tf.max(mask === undefined ? input : tf.add(tf.mul(input, mask), tf.mul(tf.sub(1, mask), LOWEST)), this.axes);
      case 'sum':
        return tf.sum(masked(input), this.axes);
      case 'avg':
        return mask === undefined ? tf.mean(input, this.axes) : tf.div(tf.sum(masked(input), this.axes), tf.maximum(tf.sum(mask, 1), 1));
      case 'pnorm':
        return tf.pow(tf.maximum(tf.sum(masked(tf.pow(tf.abs(input), p)), this.axes), 1e-30), 1 / p);
    }
  }
}

/** Registry definition of {@link GlobalPooling}. */
export const globalPoolingDefinition: ComponentDefinition<'layer', GlobalPooling, LayerConfigOf<GlobalPoolingOptions>> = {
  kind: 'layer',
  key: 'cnn/global-pooling',
  contractVersion: LAYER_CONTRACT_VERSION,
  provider: '@dl4ts/cnn',
  description: 'Max, average, sum or p-norm over all of space ([h, w, c] -> [c]) or time ([t, f] -> [f], masks honoured)',
  options: optionNames<GlobalPoolingOptions>({ name: true, dropout: true, poolingType: true, pnorm: true }),
  create: (config) => new GlobalPooling(config),
};
