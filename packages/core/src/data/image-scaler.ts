import { ConfigError, formatValue } from '../errors';
import type { FitInput } from './column-stats';
import { Normalizer, checkRange, jsonRecord, type Affine } from './normalizer';

/** JSON form of {@link ImageScaler}. */
export interface ImageScalerJSON {
  readonly type: 'core/image-scaler';
  readonly version: 1;
  readonly maxValue: number;
  readonly range: [number, number];
}

/**
 * Scales pixel values from `[0, maxValue]` (default 255) to `range` (default `[0, 1]`):
 * `y = x / maxValue * (high - low) + low`, as DL4J's ImagePreProcessingScaler. Needs no
 * statistics, so it is fitted from the start; `fit` is accepted for a uniform API and does nothing.
 *
 * @example
 * ```ts
 * const x = new ImageScaler().transform(pixels); // 0..255 -> 0..1
 * ```
 */
export class ImageScaler extends Normalizer {
  readonly type = 'core/image-scaler';
  readonly name = 'ImageScaler';
  readonly maxValue: number;
  readonly range: [number, number];
  private readonly cached: Affine;

  constructor(options: { maxValue?: number; range?: [number, number] } = {}) {
    super();
    const maxValue = options.maxValue ?? 255;
    if (!(Number.isFinite(maxValue) && maxValue > 0)) throw new ConfigError(`ImageScaler: maxValue must be a positive finite number, received ${formatValue(maxValue)}`);
    this.maxValue = maxValue;
    this.range = checkRange(options.range ?? [0, 1], 'ImageScaler');
    const [low, high] = this.range;
    this.cached = { shift: 0, factor: (high - low) / maxValue, inverse: maxValue / (high - low), offset: low, columns: undefined };
  }

  async fit(_data: FitInput): Promise<this> {
    return this;
  }

  toJSON(): ImageScalerJSON {
    return { type: this.type, version: 1, maxValue: this.maxValue, range: [...this.range] };
  }

  /** Rebuilds the scaler from {@link toJSON}'s output. */
  static fromJSON(json: unknown): ImageScaler {
    const who = 'ImageScaler.fromJSON';
    const record = jsonRecord(json, 'core/image-scaler', who);
    if (typeof record.maxValue !== 'number') throw new ConfigError(`${who}: maxValue is ${JSON.stringify(record.maxValue)}; expected a positive number`);
    return new ImageScaler({ maxValue: record.maxValue, range: checkRange(record.range, who) });
  }

  protected affine(): Affine {
    return this.cached;
  }
}
