import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, LAYER_COMMON_OPTIONS, LAYER_CONTRACT_VERSION, optionNames } from '@dl4ts/core';
import type { Activation, BuildContext, ComponentDefinition, ForwardContext, Layer, LayerCommonOptions, LayerConfigOf, ParamMap, Shape } from '@dl4ts/core';
import { checkDilation, dilateKernel } from './convolution2d';
import type { ConvolutionWindowOptions } from './convolution-options';
import { CONVOLUTION_WINDOW_OPTIONS, checkConvolutionOptions, checkInputChannels, declareBias } from './convolution-options';
import type { PairOption, WindowGeometry } from './geometry';
import { imageShape, outputSize, tfjsPadding, windowGeometry } from './geometry';

/** Options of a depthwise convolution (DL4J's `DepthwiseConvolution2D`). */
export interface DepthwiseConvolution2DOptions extends LayerCommonOptions, ConvolutionWindowOptions {
  /** Filters per input channel: the output has `channels * depthMultiplier` channels. Default 1. */
  depthMultiplier?: number;
  /** Dilation. Default 1. Needs stride 1 on an axis it dilates. */
  dilation?: PairOption;
}

/** Options of a depthwise-separable convolution (DL4J's `SeparableConvolution2D`). */
export interface SeparableConvolution2DOptions extends DepthwiseConvolution2DOptions {
  /** Output channels of the pointwise (1x1) convolution. */
  nOut: number;
}

declare module '@dl4ts/core' {
  interface LayerConfigMap {
    'cnn/depthwise-convolution2d': DepthwiseConvolution2DOptions;
    'cnn/separable-convolution2d': SeparableConvolution2DOptions;
  }
}

/**
 * Depthwise convolution: each input channel convolved with its own `depthMultiplier` filters,
 * `y[.., c m + k] = f(conv(x[.., c], W[.., c, k]) + b)`; with `pointwise` (the separable form) the
 * result is then mixed by a 1x1 convolution to `nOut` channels, `y = f(conv1x1(depthwise(x), P) + b)`.
 * Parameters: `W [kh, kw, channels, depthMultiplier]`, then `P [1, 1, channels m, nOut]` when
 * separable, and `b` over the output channels.
 */
class Depthwise implements Layer {
  private readonly geometry: WindowGeometry;
  private readonly where: string;
  private readonly multiplier: number;
  private activation: Activation | undefined;

  constructor(
    readonly key: 'cnn/depthwise-convolution2d' | 'cnn/separable-convolution2d',
    readonly config: LayerConfigOf<DepthwiseConvolution2DOptions> & { nOut?: number },
  ) {
    this.where = `Layer "${config.name}" (${key})`;
    this.geometry = windowGeometry(this.where, config, { kernel: [5, 5] });
    checkDilation(this.where, this.geometry);
    const m = config.depthMultiplier ?? 1;
    if (!(Number.isInteger(m) && m >= 1)) throw new ConfigError(`${this.where}: depthMultiplier must be an integer >= 1, received ${JSON.stringify(m)}`);
    this.multiplier = m;
    checkConvolutionOptions(this.where, config, key === 'cnn/separable-convolution2d' ? "the pointwise convolution's output channels" : undefined);
  }

  build(inputShape: Shape, context: BuildContext): Shape {
    const [height, width, channels] = imageShape(this.where, inputShape);
    checkInputChannels(this.where, this.config.nIn, channels);
    const [outHeight, outWidth] = outputSize(this.where, this.geometry, height, width);
    const [kh, kw] = this.geometry.kernel;
    const depth = channels * this.multiplier;
    const out = this.key === 'cnn/separable-convolution2d' ? (this.config.nOut as number) : depth;
    this.activation = context.activation(this.config.activation);
    const init = context.weightInit(this.config.weightInit);
    // Each depthwise filter sees one channel's window: fanIn kh kw, fanOut kh kw m / (sh sw).
    context.addParam({ name: 'W', shape: [kh, kw, channels, this.multiplier], role: 'weight', init, fanIn: kh * kw, fanOut: (kh * kw * this.multiplier) / (this.geometry.stride[0] * this.geometry.stride[1]) });
    if (this.key === 'cnn/separable-convolution2d') context.addParam({ name: 'P', shape: [1, 1, depth, out], role: 'weight', init, fanIn: depth, fanOut: out });
    declareBias(context, this.config, out, kh * kw, out);
    return [outHeight, outWidth, out];
  }

  forward(input: tf.Tensor, params: ParamMap, context: ForwardContext): tf.Tensor {
    const { stride, dilation } = this.geometry;
    const w = params.W as tf.Tensor4D;
    // tfjs has no gradient for dilated depthwise convolutions either: the kernel is spread out.
    const filter = dilation[0] === 1 && dilation[1] === 1 ? w : dilateKernel(w, dilation);
    let z: tf.Tensor = tf.depthwiseConv2d(input as tf.Tensor4D, filter, stride, tfjsPadding(this.geometry));
    if (params.P !== undefined) z = tf.conv2d(z as tf.Tensor4D, params.P as tf.Tensor4D, 1, 'valid');
    return (this.activation as Activation).apply(params.b === undefined ? z : tf.add(z, params.b), context);
  }
}

/** `cnn/depthwise-convolution2d`: each channel convolved with its own filters. */
export class DepthwiseConvolution2D extends Depthwise {
  constructor(config: LayerConfigOf<DepthwiseConvolution2DOptions>) {
    super('cnn/depthwise-convolution2d', config);
  }
}

/** `cnn/separable-convolution2d`: a depthwise convolution, then a 1x1 convolution to `nOut` channels. */
export class SeparableConvolution2D extends Depthwise {
  constructor(config: LayerConfigOf<SeparableConvolution2DOptions>) {
    super('cnn/separable-convolution2d', config);
  }
}

const DEPTHWISE_OPTIONS = { ...LAYER_COMMON_OPTIONS, ...CONVOLUTION_WINDOW_OPTIONS, depthMultiplier: true, dilation: true } as const;

/** Registry definition of {@link DepthwiseConvolution2D}. */
export const depthwiseConvolution2dDefinition: ComponentDefinition<'layer', DepthwiseConvolution2D, LayerConfigOf<DepthwiseConvolution2DOptions>> = {
  kind: 'layer',
  key: 'cnn/depthwise-convolution2d',
  contractVersion: LAYER_CONTRACT_VERSION,
  provider: '@dl4ts/cnn',
  description: 'Depthwise convolution: each channel convolved with its own depthMultiplier filters',
  options: optionNames<DepthwiseConvolution2DOptions>(DEPTHWISE_OPTIONS),
  create: (config) => new DepthwiseConvolution2D(config),
};

/** Registry definition of {@link SeparableConvolution2D}. */
export const separableConvolution2dDefinition: ComponentDefinition<'layer', SeparableConvolution2D, LayerConfigOf<SeparableConvolution2DOptions>> = {
  kind: 'layer',
  key: 'cnn/separable-convolution2d',
  contractVersion: LAYER_CONTRACT_VERSION,
  provider: '@dl4ts/cnn',
  description: 'Depthwise-separable convolution: depthwise, then a 1x1 convolution to nOut channels',
  options: optionNames<SeparableConvolution2DOptions>({ ...DEPTHWISE_OPTIONS, nOut: true }),
  create: (config) => new SeparableConvolution2D(config),
};
