import * as tf from '@tensorflow/tfjs-core';
import { DataSet } from '../data-set';
import { ConfigError } from '../errors';
import { csvRows, type CsvOptions, type CsvRow } from './csv';
import { csvColumns, type CsvColumns, type CsvLabelForm, type CsvLoadOptions } from './csv-columns';
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
export function csvDataSet(text: string, options: CsvDataSetOptions & Pick<CsvLoadOptions, 'maxBytes'>): DataSet {
  requireLabelColumn(options, 'csvDataSet');
  return columnsDataSet(csvColumns(new TextEncoder().encode(text), options, labelForm(options)), options);
}

/** The label form a data set wants: one-hot rows when `numClasses` is given. */
export function labelForm(options: CsvOptions): CsvLabelForm {
  return options.numClasses === undefined ? 'raw' : 'one-hot';
}

/** A data set adopting parsed columns (no copy); refuses an input without data lines. */
export function columnsDataSet(table: CsvColumns, options: CsvOptions): DataSet {
  if (table.rows === 0) throw new ConfigError(`${options.source ?? 'CSV'}: no data lines after skipping ${options.skipLines ?? 0}; expected at least one row`);
  const x = tf.tensor2d(table.features, [table.rows, table.columns], 'float32');
  try {
    return DataSet.adopt(x, tf.tensor2d(table.labels as Float32Array, [table.rows, table.labelWidth], 'float32'));
  } catch (error) {
    x.dispose();
    throw error;
  }
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

export function requireLabelColumn(options: CsvOptions, who: string): void {
  if (options.labelColumn === undefined) throw new ConfigError(`${who}: labelColumn is missing; expected the index of the label column (negative counts from the end)`);
}
