import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, LAYER_CONTRACT_VERSION, ShapeError, optionNames } from '@dl4ts/core';
import type { ComponentDefinition, Layer, LayerCommonOptions, LayerConfigOf, Shape } from '@dl4ts/core';
import type { PairOption, Sides } from './geometry';
import { imageShape, pairOption, sidesOption } from './geometry';

/** Rows and columns added or removed per side: one number, `[rows, columns]` or `[top, bottom, left, right]`. */
export type SidesOption = number | readonly [number, number] | readonly [number, number, number, number];

/** Options of {@link ZeroPadding2D}. */
export interface ZeroPadding2DOptions extends Pick<LayerCommonOptions, 'name'> {
  padding: SidesOption;
}

/** Options of {@link Cropping2D}. */
export interface Cropping2DOptions extends Pick<LayerCommonOptions, 'name'> {
  cropping: SidesOption;
}

/** Options of {@link SpaceToDepth}. */
export interface SpaceToDepthOptions extends Pick<LayerCommonOptions, 'name'> {
  /** The side of the square blocks moved into channels: an integer >= 2 that divides height and width. */
  blockSize: number;
}

/** Options of {@link Upsampling2D}. */
export interface Upsampling2DOptions extends Pick<LayerCommonOptions, 'name'> {
  /** Each pixel repeated `[rows, columns]` times, or one factor for both. Default 2. */
  size?: PairOption;
}

declare module '@dl4ts/core' {
  interface LayerConfigMap {
    'cnn/zero-padding2d': ZeroPadding2DOptions;
    'cnn/cropping2d': Cropping2DOptions;
    'cnn/upsampling2d': Upsampling2DOptions;
    'cnn/space-to-depth': SpaceToDepthOptions;
  }
}

/**
 * Zeros around each image: `[h, w, c]` -> `[h + top + bottom, w + left + right, c]` (DL4J's
 * `ZeroPaddingLayer`). No parameters.
 *
 * @example
 * ```ts
 * { type: 'cnn/zero-padding2d', padding: [2, 2] }
 * ```
 */
export class ZeroPadding2D implements Layer {
  readonly key = 'cnn/zero-padding2d';
  private readonly sides: Sides;

  constructor(readonly config: LayerConfigOf<ZeroPadding2DOptions>) {
    const where = `Layer "${config.name}" (cnn/zero-padding2d)`;
    if (config.padding === undefined) throw new ConfigError(`${where}: padding is required: an integer, [rows, columns] or [top, bottom, left, right]`);
    this.sides = sidesOption(where, 'padding', config.padding);
  }

  build(inputShape: Shape): Shape {
    const [h, w, c] = imageShape(`Layer "${this.config.name}" (cnn/zero-padding2d)`, inputShape);
    const [top, bottom, left, right] = this.sides;
    return [h + top + bottom, w + left + right, c];
  }

  forward(input: tf.Tensor): tf.Tensor {
    const [top, bottom, left, right] = this.sides;
    return tf.pad(input, [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0],
    ]);
  }
}

/**
 * Rows and columns cut from the edges of each image (DL4J's `Cropping2D`). No parameters.
 *
 * @example
 * ```ts
 * { type: 'cnn/cropping2d', cropping: [1, 1, 2, 2] }
 * ```
 */
export class Cropping2D implements Layer {
  readonly key = 'cnn/cropping2d';
  private readonly sides: Sides;
  private outShape: readonly [number, number, number] = [0, 0, 0];

  constructor(readonly config: LayerConfigOf<Cropping2DOptions>) {
    const where = `Layer "${config.name}" (cnn/cropping2d)`;
    if (config.cropping === undefined) throw new ConfigError(`${where}: cropping is required: an integer, [rows, columns] or [top, bottom, left, right]`);
    this.sides = sidesOption(where, 'cropping', config.cropping);
  }

  build(inputShape: Shape): Shape {
    const where = `Layer "${this.config.name}" (cnn/cropping2d)`;
    const [h, w, c] = imageShape(where, inputShape);
    const [top, bottom, left, right] = this.sides;
    if (top + bottom >= h || left + right >= w) {
      throw new ShapeError(`${where}: cropping [${this.sides.join(', ')}] leaves nothing of an input [${h}, ${w}, ${c}]`, inputShape, [top + bottom + 1, left + right + 1, c]);
    }
    this.outShape = [h - top - bottom, w - left - right, c];
    return this.outShape;
  }

  forward(input: tf.Tensor): tf.Tensor {
    const [top, , left] = this.sides;
    return tf.slice(input, [0, top, left, 0], [-1, ...this.outShape]);
  }
}

/**
 * Nearest-neighbour upsampling: each pixel repeated `size` times along rows and columns
 * (DL4J's `Upsampling2D`). Built from reshapes and tiles, so its gradient (the sum over each
 * block) is exact on every backend. No parameters.
 *
 * @example
 * ```ts
 * { type: 'cnn/upsampling2d', size: 2 }
 * ```
 */
export class Upsampling2D implements Layer {
  readonly key = 'cnn/upsampling2d';
  private readonly size: readonly [number, number];

  constructor(readonly config: LayerConfigOf<Upsampling2DOptions>) {
    this.size = pairOption(`Layer "${config.name}" (cnn/upsampling2d)`, config, 'size', [2, 2]);
  }

  build(inputShape: Shape): Shape {
    const [h, w, c] = imageShape(`Layer "${this.config.name}" (cnn/upsampling2d)`, inputShape);
    return [h * this.size[0], w * this.size[1], c];
  }

  forward(input: tf.Tensor): tf.Tensor {
    const [b, h, w, c] = input.shape as [number, number, number, number];
    const [sh, sw] = this.size;
    // Rank-4 tiles only: tfjs has no tile gradient above rank 4.
    const rows = tf.reshape(tf.tile(tf.reshape(input, [b, h, 1, w * c]), [1, 1, sh, 1]), [b * h * sh, w, 1, c]);
    return tf.reshape(tf.tile(rows, [1, 1, sw, 1]), [b, h * sh, w * sw, c]);
  }
}

/**
 * Each `b x b` block of pixels moved into the channels (DL4J's `SpaceToDepthLayer`, TensorFlow's
 * `space_to_depth`): `[h, w, c]` -> `[h / b, w / b, b b c]`, channel `(bi b + bj) c + ch` holding
 * pixel `(bi, bj)` of its block. Reshapes and one rank-4 transpose; no parameters.
 *
 * @example
 * ```ts
 * { type: 'cnn/space-to-depth', blockSize: 2 }
 * ```
 */
export class SpaceToDepth implements Layer {
  readonly key = 'cnn/space-to-depth';
  private readonly block: number;

  constructor(readonly config: LayerConfigOf<SpaceToDepthOptions>) {
    const b = config.blockSize;
    if (!(Number.isInteger(b) && b >= 2)) throw new ConfigError(`Layer "${config.name}" (cnn/space-to-depth): blockSize must be an integer >= 2, received ${JSON.stringify(b)}`);
    this.block = b;
  }

  build(inputShape: Shape): Shape {
    const where = `Layer "${this.config.name}" (cnn/space-to-depth)`;
    const [h, w, c] = imageShape(where, inputShape);
    const b = this.block;
    if (h % b !== 0 || w % b !== 0) throw new ShapeError(`${where}: blockSize ${b} does not divide the input's height ${h} and width ${w}`, inputShape, [Math.ceil(h / b) * b, Math.ceil(w / b) * b, c]);
    return [h / b, w / b, b * b * c];
  }

  forward(input: tf.Tensor): tf.Tensor {
    const [n, h, w, c] = input.shape as [number, number, number, number];
    const b = this.block;
    // [n h/b, bi, w/b, (bj, ch)] -> [n h/b, w/b, bi, (bj, ch)]: depth (bi b + bj) c + ch.
    const blocks = tf.transpose(tf.reshape(input, [(n * h) / b, b, w / b, b * c]), [0, 2, 1, 3]);
    return tf.reshape(blocks, [n, h / b, w / b, b * b * c]);
  }
}

/** Registry definition of {@link SpaceToDepth}. */
export const spaceToDepthDefinition: ComponentDefinition<'layer', SpaceToDepth, LayerConfigOf<SpaceToDepthOptions>> = {
  kind: 'layer',
  key: 'cnn/space-to-depth',
  contractVersion: LAYER_CONTRACT_VERSION,
  provider: '@dl4ts/cnn',
  description: 'Each b x b block of pixels moved into the channels: [h, w, c] -> [h/b, w/b, b b c]',
  options: optionNames<SpaceToDepthOptions>({ name: true, blockSize: true }),
  create: (config) => new SpaceToDepth(config),
};

/** Registry definition of {@link ZeroPadding2D}. */
export const zeroPadding2dDefinition: ComponentDefinition<'layer', ZeroPadding2D, LayerConfigOf<ZeroPadding2DOptions>> = {
  kind: 'layer',
  key: 'cnn/zero-padding2d',
  contractVersion: LAYER_CONTRACT_VERSION,
  provider: '@dl4ts/cnn',
  description: 'Zeros around each [height, width, channels] image',
  options: optionNames<ZeroPadding2DOptions>({ name: true, padding: true }),
  create: (config) => new ZeroPadding2D(config),
};

/** Registry definition of {@link Cropping2D}. */
export const cropping2dDefinition: ComponentDefinition<'layer', Cropping2D, LayerConfigOf<Cropping2DOptions>> = {
  kind: 'layer',
  key: 'cnn/cropping2d',
  contractVersion: LAYER_CONTRACT_VERSION,
  provider: '@dl4ts/cnn',
  description: 'Rows and columns cut from the edges of each image',
  options: optionNames<Cropping2DOptions>({ name: true, cropping: true }),
  create: (config) => new Cropping2D(config),
};

/** Registry definition of {@link Upsampling2D}. */
export const upsampling2dDefinition: ComponentDefinition<'layer', Upsampling2D, LayerConfigOf<Upsampling2DOptions>> = {
  kind: 'layer',
  key: 'cnn/upsampling2d',
  contractVersion: LAYER_CONTRACT_VERSION,
  provider: '@dl4ts/cnn',
  description: 'Nearest-neighbour upsampling: each pixel repeated size times along rows and columns',
  options: optionNames<Upsampling2DOptions>({ name: true, size: true }),
  create: (config) => new Upsampling2D(config),
};
