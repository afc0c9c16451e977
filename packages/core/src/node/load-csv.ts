import type { DataSet } from '../data-set';
import { csvDataSet, csvSource, type CsvDataSetOptions } from '../data/csv-data-set';
import type { StreamingSource, StreamingSourceOptions } from '../data/streaming-source';
import { readChunks, readDataFile } from './files';

/**
 * Loads a numeric CSV file (gzipped or not) into a data set. See `csvDataSet` for the options;
 * `source` defaults to the path, so errors name the file, line and column.
 *
 * @example
 * ```ts
 * const iris = await loadCsv('../shared/data/iris/iris.csv', { skipLines: 1, labelColumn: 4, numClasses: 3 });
 * const digits = await loadCsv('../shared/data/digits/digits.csv.gz', { labelColumn: -1, numClasses: 10 });
 * ```
 */
export async function loadCsv(path: string, options: CsvDataSetOptions): Promise<DataSet> {
  const bytes = await readDataFile(path);
  return csvDataSet(new TextDecoder().decode(bytes), { ...options, source: options.source ?? path });
}

/**
 * A streaming source over a CSV file (gzipped or not) read in chunks of `chunkSize` bytes and
 * re-read every epoch, for data too large to hold in memory.
 *
 * @example
 * ```ts
 * const source = streamCsv('big.csv.gz', { labelColumn: -1, numClasses: 10, shuffleBuffer: 50_000 });
 * await net.fit(source, { epochs: 2, batchSize: 128 });
 * ```
 */
export function streamCsv(path: string, options: CsvDataSetOptions & StreamingSourceOptions & { readonly chunkSize?: number }): StreamingSource {
  return csvSource(() => readChunks(path, options.chunkSize), { ...options, source: options.source ?? path });
}
