import * as tf from '@tensorflow/tfjs-core';
import { LAYER_CONTRACT_VERSION, optionNames } from '@dl4ts/core';
import type { ComponentDefinition, Layer, LayerCommonOptions, LayerConfigOf, Shape } from '@dl4ts/core';
import type { ConvolutionMode, PaddingOption, PairOption, Sides, WindowGeometry } from './geometry';
import { imageShape, outputSize, resolvedSides, windowGeometry } from './geometry';
import type { PoolingType, PoolingTypeName } from './pooling';
import { poolingOptions } from './pooling';

/** Options of a 2-D pooling layer (DL4J's `SubsamplingLayer`, Keras's `MaxPooling2D`/`AveragePooling2D`). */
export interface Subsampling2DOptions extends Pick<LayerCommonOptions, 'name' | 'dropout'> {
  /** Default `max`. */
  poolingType?: PoolingTypeName;
  /** `p` of `pnorm` pooling, an integer >= 1. Default 2. */
  pnorm?: number;
  /** Window `[height, width]` or one size for both. Default 2. */
  kernelSize?: PairOption;
  /** Default: the kernel size (windows side by side). */
  stride?: PairOption;
  /** Default none. */
  padding?: PaddingOption;
  /** DL4J's convolution mode; default `truncate`. */
  convolutionMode?: ConvolutionMode;
}

declare module '@dl4ts/core' {
  interface LayerConfigMap {
    'cnn/subsampling2d': Subsampling2DOptions;
  }
}

/** The most negative float32: explicit padding for max pooling, never the maximum of a window that holds an input value. */
const LOWEST = -3.4028234663852886e38;

const pads = ([top, bottom, left, right]: Sides): [number, number][] => [
  [0, 0],
  [top, bottom],
  [left, right],
  [0, 0],
];

/**
 * Pools windows of images `[batch, height, width, channels]` channel by channel. No parameters.
 *
 * - `max`, `avg` with `'same'` padding use tfjs's pooling, whose mean divides by the inputs in the
 *   window (padding excluded);
 * - with explicit padding, the input is padded first (with zeros; with the lowest float32 for
 *   `max`), so an average divides by the whole window, padding included;
 * - `sum` is the mean times the window's size, `pnorm` is `(sum |x|^p)^(1/p)`, both over the
 *   zero-padded input (`'same'` is resolved to its explicit padding).
 *
 * @example
 * ```ts
 * { type: 'cnn/subsampling2d', poolingType: 'max', kernelSize: 2, stride: 2 }
 * ```
 */
export class Subsampling2D implements Layer {
  readonly key = 'cnn/subsampling2d';
  private readonly geometry: WindowGeometry;
  private readonly pooling: { type: PoolingType; p: number };
  private readonly where: string;
  private sides: Sides = [0, 0, 0, 0];

  constructor(readonly config: LayerConfigOf<Subsampling2DOptions>) {
    this.where = `Layer "${config.name}" (cnn/subsampling2d)`;
    this.pooling = poolingOptions(this.where, config);
    const kernel = windowGeometry(this.where, { kernelSize: config.kernelSize ?? 2 }, { kernel: [2, 2] }).kernel;
    this.geometry = windowGeometry(this.where, config, { kernel, stride: kernel });
  }

  build(inputShape: Shape): Shape {
    const [height, width, channels] = imageShape(this.where, inputShape);
    const [outHeight, outWidth] = outputSize(this.where, this.geometry, height, width);
    this.sides = resolvedSides(this.geometry, height, width);
    return [outHeight, outWidth, channels];
  }

  forward(input: tf.Tensor): tf.Tensor {
    const x = input as tf.Tensor4D;
    const { kernel, stride, padding } = this.geometry;
    const { type, p } = this.pooling;
    const unpadded = this.sides.every((s) => s === 0);
    if (type === 'max' || type === 'avg') {
      const pool = type === 'max' ? tf.maxPool : tf.avgPool;
      if (padding === 'same') return pool(x, kernel, stride, 'same');
      return pool(unpadded ? x : tf.pad(x, pads(this.sides), type === 'max' ? LOWEST : 0), kernel, stride, 'valid');
    }
    const base = type === 'sum' ? x : tf.pow(tf.abs(x), p);
    const sum = tf.mul(tf.avgPool(unpadded ? (base as tf.Tensor4D) : tf.pad(base as tf.Tensor4D, pads(this.sides)), kernel, stride, 'valid'), kernel[0] * kernel[1]);
    if (type === 'sum') return sum;
    // The floor keeps the gradient of the root finite where a whole window is zero.
    return tf.pow(tf.maximum(sum, 1e-30), 1 / p);
  }
}

/** Registry definition of {@link Subsampling2D}. */
export const subsampling2dDefinition: ComponentDefinition<'layer', Subsampling2D, LayerConfigOf<Subsampling2DOptions>> = {
  kind: 'layer',
  key: 'cnn/subsampling2d',
  contractVersion: LAYER_CONTRACT_VERSION,
  provider: '@dl4ts/cnn',
  description: 'Max, average, sum or p-norm pooling over windows of [height, width, channels] images',
  options: optionNames<Subsampling2DOptions>({ name: true, dropout: true, poolingType: true, pnorm: true, kernelSize: true, stride: true, padding: true, convolutionMode: true }),
  create: (config) => new Subsampling2D(config),
};
