import { ConfigError, ShapeError, formatValue } from '@dl4ts/core';
import type { Shape } from '@dl4ts/core';

/** Two sizes, rows then columns: `[height, width]`. */
export type Pair = [number, number];

/** Zero padding per side: `[top, bottom, left, right]`. */
export type Sides = readonly [number, number, number, number];

/** A size given as one number for both axes or as `[height, width]`. */
export type PairOption = number | readonly [number, number];

/**
 * Padding of a convolution or pooling window: `'same'` (output `ceil(in / stride)`, TensorFlow's
 * split, the extra row or column at the bottom and right), `'valid'` (none), or explicit zeros:
 * one number for every side, `[rows, columns]` for both sides of each axis, or
 * `[top, bottom, left, right]`.
 */
export type PaddingOption = 'same' | 'valid' | number | readonly [number, number] | readonly [number, number, number, number];

/**
 * DL4J's `ConvolutionMode`: `truncate` (its default: explicit padding, a window that does not fit
 * at the end is dropped), `strict` (explicit padding, and the windows must tile the padded input
 * exactly, else a `ShapeError`), `same` (as padding `'same'`). DL4J's capitalised names are accepted.
 */
export type ConvolutionMode = 'truncate' | 'strict' | 'same' | 'Truncate' | 'Strict' | 'Same';

/** How windows cover the input, resolved from the options. */
export interface WindowGeometry {
  readonly kernel: Pair;
  readonly stride: Pair;
  readonly dilation: Pair;
  /** `'same'`, or the zeros added on each side. */
  readonly padding: 'same' | Sides;
  /** Windows must tile the padded input exactly (DL4J's strict mode). */
  readonly strict: boolean;
}

/** The options {@link windowGeometry} reads. */
export interface WindowOptions {
  readonly kernelSize?: PairOption;
  readonly stride?: PairOption;
  readonly dilation?: PairOption;
  readonly padding?: PaddingOption;
  readonly convolutionMode?: ConvolutionMode;
}

const isCount = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min;

/** A `PairOption` as `[height, width]` of integers >= `min`; `fallback` when absent. */
export function pairOption(owner: string, options: Readonly<Record<string, unknown>>, name: string, fallback: Pair, min = 1): Pair {
  const value = options[name];
  if (value === undefined) return fallback;
  if (isCount(value, min)) return [value, value];
  if (Array.isArray(value) && value.length === 2 && value.every((v) => isCount(v, min))) return [value[0] as number, value[1] as number];
  throw new ConfigError(`${owner}: ${name} must be an integer >= ${min} or [height, width] of such integers, received ${formatValue(value)}`);
}

/** Explicit padding as `[top, bottom, left, right]`; `'valid'` is zeros. */
export function sidesOption(owner: string, name: string, value: unknown): Sides {
  if (value === undefined || value === 'valid') return [0, 0, 0, 0];
  if (isCount(value, 0)) return [value, value, value, value];
  if (Array.isArray(value) && value.every((v) => isCount(v, 0))) {
    if (value.length === 2) return [value[0], value[0], value[1], value[1]] as Sides;
    if (value.length === 4) return [value[0], value[1], value[2], value[3]] as Sides;
  }
  throw new ConfigError(`${owner}: ${name} must be 'same', 'valid', an integer >= 0, [rows, columns] or [top, bottom, left, right] of integers >= 0, received ${formatValue(value)}`);
}

const MODES: Readonly<Record<string, 'truncate' | 'strict' | 'same'>> = { truncate: 'truncate', strict: 'strict', same: 'same', Truncate: 'truncate', Strict: 'strict', Same: 'same' };

/**
 * Reads kernel, stride, dilation, padding and convolution mode. `'same'` padding and `same` mode
 * are one thing; `same` mode with explicit padding is refused rather than one of them ignored.
 */
export function windowGeometry(owner: string, options: WindowOptions, defaults: { kernel: Pair; stride?: Pair }): WindowGeometry {
  const record = options as Readonly<Record<string, unknown>>;
  const kernel = pairOption(owner, record, 'kernelSize', defaults.kernel);
  const stride = pairOption(owner, record, 'stride', defaults.stride ?? [1, 1]);
  const dilation = pairOption(owner, record, 'dilation', [1, 1]);
  const modeName = options.convolutionMode;
  const mode = modeName === undefined ? 'truncate' : MODES[modeName];
  if (mode === undefined) throw new ConfigError(`${owner}: convolutionMode must be one of "truncate", "strict", "same" (or DL4J's Truncate, Strict, Same), received ${formatValue(modeName)}`);
  if (mode === 'same' || options.padding === 'same') {
    if (options.padding !== undefined && options.padding !== 'same' && sidesOption(owner, 'padding', options.padding).some((p) => p > 0)) {
      throw new ConfigError(`${owner}: convolutionMode "same" chooses the padding itself, received padding ${formatValue(options.padding)} too; remove one`);
    }
    if (mode === 'strict') throw new ConfigError(`${owner}: padding 'same' with convolutionMode "strict"; use one of them`);
    return { kernel, stride, dilation, padding: 'same', strict: false };
  }
  return { kernel, stride, dilation, padding: sidesOption(owner, 'padding', options.padding), strict: mode === 'strict' };
}

/** The extent of a dilated kernel: `(k - 1) d + 1`. */
export const dilated = (k: number, d: number): number => (k - 1) * d + 1;

/**
 * The zeros on each side and the output size along one axis. `'same'` pads
 * `max((out - 1) s + (k - 1) d + 1 - in, 0)` in all, the smaller half before (TensorFlow's rule).
 */
export function axis(size: number, k: number, s: number, d: number, padding: 'same' | readonly [number, number]): { before: number; after: number; out: number } {
  if (padding === 'same') {
    const out = Math.ceil(size / s);
    const total = Math.max((out - 1) * s + dilated(k, d) - size, 0);
    return { before: Math.floor(total / 2), after: total - Math.floor(total / 2), out };
  }
  const [before, after] = padding;
  return { before, after, out: Math.floor((size + before + after - dilated(k, d)) / s) + 1 };
}

/** Zeros on each side for an input of `[height, width]`: `'same'` resolved. */
export function resolvedSides(g: WindowGeometry, height: number, width: number): Sides {
  if (g.padding !== 'same') return g.padding;
  const rows = axis(height, g.kernel[0], g.stride[0], g.dilation[0], 'same');
  const cols = axis(width, g.kernel[1], g.stride[1], g.dilation[1], 'same');
  return [rows.before, rows.after, cols.before, cols.after];
}

/**
 * The input must be an image `[height, width, channels]` of known size; returns it.
 * `what` names the layer in the message.
 */
export function imageShape(where: string, inputShape: Shape): readonly [number, number, number] {
  if (inputShape.length !== 3 || inputShape.some((d) => !(Number.isInteger(d) && d > 0))) {
    throw new ShapeError(`${where}: input has shape [${inputShape.join(', ')}] per example, expected an image [height, width, channels] of known sizes (flat input: reshape it first, { type: 'cnn/reshape', shape: [height, width, channels] })`, inputShape, [-1, -1, -1]);
  }
  return [inputShape[0] as number, inputShape[1] as number, inputShape[2] as number];
}

/**
 * The output `[height, width]` of windows over an input of `[height, width]`, with the checks a
 * user needs named: a window larger than the padded input, and strict mode's exact tiling.
 */
export function outputSize(where: string, g: WindowGeometry, height: number, width: number): Pair {
  const [top, bottom, left, right] = resolvedSides(g, height, width);
  const sizes = ([[height, top, bottom, 0], [width, left, right, 1]] as const).map(([size, before, after, i]) => {
    const extent = dilated(g.kernel[i], g.dilation[i]);
    const name = i === 0 ? 'height' : 'width';
    if (extent > size + before + after) {
      const what = g.dilation[i] > 1 ? `kernel ${g.kernel[i]} dilated by ${g.dilation[i]} spans ${extent}` : `kernel ${name} ${extent}`;
      throw new ShapeError(`${where}: ${what}, larger than the input's padded ${name} ${size + before + after} (${size} + padding ${before} + ${after})`, [size + before + after], [extent]);
    }
    if (g.strict && (size + before + after - extent) % g.stride[i] !== 0) {
      throw new ShapeError(
        `${where}: convolutionMode "strict": windows of ${extent} with stride ${g.stride[i]} do not tile the padded ${name} ${size + before + after} exactly; use convolutionMode "truncate" or "same", or change the padding`,
        [size + before + after],
        [extent],
      );
    }
    return axis(size, g.kernel[i], g.stride[i], g.dilation[i], [before, after]).out;
  });
  return [sizes[0] as number, sizes[1] as number];
}

/** tfjs's `pad` argument for `conv2d` and friends: `'same'`, `'valid'` or explicit NHWC pairs. */
export function tfjsPadding(g: WindowGeometry): 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]] {
  if (g.padding === 'same') return 'same';
  const [top, bottom, left, right] = g.padding;
  if (top + bottom + left + right === 0) return 'valid';
  return [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
}
