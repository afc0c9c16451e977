import { ConfigError, ShapeError, formatValue } from '@dl4ts/core';
import type { BuildContext, LayerCommonOptions } from '@dl4ts/core';
import { choiceOption } from '@dl4ts/layers';
import type { ConvolutionMode, PaddingOption, PairOption } from './geometry';

/** What every convolution layer (plain, transposed, depthwise, separable) takes besides the common options. */
export interface ConvolutionWindowOptions {
  /** Input channels; inferred from the previous layer, checked when given. */
  nIn?: number;
  /** Kernel `[height, width]` or one size for both. Default 5 (DL4J's). */
  kernelSize?: PairOption;
  /** Default 1. */
  stride?: PairOption;
  /** Zero padding, or `'same'`. Default none. */
  padding?: PaddingOption;
  /** DL4J's convolution mode; default `truncate`. */
  convolutionMode?: ConvolutionMode;
  /** Whether the layer adds a bias per output channel. Default true. */
  hasBias?: boolean;
}

/** The option names of {@link ConvolutionWindowOptions}, for a definition's `options`. */
export const CONVOLUTION_WINDOW_OPTIONS = { nIn: true, kernelSize: true, stride: true, padding: true, convolutionMode: true, hasBias: true } as const;

/** Checks the options a convolution checks at construction: `hasBias` a boolean, and `nOut` (when the layer has one) a positive integer. */
export function checkConvolutionOptions(where: string, config: ConvolutionWindowOptions & { nOut?: unknown }, nOut?: string): void {
  choiceOption(where, config as Readonly<Record<string, unknown>>, 'hasBias', [true, false], true);
  if (nOut !== undefined && !(Number.isInteger(config.nOut) && (config.nOut as number) > 0)) throw new ConfigError(`${where}: nOut must be a positive integer (${nOut}), received ${formatValue(config.nOut)}`);
}

/** The input's channels against a declared `nIn`. */
export function checkInputChannels(where: string, nIn: number | undefined, channels: number): void {
  if (nIn !== undefined && nIn !== channels) throw new ShapeError(`${where}: input has ${channels} channels, expected nIn=${nIn}`, [channels], [nIn]);
}

/** Declares the bias `b [size]` (initialised to `biasInit`) unless `hasBias` is false. */
export function declareBias(context: BuildContext, config: ConvolutionWindowOptions & Pick<LayerCommonOptions, 'biasInit'>, size: number, fanIn: number, fanOut: number): void {
  if (config.hasBias === false) return;
  context.addParam({ name: 'b', shape: [size], role: 'bias', init: context.weightInit({ type: 'layers/constant', value: config.biasInit ?? 0 }), fanIn, fanOut });
}
