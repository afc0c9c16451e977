import { columnStats, type FitInput } from './column-stats';
import { Normalizer, jsonNumbers, jsonRecord, type Affine } from './normalizer';
import { ConfigError } from '../errors';

/** JSON form of {@link Standardize}. */
export interface StandardizeJSON {
  readonly type: 'core/standardize';
  readonly version: 1;
  readonly mean: number[];
  readonly std: number[];
}

/**
 * Per-column standardisation, `y = (x - mean) / std`, with the population standard deviation of
 * the training data. A constant column (std 0) gets std 1, so it maps to 0 instead of NaN.
 *
 * @example
 * ```ts
 * const norm = await new Standardize().fit(train);
 * const x = norm.transform(test.features);
 * const again = Standardize.fromJSON(norm.toJSON());
 * ```
 */
export class Standardize extends Normalizer {
  readonly type = 'core/standardize';
  readonly name = 'Standardize';
  private stats: { mean: Float64Array; std: Float64Array } | undefined;
  private cached: Affine | undefined;

  async fit(data: FitInput): Promise<this> {
    const s = await columnStats(data, 'Standardize.fit');
    this.set(s.mean, s.variance.map(Math.sqrt));
    return this;
  }

  /** Per-column means (a copy); undefined before `fit`. */
  get mean(): number[] | undefined {
    return this.stats && Array.from(this.stats.mean);
  }

  /** Per-column standard deviations after the 0 -> 1 replacement (a copy); undefined before `fit`. */
  get std(): number[] | undefined {
    return this.stats && Array.from(this.stats.std);
  }

  toJSON(): StandardizeJSON {
    const s = this.stats ?? this.notFitted('toJSON');
    return { type: this.type, version: 1, mean: Array.from(s.mean), std: Array.from(s.std) };
  }

  /** Rebuilds a fitted normaliser from {@link toJSON}'s output; validates every field. */
  static fromJSON(json: unknown): Standardize {
    const who = 'Standardize.fromJSON';
    const record = jsonRecord(json, 'core/standardize', who);
    const mean = jsonNumbers(record, 'mean', who);
    const std = jsonNumbers(record, 'std', who, mean.length);
    const bad = std.findIndex((v) => !(v > 0));
    if (bad >= 0) throw new ConfigError(`${who}: std[${bad}] is ${std[bad]}; expected a positive number`);
    const norm = new Standardize();
    norm.set(mean, std);
    return norm;
  }

  protected affine(): Affine | undefined {
    return this.cached;
  }

  private set(mean: Float64Array, std: Float64Array): void {
    const safe = std.map((v) => (v === 0 ? 1 : v));
    this.stats = { mean, std: safe };
    this.cached = {
      shift: Float32Array.from(mean),
      factor: Float32Array.from(safe, (v) => 1 / v),
      inverse: Float32Array.from(safe),
      offset: 0,
      columns: mean.length,
    };
  }
}
