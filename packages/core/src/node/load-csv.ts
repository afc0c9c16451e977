import { totalmem } from 'node:os';
import type { DataSet } from '../data-set';
import { readCsvColumns, type CsvLoadOptions } from '../data/csv-columns';
import { columnsDataSet, csvSource, labelForm, requireLabelColumn, type CsvDataSetOptions } from '../data/csv-data-set';
import type { StreamingSource, StreamingSourceOptions } from '../data/streaming-source';
import { dataFileSize, readChunks } from './files';

/**
 * Loads a numeric CSV file (gzipped or not) into a data set. See `csvDataSet` for the options;
 * `source` defaults to the path, so errors name the file, line and column.
 *
 * The file is read twice in chunks: once to count its lines, once to parse them into float32
 * arrays sized exactly, so memory peaks at the data set itself (for `0,0,0` rows, 2x the file
 * with raw labels, 2.7x with two one-hot classes), never a string per cell. `maxBytes` (default:
 * half the machine's memory) refuses, with a `DataTooLargeError` naming the size, a file whose
 * values would need more, before allocating them; `onProgress` reports both passes.
 *
 * @example
 * ```ts
 * const iris = await loadCsv('../shared/data/iris/iris.csv', { skipLines: 1, labelColumn: 4, numClasses: 3 });
 * const digits = await loadCsv('../shared/data/digits/digits.csv.gz', { labelColumn: -1, numClasses: 10 });
 * const big = await loadCsv('big.csv', { labelColumn: -1, onProgress: (p) => console.log(p.stage, p.bytes / p.totalBytes!) });
 * ```
 */
export async function loadCsv(path: string, options: CsvDataSetOptions & CsvLoadOptions): Promise<DataSet> {
  requireLabelColumn(options, 'loadCsv');
  const totalBytes = await dataFileSize(path, 'loadCsv');
  const source = options.source ?? path;
  const settings = { maxBytes: Math.floor(totalmem() / 2), ...options, source, totalBytes };
  const table = await readCsvColumns(() => readChunks(path, CHUNK_BYTES), settings, labelForm(options));
  return columnsDataSet(table, settings);
}

/** Read size of `loadCsv`: large enough that per-chunk work vanishes, small beside the data. */
const CHUNK_BYTES = 4 << 20;

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
