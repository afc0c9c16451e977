import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, LAYER_COMMON_OPTIONS, LAYER_CONTRACT_VERSION, ShapeError, optionNames } from '@dl4ts/core';
import type { Activation, BuildContext, ComponentDefinition, ForwardContext, Layer, LayerCommonOptions, LayerConfigOf, ParamMap, Shape } from '@dl4ts/core';
import { choiceOption } from '@dl4ts/layers';
import type { ConvolutionMode, PaddingOption, PairOption, WindowGeometry } from './geometry';
import { imageShape, outputSize, tfjsPadding, windowGeometry } from './geometry';

/** Options of a transposed convolution (DL4J's `Deconvolution2D`, Keras's `Conv2DTranspose`). */
export interface Deconvolution2DOptions extends LayerCommonOptions {
  /** Output channels. */
  nOut: number;
  /** Input channels; inferred, checked when given. */
  nIn?: number;
  /** Default 5, as the convolution. */
  kernelSize?: PairOption;
  /** The upsampling factor. Default 1. */
  stride?: PairOption;
  /** The padding of the convolution this layer transposes, or `'same'`. Default none. */
  padding?: PaddingOption;
  /** DL4J's convolution mode; default `truncate`. */
  convolutionMode?: ConvolutionMode;
  /** Default true. */
  hasBias?: boolean;
}

declare module '@dl4ts/core' {
  interface LayerConfigMap {
    'cnn/deconvolution2d': Deconvolution2DOptions;
  }
}

/** What {@link Deconvolution2D} is built from. */
export type Deconvolution2DConfig = LayerConfigOf<Deconvolution2DOptions>;

/**
 * The transposed convolution, `y = f(conv2dTranspose(x, W) + b)`: the input gradient of the
 * convolution with the same kernel, stride and padding, so it maps that convolution's output shape
 * back to its input shape (upsampling by the stride). Output `[(h - 1) s + k - top - bottom, ...]`
 * with explicit padding, `[h s, w s]` with `'same'`. `W [kh, kw, nOut, cIn]` (tfjs's layout for a
 * transposed kernel), `b [nOut]`.
 *
 * @example
 * ```ts
 * { type: 'cnn/deconvolution2d', nOut: 16, kernelSize: 2, stride: 2, activation: 'relu' }
 * ```
 */
export class Deconvolution2D implements Layer {
  readonly key = 'cnn/deconvolution2d';
  private readonly geometry: WindowGeometry;
  private readonly where: string;
  private activation: Activation | undefined;
  private outShape: [number, number, number] = [0, 0, 0];

  constructor(readonly config: Deconvolution2DConfig) {
    this.where = `Layer "${config.name}" (cnn/deconvolution2d)`;
    this.geometry = windowGeometry(this.where, config, { kernel: [5, 5] });
    if (!Number.isInteger(config.nOut) || config.nOut <= 0) throw new ConfigError(`${this.where}: nOut must be a positive integer (output channels), received ${String(config.nOut)}`);
    choiceOption(this.where, config, 'hasBias', [true, false], true);
  }

  build(inputShape: Shape, context: BuildContext): Shape {
    const [height, width, channels] = imageShape(this.where, inputShape);
    const { nIn, nOut } = this.config;
    if (nIn !== undefined && nIn !== channels) throw new ShapeError(`${this.where}: input has ${channels} channels, expected nIn=${nIn}`, [channels], [nIn]);
    const [kh, kw] = this.geometry.kernel;
    const [sh, sw] = this.geometry.stride;
    let outHeight: number;
    let outWidth: number;
    if (this.geometry.padding === 'same') [outHeight, outWidth] = [height * sh, width * sw];
    else {
      const [top, bottom, left, right] = this.geometry.padding;
      [outHeight, outWidth] = [(height - 1) * sh + kh - top - bottom, (width - 1) * sw + kw - left - right];
      if (outHeight < 1 || outWidth < 1) throw new ShapeError(`${this.where}: padding [${this.geometry.padding.join(', ')}] leaves an output of [${outHeight}, ${outWidth}] from an input [${height}, ${width}]`, inputShape, [1, 1, nOut]);
    }
    // The convolution this transposes must map the output back onto the input (strict mode checks the tiling).
    const [backH, backW] = outputSize(this.where, this.geometry, outHeight, outWidth);
    if (backH !== height || backW !== width) throw new ShapeError(`${this.where}: no output size maps back onto the input [${height}, ${width}] with these kernel, stride and padding`, inputShape, [backH, backW, channels]);
    this.outShape = [outHeight, outWidth, nOut];
    const fanIn = kh * kw * channels;
    const fanOut = (kh * kw * nOut) / (sh * sw);
    this.activation = context.activation(this.config.activation);
    context.addParam({ name: 'W', shape: [kh, kw, nOut, channels], role: 'weight', init: context.weightInit(this.config.weightInit), fanIn, fanOut });
    if (this.config.hasBias !== false) {
      context.addParam({ name: 'b', shape: [nOut], role: 'bias', init: context.weightInit({ type: 'layers/constant', value: this.config.biasInit ?? 0 }), fanIn, fanOut });
    }
    return this.outShape;
  }

  forward(input: tf.Tensor, params: ParamMap, context: ForwardContext): tf.Tensor {
    const batch = input.shape[0] as number;
    const z = tf.conv2dTranspose(input as tf.Tensor4D, params.W as tf.Tensor4D, [batch, ...this.outShape], this.geometry.stride, tfjsPadding(this.geometry));
    return (this.activation as Activation).apply(params.b === undefined ? z : tf.add(z, params.b), context);
  }
}

/** Registry definition of {@link Deconvolution2D}. */
export const deconvolution2dDefinition: ComponentDefinition<'layer', Deconvolution2D, Deconvolution2DConfig> = {
  kind: 'layer',
  key: 'cnn/deconvolution2d',
  contractVersion: LAYER_CONTRACT_VERSION,
  provider: '@dl4ts/cnn',
  description: 'Transposed convolution (upsampling by the stride), y = f(conv2dTranspose(x, W) + b)',
  options: optionNames<Deconvolution2DOptions>({ ...LAYER_COMMON_OPTIONS, nOut: true, nIn: true, kernelSize: true, stride: true, padding: true, convolutionMode: true, hasBias: true }),
  create: (config) => new Deconvolution2D(config),
};
