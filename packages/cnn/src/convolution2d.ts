import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, LAYER_COMMON_OPTIONS, LAYER_CONTRACT_VERSION, optionNames } from '@dl4ts/core';
import type { Activation, BuildContext, ComponentDefinition, ForwardContext, Layer, LayerCommonOptions, LayerConfigOf, ParamMap, Shape } from '@dl4ts/core';
import type { ConvolutionWindowOptions } from './convolution-options';
import { CONVOLUTION_WINDOW_OPTIONS, checkConvolutionOptions, checkInputChannels, declareBias } from './convolution-options';
import type { PairOption, WindowGeometry } from './geometry';
import { imageShape, outputSize, tfjsPadding, windowGeometry } from './geometry';

/** Options of a 2-D convolution (DL4J's `ConvolutionLayer`, Keras's `Conv2D`). */
export interface Convolution2DOptions extends LayerCommonOptions, ConvolutionWindowOptions {
  /** Number of filters: the output's channels. */
  nOut: number;
  /** Dilation (atrous convolution). Default 1. Needs stride 1 on an axis it dilates. */
  dilation?: PairOption;
}

declare module '@dl4ts/core' {
  interface LayerConfigMap {
    'cnn/convolution2d': Convolution2DOptions;
  }
}

/** What {@link Convolution2D} is built from. */
export type Convolution2DConfig = LayerConfigOf<Convolution2DOptions>;

/** Activations that tfjs's fused convolution applies, with their gradients, by activation key. */
const FUSED: Partial<Record<string, 'linear' | 'relu'>> = { 'layers/identity': 'linear', 'core/identity': 'linear', 'layers/relu': 'relu' };

/** Checks what a dilated convolution needs of tfjs: a stride of 1 wherever the dilation is above 1. */
export function checkDilation(where: string, g: WindowGeometry): void {
  for (const i of [0, 1] as const) {
    if (g.dilation[i] > 1 && g.stride[i] > 1) {
      throw new ConfigError(`${where}: dilation ${g.dilation[i]} with stride ${g.stride[i]} on the ${i === 0 ? 'height' : 'width'} axis; a dilated axis needs stride 1`);
    }
  }
}

/**
 * A kernel `[kh, kw, cIn, cOut]` with `d - 1` zeros between its taps along each axis:
 * `[(kh - 1) dh + 1, (kw - 1) dw + 1, cIn, cOut]`, so that a plain convolution with it is the
 * dilated convolution. Pads, reshapes and slices of rank 4 at most, whose gradients tfjs has (the
 * gradient of the spread kernel gathers back the taps). Costs `dh dw` times the multiply-adds.
 */
export function dilateKernel(w: tf.Tensor4D, [dh, dw]: readonly [number, number]): tf.Tensor4D {
  const [kh, kw, cIn, cOut] = w.shape;
  const height = (kh - 1) * dh + 1;
  const width = (kw - 1) * dw + 1;
  // Rows: [kh, 1, rest] padded to [kh, dh, rest], read as [kh dh, ...] and cut after the last tap.
  const rest = kw * cIn * cOut;
  const rows = tf.slice(tf.reshape(tf.pad(tf.reshape(w, [kh, 1, rest]), [[0, 0], [0, dh - 1], [0, 0]]), [kh * dh, rest]), [0, 0], [height, rest]);
  // Columns the same way, on [height, kw, 1, cIn cOut].
  const cols = tf.pad(tf.reshape(rows, [height, kw, 1, cIn * cOut]), [[0, 0], [0, 0], [0, dw - 1], [0, 0]]);
  return tf.slice(tf.reshape<tf.Rank.R4>(cols, [height, kw * dw, cIn, cOut]), [0, 0, 0, 0], [height, width, cIn, cOut]);
}

/**
 * 2-D convolution over images `[batch, height, width, channels]` (channels last, as tfjs):
 * `y = f(conv(x, W) + b)` with `W [kh, kw, channels, nOut]` and `b [nOut]`.
 *
 * Weights are initialised with DL4J's fans: `fanIn = kh kw channels`,
 * `fanOut = kh kw nOut / (strideH strideW)`.
 *
 * @example
 * ```ts
 * { type: 'cnn/convolution2d', nOut: 20, kernelSize: 5, stride: 1, activation: 'identity' }
 * ```
 */
export class Convolution2D implements Layer {
  readonly key = 'cnn/convolution2d';
  private readonly geometry: WindowGeometry;
  private readonly where: string;
  private activation: Activation | undefined;

  constructor(readonly config: Convolution2DConfig) {
    this.where = `Layer "${config.name}" (cnn/convolution2d)`;
    this.geometry = windowGeometry(this.where, config, { kernel: [5, 5] });
    checkDilation(this.where, this.geometry);
    checkConvolutionOptions(this.where, config, 'the number of filters');
  }

  build(inputShape: Shape, context: BuildContext): Shape {
    const [height, width, channels] = imageShape(this.where, inputShape);
    const { nIn, nOut } = this.config;
    checkInputChannels(this.where, nIn, channels);
    const [outHeight, outWidth] = outputSize(this.where, this.geometry, height, width);
    const [kh, kw] = this.geometry.kernel;
    const fanIn = kh * kw * channels;
    const fanOut = (kh * kw * nOut) / (this.geometry.stride[0] * this.geometry.stride[1]);
    this.activation = context.activation(this.config.activation);
    context.addParam({ name: 'W', shape: [kh, kw, channels, nOut], role: 'weight', init: context.weightInit(this.config.weightInit), fanIn, fanOut });
    declareBias(context, this.config, nOut, fanIn, fanOut);
    return [outHeight, outWidth, nOut];
  }

  forward(input: tf.Tensor, params: ParamMap, context: ForwardContext): tf.Tensor {
    const activation = this.activation as Activation;
    const { stride, dilation } = this.geometry;
    const pad = tfjsPadding(this.geometry);
    const x = input as tf.Tensor4D;
    const w = params.W as tf.Tensor4D;
    // tfjs has no gradient for dilated convolutions: the kernel is spread out with zeros instead.
    const filter = dilation[0] === 1 && dilation[1] === 1 ? w : dilateKernel(w, dilation);
    const fused = FUSED[activation.key];
    if (fused !== undefined) {
      return tf.fused.conv2d({ x, filter, strides: stride, pad, ...(params.b === undefined ? {} : { bias: params.b }), activation: fused });
    }
    const z = tf.conv2d(x, filter, stride, pad, 'NHWC');
    return activation.apply(params.b === undefined ? z : tf.add(z, params.b), context);
  }
}

/** Registry definition of {@link Convolution2D}. */
export const convolution2dDefinition: ComponentDefinition<'layer', Convolution2D, Convolution2DConfig> = {
  kind: 'layer',
  key: 'cnn/convolution2d',
  contractVersion: LAYER_CONTRACT_VERSION,
  provider: '@dl4ts/cnn',
  description: '2-D convolution over [height, width, channels] images, y = f(conv(x, W) + b)',
  options: optionNames<Convolution2DOptions>({ ...LAYER_COMMON_OPTIONS, ...CONVOLUTION_WINDOW_OPTIONS, nOut: true, dilation: true }),
  create: (config) => new Convolution2D(config),
};
