import * as tf from '@tensorflow/tfjs-core';
import type { BatchSource } from '../data-set';
import { ConfigError, ShapeError, ValueError, formatShape, formatValue } from '../errors';
import type { Rng } from '../random';
import type { Batch } from '../training-strategy';

/** One example on the host. */
export interface StreamRow {
  readonly features: ArrayLike<number>;
  readonly labels: ArrayLike<number>;
}

/** What a streaming source reads: rows, or arrays of rows (e.g. one array per chunk of a file). */
export type RowStream = AsyncIterable<StreamRow | readonly StreamRow[]> | Iterable<StreamRow | readonly StreamRow[]>;

/** Options of {@link StreamingSource}. */
export interface StreamingSourceOptions {
  /** Shape of one example's features, e.g. `[28, 28, 1]`; default `[columns]` of the first row. */
  readonly featureShape?: readonly number[];
  /** Rows held for shuffling when `batches` is given an rng; 0 turns shuffling off. Default 1024. */
  readonly shuffleBuffer?: number;
  /** Number of examples per epoch, when known; reported as `size`. */
  readonly size?: number;
}

/**
 * A batch source over host rows read lazily, e.g. from a file read in chunks: `open()` is called
 * once per epoch and its rows are packed into float32 batches. With an rng, rows are shuffled
 * through a buffer of `shuffleBuffer` rows (seeded, as tf.data's shuffle): a full shuffle when the
 * buffer holds the whole data, a local one otherwise. Rows are checked for width and finiteness.
 *
 * @example
 * ```ts
 * const source = new StreamingSource(async function* () {
 *   for await (const line of readLines(path)) yield parseRow(line);
 * }, { shuffleBuffer: 10_000 });
 * await net.fit(source, { epochs: 3, batchSize: 64 });
 * ```
 */
export class StreamingSource implements BatchSource {
  readonly size: number | undefined;
  private readonly shuffleBuffer: number;

  constructor(
    private readonly open: () => RowStream,
    private readonly options: StreamingSourceOptions = {},
  ) {
    const buffer = options.shuffleBuffer ?? 1024;
    if (!Number.isInteger(buffer) || buffer < 0) throw new ConfigError(`StreamingSource: shuffleBuffer must be a non-negative integer, received ${formatValue(buffer)}`);
    this.shuffleBuffer = buffer;
    this.size = options.size;
  }

  /** One epoch of batches; the last may be smaller. The consumer disposes each batch. */
  async *batches(batchSize: number, rng?: Rng): AsyncIterable<Batch> {
    if (!Number.isInteger(batchSize) || batchSize <= 0) throw new ValueError(`batchSize must be a positive integer, received ${formatValue(batchSize)}`);
    const packer = new BatchPacker(batchSize, this.options.featureShape);
    const shuffle = rng !== undefined && this.shuffleBuffer > 0 ? rng : undefined;
    const buffer: StreamRow[] = [];
    for await (const item of this.open()) {
      for (const row of isRow(item) ? [item] : item) {
        packer.check(row);
        let out: StreamRow | undefined = row;
        if (shuffle !== undefined) {
          if (buffer.length < this.shuffleBuffer) {
            buffer.push(row);
            out = undefined;
          } else {
            // Emit a random buffered row and keep the new one in its place.
            const j = shuffle.int(buffer.length);
            out = buffer[j];
            buffer[j] = row;
          }
        }
        if (out !== undefined) {
          const batch = packer.add(out);
          if (batch !== undefined) yield batch;
        }
      }
    }
    if (shuffle !== undefined) {
      for (const j of shuffle.permutation(buffer.length)) {
        const batch = packer.add(buffer[j] as StreamRow);
        if (batch !== undefined) yield batch;
      }
    }
    const last = packer.flush();
    if (last !== undefined) yield last;
  }
}

function isRow(item: StreamRow | readonly StreamRow[]): item is StreamRow {
  return !Array.isArray(item);
}

/** Checks rows as they arrive and copies them into batch-sized float32 tensors. */
class BatchPacker {
  private featureWidth = -1;
  private labelWidth = -1;
  private x = new Float32Array(0);
  private y = new Float32Array(0);
  private count = 0;
  private seen = 0;

  constructor(
    private readonly batchSize: number,
    private readonly featureShape: readonly number[] | undefined,
  ) {}

  /** Validates one input row (widths as row 0, finite values); the error names its position. */
  check(row: StreamRow): void {
    if (this.featureWidth < 0) this.start(row);
    const index = this.seen++;
    checkValues(row.features, this.featureWidth, 'features', index);
    checkValues(row.labels, this.labelWidth, 'labels', index);
  }

  /** Adds a checked row; returns a batch when one is full. */
  add(row: StreamRow): Batch | undefined {
    this.x.set(row.features, this.count * this.featureWidth);
    this.y.set(row.labels, this.count * this.labelWidth);
    this.count++;
    return this.count === this.batchSize ? this.flush() : undefined;
  }

  /** The rows added since the last batch, as a batch (copies: tfjs keeps the arrays it is given). */
  flush(): Batch | undefined {
    if (this.count === 0) return undefined;
    const n = this.count;
    this.count = 0;
    const shape = [n, ...(this.featureShape ?? [this.featureWidth])];
    return {
      features: tf.tensor(this.x.slice(0, n * this.featureWidth), shape, 'float32'),
      labels: tf.tensor2d(this.y.slice(0, n * this.labelWidth), [n, this.labelWidth], 'float32'),
    };
  }

  private start(row: StreamRow): void {
    this.featureWidth = row.features.length;
    this.labelWidth = row.labels.length;
    if (this.featureShape !== undefined) {
      const size = this.featureShape.reduce((a, b) => a * b, 1);
      if (size !== this.featureWidth) {
        throw new ShapeError(`StreamingSource: featureShape ${formatShape(this.featureShape)} holds ${size} values, but row 0 has ${this.featureWidth} features`, [this.featureWidth], this.featureShape);
      }
    }
    this.x = new Float32Array(this.batchSize * this.featureWidth);
    this.y = new Float32Array(this.batchSize * this.labelWidth);
  }
}

function checkValues(values: ArrayLike<number>, width: number, name: string, row: number): void {
  if (values.length !== width) throw new ShapeError(`StreamingSource: row ${row} has ${values.length} ${name}, row 0 has ${width}; expected equal rows`, [values.length], [width]);
  for (let j = 0; j < width; j++) {
    const v = values[j];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValueError(`StreamingSource: row ${row}, ${name} column ${j} is ${v}; expected a finite number`);
  }
}
