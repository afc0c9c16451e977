import * as tf from '@tensorflow/tfjs-core';
import { Dl4tsError, ShapeError, ValueError, formatShape, formatValue } from './errors';
import { checkFiniteValues } from './finite-values';
import { Rng } from './random';
import type { AnyBatch, Batch } from './training-strategy';

/** Host or device data accepted for features and labels. */
export type ArrayInput = tf.Tensor | number[] | number[][] | Float32Array | Float64Array | Int32Array | Uint8Array;

/**
 * A source of minibatches for one epoch. {@link DataSet} is the in-memory one; a graph's sources
 * give {@link MultiBatch}es (`MultiDataSet`).
 */
export interface BatchSource<B extends AnyBatch = Batch> {
  /** Number of examples, if known. */
  readonly size?: number | undefined;
  /**
   * Minibatches for one epoch. The consumer disposes each batch's tensors after use.
   * `rng` is given when the caller wants a seeded shuffle.
   */
  batches(batchSize: number, rng?: Rng): Iterable<B> | AsyncIterable<B>;
}

/**
 * Features and labels held as two tensors, rows aligned. Validated on creation: row counts agree,
 * shapes are rank 2, and (on {@link DataSet.check}) every value is finite.
 *
 * @example
 * ```ts
 * const data = DataSet.from([[0, 1], [1, 0]], [[1, 0], [0, 1]]);
 * await net.fit(data, { epochs: 5, batchSize: 2 });
 * data.dispose();
 * ```
 */
export class DataSet implements BatchSource {
  private constructor(
    readonly features: tf.Tensor2D,
    readonly labels: tf.Tensor2D,
  ) {}

  /**
   * Builds a data set. Flat typed arrays need `shape` hints: `{ features: [n, d] }`. Tensors passed
   * in are cloned, so the caller keeps ownership of its own.
   */
  static from(features: ArrayInput, labels: ArrayInput, shapes: { features?: [number, number]; labels?: [number, number] } = {}): DataSet {
    const x = toTensor2D(features, 'features', shapes.features);
    let y: tf.Tensor2D;
    try {
      y = toTensor2D(labels, 'labels', shapes.labels);
    } catch (error) {
      x.dispose();
      throw error;
    }
    return DataSet.adopt(x, y);
  }

  /**
   * Builds a data set that takes ownership of two rank-2 tensors without copying them: they are
   * disposed with the data set (and at once if validation fails). Non-float32 tensors are cast.
   *
   * @example
   * ```ts
   * const data = DataSet.adopt(tf.tensor2d(pixels, [n, 784]), oneHot(digits, 10));
   * ```
   */
  static adopt(features: tf.Tensor2D, labels: tf.Tensor2D): DataSet {
    const fail = (error: Error): never => {
      tf.dispose([features, labels]);
      throw error;
    };
    for (const [name, t] of [['features', features], ['labels', labels]] as const) {
      if (t.rank !== 2) fail(new ShapeError(`DataSet: ${name} have shape ${formatShape(t.shape)}; expected rank 2 [examples, columns]`, t.shape, [-1, -1]));
    }
    if (features.shape[0] === 0) fail(new ValueError('DataSet: features have 0 rows; expected at least one example'));
    if (features.shape[0] !== labels.shape[0]) {
      fail(new ShapeError(`DataSet: features have ${features.shape[0]} rows but labels have ${labels.shape[0]}; expected the same number of examples`, [labels.shape[0]], [features.shape[0]]));
    }
    return new DataSet(asFloat32(features), asFloat32(labels));
  }

  /** Number of examples. */
  get size(): number {
    return this.features.shape[0];
  }

  /** Throws {@link ValueError} if any feature or label is NaN or infinite (one device read). */
  async check(): Promise<void> {
    for (const [name, t] of [['features', this.features], ['labels', this.labels]] as const) {
      if (t.isDisposed) throw new Dl4tsError('DL4TS_DISPOSED', `DataSet: ${name} were disposed (dispose() was called on the data set, or on the tensors it adopted); build the data set again`);
    }
    await checkFiniteValues({ features: [this.features], labels: [this.labels] }, 'DataSet');
  }

  /** Minibatches in order, or shuffled by `rng`. The last batch may be smaller. */
  *batches(batchSize: number, rng?: Rng): Iterable<Batch> {
    if (!Number.isInteger(batchSize) || batchSize <= 0) throw new ValueError(`batchSize must be a positive integer, received ${formatValue(batchSize)}`);
    const n = this.size;
    if (rng === undefined && batchSize >= n) {
      yield { features: this.features.clone(), labels: this.labels.clone() };
      return;
    }
    const order = rng?.permutation(n);
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(n, start + batchSize);
      if (order === undefined) {
        yield {
          features: tf.slice(this.features, [start, 0], [end - start, -1]),
          labels: tf.slice(this.labels, [start, 0], [end - start, -1]),
        };
      } else {
        // The index is freed before the yield: a consumer that stops early (a listener that throws
        // ends fit's loop) never resumes the generator past it.
        const index = tf.tensor1d(order.subarray(start, end), 'int32');
        const batch = { features: tf.gather(this.features, index), labels: tf.gather(this.labels, index) };
        index.dispose();
        yield batch;
      }
    }
  }

  /**
   * Splits into a training and a test set. The first `round(fraction * size)` examples go to
   * `train`, the rest to `test`; with `rng` the examples are first put in a seeded random order
   * (without it the split keeps the stored order, which is wrong for data sorted by class).
   * Both parts must be non-empty. The parts are new data sets; this one is left as it is.
   *
   * @example
   * ```ts
   * const { train, test } = data.split(0.8, new Rng(42));
   * ```
   */
  split(fraction: number, rng?: Rng): { train: DataSet; test: DataSet } {
    const n = this.size;
    if (!(fraction > 0 && fraction < 1)) throw new ValueError(`DataSet.split: fraction must be in (0, 1), received ${formatValue(fraction)}`);
    const nTrain = Math.round(fraction * n);
    if (nTrain < 1 || nTrain > n - 1) {
      throw new ValueError(`DataSet.split: fraction ${fraction} of ${n} examples gives ${nTrain} for training and ${n - nTrain} for testing; expected at least one in each`);
    }
    const order = rng?.permutation(n);
    const part = (start: number, end: number): DataSet => {
      if (order === undefined) {
        return new DataSet(tf.slice(this.features, [start, 0], [end - start, -1]), tf.slice(this.labels, [start, 0], [end - start, -1]));
      }
      const index = tf.tensor1d(order.subarray(start, end), 'int32');
      const result = new DataSet(tf.gather(this.features, index), tf.gather(this.labels, index));
      index.dispose();
      return result;
    };
    return { train: part(0, nTrain), test: part(nTrain, n) };
  }

  /** Frees the tensors. */
  dispose(): void {
    this.features.dispose();
    this.labels.dispose();
  }
}

/**
 * Seeded train/test split: shuffles with `new Rng(seed)` (or the given generator) and puts
 * `round(trainFraction * size)` examples in `train`, the rest in `test`. See {@link DataSet.split}.
 *
 * @example
 * ```ts
 * const { train, test } = trainTestSplit(iris, 0.8, 42); // 120 and 30 examples, same every run
 * ```
 */
export function trainTestSplit(data: DataSet, trainFraction: number, seed: number | Rng = 0): { train: DataSet; test: DataSet } {
  return data.split(trainFraction, typeof seed === 'number' ? new Rng(seed) : seed);
}

function asFloat32(t: tf.Tensor2D): tf.Tensor2D {
  if (t.dtype === 'float32') return t;
  const cast = tf.cast(t, 'float32');
  t.dispose();
  return cast;
}

/** Converts host arrays or a tensor to a float32 rank-2 tensor, naming what was received. */
export function toTensor2D(input: ArrayInput, name: string, shape?: [number, number]): tf.Tensor2D {
  if (input instanceof tf.Tensor) {
    if (input.rank === 1 && shape === undefined) return tf.tidy(() => tf.cast(tf.reshape(input, [-1, 1]), 'float32')) as tf.Tensor2D;
    if (input.rank !== 2) throw new ShapeError(`${name}: received a rank-${input.rank} tensor of shape ${formatShape(input.shape)}; expected rank 2 [examples, columns]`, input.shape, [-1, -1]);
    return tf.cast(input, 'float32') as tf.Tensor2D;
  }
  if (ArrayBuffer.isView(input)) {
    if (shape === undefined) throw new ShapeError(`${name}: received a flat ${input.constructor.name} of length ${input.length}; pass its shape, e.g. { ${name}: [examples, columns] }`);
    if (shape[0] * shape[1] !== input.length) throw new ShapeError(`${name}: shape ${formatShape(shape)} needs ${shape[0] * shape[1]} values, received ${input.length}`, [input.length], shape);
    return tf.tensor2d(Float32Array.from(input), shape, 'float32');
  }
  if (!Array.isArray(input)) throw new ValueError(`${name}: received ${formatValue(input)}; expected a tensor, a typed array or nested number arrays`);
  if (input.length === 0) throw new ValueError(`${name}: received an empty array [] (0 examples); expected at least one example`);
  const rows = input.map((row) => (Array.isArray(row) ? row : [row]));
  const width = rows[0]?.length ?? 0;
  const values = new Float32Array(rows.length * width);
  rows.forEach((row, i) => {
    if (row.length !== width) throw new ShapeError(`${name}: row ${i} has ${row.length} values, row 0 has ${width}; expected equal rows`, [row.length], [width]);
    for (let j = 0; j < width; j++) {
      const v = row[j];
      if (typeof v !== 'number') throw new ValueError(`${name}: row ${i}, column ${j} is ${formatValue(v)}; expected a number`);
      values[i * width + j] = v;
    }
  });
  return tf.tensor2d(values, [rows.length, width], 'float32');
}
