import { ConfigError } from '../errors';
import { columnStats, type FitInput } from './column-stats';
import { Normalizer, checkRange, jsonNumbers, jsonRecord, type Affine } from './normalizer';

/** JSON form of {@link MinMax}. */
export interface MinMaxJSON {
  readonly type: 'core/min-max';
  readonly version: 1;
  readonly min: number[];
  readonly max: number[];
  readonly range: [number, number];
}

/**
 * Per-column min-max scaling to `range` (default `[0, 1]`):
 * `y = (x - min) / (max - min) * (high - low) + low`, with min and max of the training data.
 * A constant column maps to `low`. Values outside the training range map outside `range`.
 *
 * @example
 * ```ts
 * const norm = await new MinMax({ range: [-1, 1] }).fit(train);
 * ```
 */
export class MinMax extends Normalizer {
  readonly type = 'core/min-max';
  readonly name = 'MinMax';
  /** The output range `[low, high]`. */
  readonly range: [number, number];
  private stats: { min: Float64Array; max: Float64Array } | undefined;
  private cached: Affine | undefined;

  constructor(options: { range?: [number, number] } = {}) {
    super();
    this.range = checkRange(options.range ?? [0, 1], 'MinMax');
  }

  async fit(data: FitInput): Promise<this> {
    const s = await columnStats(data, 'MinMax.fit');
    this.set(s.min, s.max);
    return this;
  }

  /** Per-column minima of the training data (a copy); undefined before `fit`. */
  get min(): number[] | undefined {
    return this.stats && Array.from(this.stats.min);
  }

  /** Per-column maxima of the training data (a copy); undefined before `fit`. */
  get max(): number[] | undefined {
    return this.stats && Array.from(this.stats.max);
  }

  toJSON(): MinMaxJSON {
    const s = this.stats ?? this.notFitted('toJSON');
    return { type: this.type, version: 1, min: Array.from(s.min), max: Array.from(s.max), range: [...this.range] };
  }

  /** Rebuilds a fitted normaliser from {@link toJSON}'s output; validates every field. */
  static fromJSON(json: unknown): MinMax {
    const who = 'MinMax.fromJSON';
    const record = jsonRecord(json, 'core/min-max', who);
    const min = jsonNumbers(record, 'min', who);
    const max = jsonNumbers(record, 'max', who, min.length);
    const bad = min.findIndex((v, i) => v > (max[i] as number));
    if (bad >= 0) throw new ConfigError(`${who}: min[${bad}] = ${min[bad]} exceeds max[${bad}] = ${max[bad]}; expected min <= max`);
    const norm = new MinMax({ range: checkRange(record.range, who) });
    norm.set(min, max);
    return norm;
  }

  protected affine(): Affine | undefined {
    return this.cached;
  }

  private set(min: Float64Array, max: Float64Array): void {
    const [low, high] = this.range;
    const span = min.map((v, i) => ((max[i] as number) - v === 0 ? 1 : (max[i] as number) - v));
    this.stats = { min, max };
    this.cached = {
      shift: Float32Array.from(min),
      factor: Float32Array.from(span, (s) => (high - low) / s),
      inverse: Float32Array.from(span, (s) => s / (high - low)),
      offset: low,
      columns: min.length,
    };
  }
}
