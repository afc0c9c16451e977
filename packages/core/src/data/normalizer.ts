import * as tf from '@tensorflow/tfjs-core';
import { DataSet, type BatchSource } from '../data-set';
import { ConfigError, ShapeError, formatShape, formatValue } from '../errors';
import type { Batch } from '../training-strategy';
import type { FitInput } from './column-stats';
import { NotFittedError } from './errors';

/** What every normaliser's JSON holds: its `type` key, which `normalizerFromJSON` dispatches on. */
export interface NormalizerJSONBase {
  readonly type: string;
}

/**
 * A per-column affine map, `y = (x - shift) * factor + offset`, and its inverse. Arrays are per
 * column (the last axis); numbers apply to every column.
 */
export interface Affine {
  readonly shift: Float32Array | number;
  readonly factor: Float32Array | number;
  /** `1 / factor`, computed in float64 so that `revert` does not divide in float32. */
  readonly inverse: Float32Array | number;
  readonly offset: number;
  /** Number of columns the statistics were fitted on; undefined for column-free scalers. */
  readonly columns: number | undefined;
}

/**
 * Feature normaliser fitted on training data and applied to features (never to labels), kept
 * with the model as JSON. Subclasses compute statistics in `fit` and expose them as an affine map.
 *
 * @example
 * ```ts
 * const norm = await new Standardize().fit(train);
 * const trainN = norm.apply(train);   // new DataSet, features standardised
 * const json = JSON.stringify(norm);  // keep it with the model
 * ```
 */
export abstract class Normalizer {
  /** The JSON `type` key, e.g. `core/standardize`. */
  abstract readonly type: string;
  /** Class name for messages (explicit because minifiers rename classes). */
  abstract readonly name: string;

  /** Computes the statistics from `data`'s features. Resolves to `this`. */
  abstract fit(data: FitInput): Promise<this>;

  /** The statistics as plain JSON. Throws {@link NotFittedError} before `fit`. */
  abstract toJSON(): NormalizerJSONBase;

  /** The affine map, or undefined before `fit`. */
  protected abstract affine(): Affine | undefined;

  /** Whether `fit` has run (or the statistics came from JSON). */
  get fitted(): boolean {
    return this.affine() !== undefined;
  }

  /** Normalises a float tensor whose last axis holds the columns. The caller owns the result. */
  transform(x: tf.Tensor): tf.Tensor {
    const a = this.checked('transform', x);
    return tf.tidy(() => tf.add(tf.mul(tf.sub(tf.cast(x, 'float32'), a.shift), a.factor), a.offset));
  }

  /** Undoes {@link transform}: `x = (y - offset) / factor + shift`. */
  revert(y: tf.Tensor): tf.Tensor {
    const a = this.checked('revert', y);
    return tf.tidy(() => tf.add(tf.mul(tf.sub(tf.cast(y, 'float32'), a.offset), a.inverse), a.shift));
  }

  /** A new data set with normalised features and a copy of the labels. */
  apply(data: DataSet): DataSet {
    return DataSet.adopt(this.transform(data.features) as tf.Tensor2D, data.labels.clone());
  }

  /** A batch source whose batches have normalised features (for streamed data). */
  wrap(source: BatchSource): BatchSource {
    const transform = (x: tf.Tensor): tf.Tensor => this.transform(x);
    this.checked('wrap');
    return {
      size: source.size,
      async *batches(batchSize, rng): AsyncIterable<Batch> {
        for await (const batch of source.batches(batchSize, rng)) {
          let features: tf.Tensor;
          try {
            features = transform(batch.features);
          } catch (error) {
            tf.dispose([batch.features, batch.labels]);
            throw error;
          }
          batch.features.dispose();
          yield { features, labels: batch.labels };
        }
      },
    };
  }

  /** Throws the {@link NotFittedError} for `method`. */
  protected notFitted(method: string): never {
    throw new NotFittedError(`${this.name}.${method}: not fitted; call fit(trainingData) first or rebuild it with fromJSON`);
  }

  /** The affine map; throws if unfitted or if `x` has the wrong number of columns. */
  protected checked(method: string, x?: tf.Tensor): Affine {
    const a = this.affine() ?? this.notFitted(method);
    if (x !== undefined && a.columns !== undefined) {
      const columns = x.rank === 0 ? 0 : (x.shape[x.rank - 1] as number);
      if (columns !== a.columns) {
        throw new ShapeError(`${this.name}.${method}: input has ${columns} columns (shape ${formatShape(x.shape)}), fitted on ${a.columns}; expected [..., ${a.columns}]`, x.shape, [-1, a.columns]);
      }
    }
    return a;
  }
}

/** Checks a normaliser's JSON `type` and `version`; returns it as a record for field reads. */
export function jsonRecord(json: unknown, type: string, who: string): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ConfigError(`${who}: received ${json === null ? 'null' : typeof json}; expected an object { type: '${type}', ... }`);
  const record = json as Record<string, unknown>;
  if (record.type !== type) throw new ConfigError(`${who}: type is ${JSON.stringify(record.type)}; expected '${type}'`);
  if (record.version !== 1) throw new ConfigError(`${who}: version is ${JSON.stringify(record.version)}; expected 1 (the only version this core reads)`);
  return record;
}

/** Reads a finite number array field of a normaliser's JSON, optionally of a given length. */
export function jsonNumbers(record: Record<string, unknown>, key: string, who: string, length?: number): Float64Array {
  const value = record[key];
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new ConfigError(`${who}: ${key} must be a non-empty array of finite numbers, received ${JSON.stringify(value)?.slice(0, 80)}`);
  }
  if (length !== undefined && value.length !== length) throw new ConfigError(`${who}: ${key} has ${value.length} values; expected ${length}, one per column`);
  return Float64Array.from(value as number[]);
}

/** Reads and checks an output range `[low, high]` with `low < high`. */
export function checkRange(range: unknown, who: string): [number, number] {
  if (!Array.isArray(range) || range.length !== 2 || !range.every((v) => typeof v === 'number' && Number.isFinite(v)) || !((range[0] as number) < (range[1] as number))) {
    throw new ConfigError(`${who}: range must be [low, high] with finite low < high, received ${formatValue(range)}`);
  }
  return [range[0] as number, range[1] as number];
}
