import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, ValueError, formatShape } from './errors';
import type { Rng } from './random';
import type { Batch } from './training-strategy';

/** Host or device data accepted for features and labels. */
export type ArrayInput = tf.Tensor | number[] | number[][] | Float32Array | Float64Array | Int32Array | Uint8Array;

/** A source of minibatches for one epoch. {@link DataSet} is the in-memory one. */
export interface BatchSource {
  /** Number of examples, if known. */
  readonly size?: number;
  /**
   * Minibatches for one epoch. The consumer disposes each batch's tensors after use.
   * `rng` is given when the caller wants a seeded shuffle.
   */
  batches(batchSize: number, rng?: Rng): Iterable<Batch> | AsyncIterable<Batch>;
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
    if (x.shape[0] === 0) {
      x.dispose();
      y.dispose();
      throw new ValueError('DataSet: features have 0 rows; expected at least one example');
    }
    if (x.shape[0] !== y.shape[0]) {
      const message = `DataSet: features have ${x.shape[0]} rows but labels have ${y.shape[0]}; expected the same number of examples`;
      x.dispose();
      y.dispose();
      throw new ShapeError(message, [y.shape[0]], [x.shape[0]]);
    }
    return new DataSet(x, y);
  }

  /** Number of examples. */
  get size(): number {
    return this.features.shape[0];
  }

  /** Throws {@link ValueError} if any feature or label is NaN or infinite (one device read). */
  async check(): Promise<void> {
    for (const [name, t] of [['features', this.features], ['labels', this.labels]] as const) {
      const bad = tf.tidy(() => tf.sum(tf.cast(tf.logicalNot(tf.isFinite(t)), 'int32')));
      const count = (await bad.data())[0] ?? 0;
      bad.dispose();
      if (count > 0) throw new ValueError(`DataSet: ${name} contain ${count} NaN or infinite value(s); expected finite numbers`);
    }
  }

  /** Minibatches in order, or shuffled by `rng`. The last batch may be smaller. */
  *batches(batchSize: number, rng?: Rng): Iterable<Batch> {
    if (!Number.isInteger(batchSize) || batchSize <= 0) throw new ValueError(`batchSize must be a positive integer, received ${batchSize}`);
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
        const index = tf.tensor1d(order.subarray(start, end), 'int32');
        yield { features: tf.gather(this.features, index), labels: tf.gather(this.labels, index) };
        index.dispose();
      }
    }
  }

  /** Frees the tensors. */
  dispose(): void {
    this.features.dispose();
    this.labels.dispose();
  }
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
  if (!Array.isArray(input)) throw new ValueError(`${name}: received ${typeof input}; expected a tensor, a typed array or nested number arrays`);
  if (input.length === 0) throw new ValueError(`${name}: received an empty array; expected at least one example`);
  const rows = input.map((row) => (Array.isArray(row) ? row : [row]));
  const width = rows[0]?.length ?? 0;
  const values = new Float32Array(rows.length * width);
  rows.forEach((row, i) => {
    if (row.length !== width) throw new ShapeError(`${name}: row ${i} has ${row.length} values, row 0 has ${width}; expected equal rows`, [row.length], [width]);
    for (let j = 0; j < width; j++) {
      const v = row[j];
      if (typeof v !== 'number') throw new ValueError(`${name}: row ${i}, column ${j} is ${typeof v}; expected a number`);
      values[i * width + j] = v;
    }
  });
  return tf.tensor2d(values, [rows.length, width], 'float32');
}
