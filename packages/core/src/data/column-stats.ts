import * as tf from '@tensorflow/tfjs-core';
import { DataSet, type BatchSource } from '../data-set';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors';

/** Data a normaliser can be fitted on: a data set (its features), a tensor, or any batch source. */
export type FitInput = DataSet | tf.Tensor | BatchSource;

/** Per-column count, mean, population variance, min and max, accumulated in float64 on the host. */
export interface ColumnStats {
  readonly count: number;
  readonly mean: Float64Array;
  /** Population variance (divided by `count`). */
  readonly variance: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
}

/** Rows read per device-to-host transfer while fitting. */
const FIT_BATCH = 4096;

/**
 * Column statistics of `data`'s features; the last axis is the column axis. Batches are merged
 * with Chan's parallel update, so large or streamed data is read once, a batch at a time.
 */
export async function columnStats(data: FitInput, who: string): Promise<ColumnStats> {
  let count = 0;
  let mean = new Float64Array(0);
  let m2 = new Float64Array(0);
  let min = new Float64Array(0);
  let max = new Float64Array(0);
  for await (const { values, columns } of hostBatches(data, who)) {
    if (count === 0) {
      mean = new Float64Array(columns);
      m2 = new Float64Array(columns);
      min = new Float64Array(columns).fill(Number.POSITIVE_INFINITY);
      max = new Float64Array(columns).fill(Number.NEGATIVE_INFINITY);
    } else if (columns !== mean.length) {
      throw new ShapeError(`${who}: a batch has ${columns} columns, earlier batches had ${mean.length}; expected the same columns throughout`, [columns], [mean.length]);
    }
    const rows = values.length / columns;
    if (rows === 0) continue;
    for (let j = 0; j < columns; j++) {
      let sum = 0;
      let lo = Number.POSITIVE_INFINITY;
      let hi = Number.NEGATIVE_INFINITY;
      for (let i = j; i < values.length; i += columns) {
        const v = values[i] as number;
        sum += v;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      if (!Number.isFinite(sum)) throw new ValueError(`${who}: column ${j} contains NaN or infinite values; expected finite numbers`);
      const batchMean = sum / rows;
      let batchM2 = 0;
      for (let i = j; i < values.length; i += columns) batchM2 += ((values[i] as number) - batchMean) ** 2;
      const total = count + rows;
      const delta = batchMean - (mean[j] as number);
      mean[j] = (mean[j] as number) + (delta * rows) / total;
      m2[j] = (m2[j] as number) + batchM2 + (delta * delta * count * rows) / total;
      if (lo < (min[j] as number)) min[j] = lo;
      if (hi > (max[j] as number)) max[j] = hi;
    }
    count += rows;
  }
  if (count === 0) throw new ValueError(`${who}: received no examples; expected at least one row to fit on`);
  return { count, mean, variance: m2.map((v) => v / count), min, max };
}

/** Host copies of the features, one batch at a time, whatever the input. */
async function* hostBatches(data: FitInput, who: string): AsyncIterable<{ values: Float32Array | Int32Array | Uint8Array; columns: number }> {
  if (data instanceof tf.Tensor) {
    if (data.rank === 0) throw new ShapeError(`${who}: received a scalar; expected a tensor [examples, ..., columns]`, [], [-1, -1]);
    yield { values: (await data.data()) as Float32Array, columns: data.shape[data.rank - 1] as number };
    return;
  }
  if (data instanceof DataSet) {
    const [n, columns] = data.features.shape;
    for (let start = 0; start < n; start += FIT_BATCH) {
      const slice = tf.slice(data.features, [start, 0], [Math.min(FIT_BATCH, n - start), -1]);
      try {
        yield { values: (await slice.data()) as Float32Array, columns };
      } finally {
        slice.dispose();
      }
    }
    return;
  }
  if (typeof data?.batches !== 'function') throw new ValueError(`${who}: received ${formatValue(data)}; expected a DataSet, a tensor or a BatchSource`);
  for await (const batch of data.batches(FIT_BATCH)) {
    try {
      const { features } = batch;
      if (features.rank < 1) throw new ShapeError(`${who}: a batch's features have shape ${formatShape(features.shape)}; expected [examples, ..., columns]`, features.shape, [-1, -1]);
      yield { values: (await features.data()) as Float32Array, columns: features.shape[features.rank - 1] as number };
    } finally {
      batch.features.dispose();
      batch.labels.dispose();
    }
  }
}
