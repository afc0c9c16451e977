import * as tf from '@tensorflow/tfjs-core';
import { DataSet } from '../data-set';
import { ConfigError } from '../errors';
import { csvRows, parseCsv, type CsvOptions, type CsvRow } from './csv';
import { maybeGunzipStream } from './gzip';
import { oneHotArray } from './one-hot';
import { StreamingSource, type StreamRow, type StreamingSourceOptions } from './streaming-source';

/** CSV options for data sets: `labelColumn` is required. */
export type CsvDataSetOptions = CsvOptions & { readonly labelColumn: number };

/**
 * Parses numeric CSV text into a data set: features `[rows, columns]`, labels one-hot
 * `[rows, numClasses]` when `numClasses` is given, else the raw label column `[rows, 1]`.
 *
 * @example
 * ```ts
 * const iris = csvDataSet(text, { skipLines: 1, labelColumn: 4, numClasses: 3 }); // 150 x 4, 150 x 3
 * ```
 */
export function csvDataSet(text: string, options: CsvDataSetOptions): DataSet {
  requireLabelColumn(options, 'csvDataSet');
  const table = parseCsv(text, options);
  const source = options.source ?? 'CSV';
  if (table.rows === 0) throw new ConfigError(`${source}: no data lines after skipping ${options.skipLines ?? 0}; expected at least one row`);
  const labels = table.labels as Float32Array;
  const k = options.numClasses;
  const y = k === undefined ? tf.tensor2d(labels, [table.rows, 1], 'float32') : tf.tensor2d(oneHotArray(labels, k, `${source} labels`), [table.rows, k], 'float32');
  return DataSet.adopt(tf.tensor2d(table.features, [table.rows, table.columns], 'float32'), y);
}

/**
 * A streaming source over CSV bytes read in chunks (gzipped or not): `open()` is called once per
 * epoch, e.g. to re-read a file. Labels as in {@link csvDataSet}.
 *
 * @example
 * ```ts
 * const source = csvSource(() => readChunks('big.csv.gz'), { labelColumn: -1, numClasses: 10 });
 * ```
 */
export function csvSource(open: () => AsyncIterable<Uint8Array>, options: CsvDataSetOptions & StreamingSourceOptions): StreamingSource {
  requireLabelColumn(options, 'csvSource');
  const k = options.numClasses;
  const toRow = (row: CsvRow): StreamRow => ({
    features: row.features,
    labels: k === undefined ? [row.label as number] : oneHotArray([row.label as number], k),
  });
  return new StreamingSource(async function* () {
    for await (const rows of csvRows(maybeGunzipStream(open(), options.source), options)) yield rows.map(toRow);
  }, options);
}

function requireLabelColumn(options: CsvOptions, who: string): void {
  if (options.labelColumn === undefined) throw new ConfigError(`${who}: labelColumn is missing; expected the index of the label column (negative counts from the end)`);
}
