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
 * - with `'same'` padding, `max` is tfjs's pooling and `avg` divides each window's sum by the
 *   inputs inside it (padding excluded), with a gradient that does the same;
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
  private counts = new Float32Array(0);
  private outSize: [number, number] = [0, 0];

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
    // With 'same' padding, how many inputs each window holds (the divisor of its mean).
    const [top, , left] = this.sides;
    const [[kh, kw], [sh, sw]] = [this.geometry.kernel, this.geometry.stride];
    const rowsIn = (i: number): number => Math.min(i * sh - top + kh, height) - Math.max(i * sh - top, 0);
    const colsIn = (j: number): number => Math.min(j * sw - left + kw, width) - Math.max(j * sw - left, 0);
    this.counts = Float32Array.from({ length: outHeight * outWidth }, (_, p) => rowsIn(Math.floor(p / outWidth)) * colsIn(p % outWidth));
    this.outSize = [outHeight, outWidth];
    return [outHeight, outWidth, channels];
  }

  forward(input: tf.Tensor): tf.Tensor {
    const x = input as tf.Tensor4D;
    const { kernel, stride, padding } = this.geometry;
    const { type, p } = this.pooling;
    const unpadded = this.sides.every((s) => s === 0);
    if (type === 'max') {
      if (padding === 'same') return tf.maxPool(x, kernel, stride, 'same');
      return tf.maxPool(unpadded ? x : tf.pad(x, pads(this.sides), LOWEST), kernel, stride, 'valid');
    }
    if (type === 'avg' && padding === 'same' && !unpadded) {
      // The mean over the inputs inside each window, as a sum over the zero-padded input divided by
      // their number: tfjs's own 'same' average pooling has a gradient that divides by the whole
      // window (tfjs-backend-cpu 4.22; wasm alike), which is not the gradient of its forward pass.
      const sums = tf.mul(tf.avgPool(tf.pad(x, pads(this.sides)), kernel, stride, 'valid'), kernel[0] * kernel[1]);
      return tf.div(sums, tf.tensor4d(this.counts, [1, this.outSize[0], this.outSize[1], 1]));
    }
    if (type === 'avg') return tf.avgPool(unpadded ? x : tf.pad(x, pads(this.sides)), kernel, stride, 'valid');
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
