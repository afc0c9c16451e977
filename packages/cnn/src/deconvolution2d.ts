import * as tf from '@tensorflow/tfjs-core';
import { LAYER_COMMON_OPTIONS, LAYER_CONTRACT_VERSION, ShapeError, optionNames } from '@dl4ts/core';
import type { Activation, BuildContext, ComponentDefinition, ForwardContext, Layer, LayerCommonOptions, LayerConfigOf, ParamMap, Shape } from '@dl4ts/core';
import type { ConvolutionWindowOptions } from './convolution-options';
import { CONVOLUTION_WINDOW_OPTIONS, checkConvolutionOptions, checkInputChannels, declareBias } from './convolution-options';
import type { WindowGeometry } from './geometry';
import { imageShape, outputSize, tfjsPadding, windowGeometry } from './geometry';

/** Options of a transposed convolution (DL4J's `Deconvolution2D`, Keras's `Conv2DTranspose`). */
export interface Deconvolution2DOptions extends LayerCommonOptions, ConvolutionWindowOptions {
  /** Output channels. */
  nOut: number;
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
    checkConvolutionOptions(this.where, config, 'output channels');
  }

  build(inputShape: Shape, context: BuildContext): Shape {
    const [height, width, channels] = imageShape(this.where, inputShape);
    const { nIn, nOut } = this.config;
    checkInputChannels(this.where, nIn, channels);
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
    declareBias(context, this.config, nOut, fanIn, fanOut);
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
  options: optionNames<Deconvolution2DOptions>({ ...LAYER_COMMON_OPTIONS, ...CONVOLUTION_WINDOW_OPTIONS, nOut: true }),
  create: (config) => new Deconvolution2D(config),
};
