import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, LAYER_CONTRACT_VERSION, ShapeError, formatValue, optionNames } from '@dl4ts/core';
import type { ComponentDefinition, Layer, LayerCommonOptions, LayerConfigOf, Shape } from '@dl4ts/core';

/** Options of {@link Reshape}. */
export interface ReshapeOptions extends Pick<LayerCommonOptions, 'name'> {
  /** The shape of one example after the layer, `[28, 28, 1]`; one entry may be -1 (inferred). */
  shape: readonly number[];
}

declare module '@dl4ts/core' {
  interface LayerConfigMap {
    'cnn/reshape': ReshapeOptions;
    'cnn/flatten': Pick<LayerCommonOptions, 'name'>;
  }
}

const size = (shape: Shape): number => shape.reduce((a, b) => a * b, 1);

/**
 * Gives each example a new shape with the same values in the same (row-major) order: flat
 * 784-vectors to `[28, 28, 1]` images (DL4J's `InputType.convolutionalFlat` and its
 * preprocessor), as the first layer of a network fed flat rows. No parameters.
 *
 * @example
 * ```ts
 * { type: 'cnn/reshape', shape: [28, 28, 1] }
 * ```
 */
export class Reshape implements Layer {
  readonly key = 'cnn/reshape';
  private readonly where: string;
  private target: Shape = [];

  constructor(readonly config: LayerConfigOf<ReshapeOptions>) {
    this.where = `Layer "${config.name}" (cnn/reshape)`;
    const { shape } = config;
    const valid = Array.isArray(shape) && shape.length > 0 && shape.every((d) => d === -1 || (Number.isInteger(d) && d > 0)) && shape.filter((d) => d === -1).length <= 1;
    if (!valid) throw new ConfigError(`${this.where}: shape must be a non-empty array of positive integers with at most one -1, received ${formatValue(shape)}`);
  }

  build(inputShape: Shape): Shape {
    if (inputShape.some((d) => d < 0)) throw new ShapeError(`${this.where}: input has shape [${inputShape.join(', ')}] per example; reshaping needs known sizes`, inputShape, inputShape);
    const total = size(inputShape);
    const known = size(this.config.shape.filter((d) => d !== -1));
    const target = this.config.shape.map((d) => (d === -1 ? total / known : d));
    if (size(target) !== total || !target.every(Number.isInteger)) {
      throw new ShapeError(`${this.where}: input has shape [${inputShape.join(', ')}] (${total} values per example), which cannot be reshaped to [${this.config.shape.join(', ')}]`, inputShape, this.config.shape);
    }
    this.target = target;
    return target;
  }

  forward(input: tf.Tensor): tf.Tensor {
    return tf.reshape(input, [input.shape[0] as number, ...this.target]);
  }
}

/**
 * Flattens each example to a vector, so that dense and output layers can follow convolutional
 * ones: `[height, width, channels]` -> `[height * width * channels]`, channels fastest (tfjs's and
 * Keras's order; DL4J's CnnToFeedForwardPreProcessor orders channels first). No parameters.
 *
 * @example
 * ```ts
 * { type: 'cnn/flatten' }
 * ```
 */
export class Flatten implements Layer {
  readonly key = 'cnn/flatten';

  constructor(readonly config: LayerConfigOf<Pick<LayerCommonOptions, 'name'>>) {}

  build(inputShape: Shape): Shape {
    if (inputShape.some((d) => d < 0)) throw new ShapeError(`Layer "${this.config.name}" (cnn/flatten): input has shape [${inputShape.join(', ')}] per example; flattening needs known sizes`, inputShape, inputShape);
    return [size(inputShape)];
  }

  forward(input: tf.Tensor): tf.Tensor {
    return tf.reshape(input, [input.shape[0] as number, -1]);
  }
}

/** Registry definition of {@link Reshape}. */
export const reshapeDefinition: ComponentDefinition<'layer', Reshape, LayerConfigOf<ReshapeOptions>> = {
  kind: 'layer',
  key: 'cnn/reshape',
  contractVersion: LAYER_CONTRACT_VERSION,
  provider: '@dl4ts/cnn',
  description: 'Each example reshaped, values in order: flat rows to [height, width, channels] images',
  options: optionNames<ReshapeOptions>({ name: true, shape: true }),
  create: (config) => new Reshape(config),
};

/** Registry definition of {@link Flatten}. */
export const flattenDefinition: ComponentDefinition<'layer', Flatten, LayerConfigOf<Pick<LayerCommonOptions, 'name'>>> = {
  kind: 'layer',
  key: 'cnn/flatten',
  contractVersion: LAYER_CONTRACT_VERSION,
  provider: '@dl4ts/cnn',
  description: 'Each example flattened to a vector, channels fastest',
  options: optionNames<Pick<LayerCommonOptions, 'name'>>({ name: true }),
  create: (config) => new Flatten(config),
};
