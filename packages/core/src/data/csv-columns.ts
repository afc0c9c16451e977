import { ValueError, formatValue } from '../errors';
import type { CsvOptions } from './csv';
import { CsvScanner, type CsvSink } from './csv-scanner';
import { DataTooLargeError } from './errors';
import { maybeGunzipStream } from './gzip';

/** How far a CSV load has come: reported by the loaders' `onProgress`. */
export interface CsvProgress {
  /** `counting`: the first pass, which counts lines to size the arrays; `parsing`: the second. */
  readonly stage: 'counting' | 'parsing';
  /** Input bytes read in this stage (of the file as stored, so compressed bytes for gzip). */
  readonly bytes: number;
  /** The input's size when known (a file's size), else undefined. */
  readonly totalBytes: number | undefined;
  /** Data rows parsed so far (0 while counting). */
  readonly rows: number;
}

/** Options of the CSV loaders that read whole inputs into memory. */
export interface CsvLoadOptions extends CsvOptions {
  /**
   * The most memory, in bytes, the parsed values may take (float32 features plus labels, before
   * they become tensors). An input that would need more is refused with a `DataTooLargeError`
   * before anything that size is allocated. Default: no limit but the platform's (`loadCsv`:
   * half the machine's memory).
   */
  readonly maxBytes?: number;
  /** Called at most every 200 ms while loading, and at the end of each stage. */
  readonly onProgress?: (progress: CsvProgress) => void;
}

/** Parsed CSV columns: features `[rows, columns]`, labels `[rows, labelWidth]` row-major. */
export interface CsvColumns {
  readonly rows: number;
  readonly columns: number;
  readonly features: Float32Array;
  /** Raw label values (`labelWidth` 1), one-hot rows (`labelWidth` numClasses), or none. */
  readonly labels: Float32Array | undefined;
  readonly labelWidth: number;
  readonly skipped: string[];
}

/** `raw`: the label column as read; `one-hot`: one row of `numClasses` per label. */
export type CsvLabelForm = 'raw' | 'one-hot';

const PROGRESS_MS = 200;

/**
 * Reads CSV bytes held in memory into float32 columns, sized exactly by counting lines first
 * (no string per cell, no growing arrays).
 */
export function csvColumns(bytes: Uint8Array, options: CsvLoadOptions, form: CsvLabelForm): CsvColumns {
  checkLoadOptions(options);
  const sink = new ColumnSink(options, form, upperRows(countLines(bytes), bytes.at(-1), options));
  const scanner = new CsvScanner(options, sink);
  scanner.push(bytes);
  scanner.end();
  return sink.finish(scanner);
}

/**
 * Reads a CSV byte stream (gzipped or not; `open` is called twice: once to count lines, once to
 * parse) into float32 columns, reporting progress. Peak memory is the columns themselves plus
 * one chunk.
 */
export async function readCsvColumns(open: () => AsyncIterable<Uint8Array>, options: CsvLoadOptions & { readonly totalBytes?: number }, form: CsvLabelForm): Promise<CsvColumns> {
  checkLoadOptions(options);
  let lines = 0;
  let last: number | undefined;
  await eachChunk(open, options, 'counting', () => 0, (chunk) => {
    lines += countLines(chunk);
    if (chunk.length > 0) last = chunk.at(-1);
  });
  const sink = new ColumnSink(options, form, upperRows(lines, last, options));
  const scanner = new CsvScanner(options, sink);
  await eachChunk(open, options, 'parsing', () => scanner.rows, (chunk) => scanner.push(chunk));
  scanner.end();
  return sink.finish(scanner);
}

async function eachChunk(open: () => AsyncIterable<Uint8Array>, options: CsvLoadOptions & { readonly totalBytes?: number }, stage: CsvProgress['stage'], rows: () => number, use: (chunk: Uint8Array) => void): Promise<void> {
  let bytes = 0;
  let reported = Date.now();
  const report = options.onProgress;
  async function* counted(): AsyncIterable<Uint8Array> {
    for await (const chunk of open()) {
      bytes += chunk.length;
      yield chunk;
    }
  }
  for await (const chunk of maybeGunzipStream(counted(), options.source)) {
    use(chunk);
    if (report !== undefined && Date.now() - reported >= PROGRESS_MS) {
      reported = Date.now();
      report({ stage, bytes, totalBytes: options.totalBytes, rows: rows() });
    }
  }
  report?.({ stage, bytes, totalBytes: options.totalBytes, rows: rows() });
}

function checkLoadOptions(options: CsvLoadOptions): void {
  const max = options.maxBytes;
  if (max !== undefined && !(typeof max === 'number' && max > 0)) throw new ValueError(`${options.source ?? 'CSV'}: maxBytes must be a positive number of bytes, received ${formatValue(max)}`);
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') throw new ValueError(`${options.source ?? 'CSV'}: onProgress must be a function, received ${typeof options.onProgress}`);
}

/** Line breaks in `bytes`: memchr-speed through `indexOf`. */
function countLines(bytes: Uint8Array): number {
  let count = 0;
  for (let at = bytes.indexOf(10); at >= 0; at = bytes.indexOf(10, at + 1)) count++;
  return count;
}

/** The most data rows in input of `lines` line breaks whose last byte is `last`. */
function upperRows(lines: number, last: number | undefined, options: CsvOptions): number {
  const unterminated = last !== undefined && last !== 10 ? 1 : 0;
  return Math.max(0, lines + unterminated - (options.skipLines ?? 0));
}

/** Writes rows into arrays sized for `capacity` rows once the first line fixes the width. */
class ColumnSink implements CsvSink {
  private features = new Float32Array(0);
  private labels: Float32Array | undefined;
  private columns = 0;
  private labelWidth = 0;
  private labelIndex: number | undefined;
  private featureAt = 0;
  private row_ = 0;

  constructor(
    private readonly options: CsvLoadOptions,
    private readonly form: CsvLabelForm,
    private readonly capacity: number,
  ) {
    if (form === 'one-hot' && options.numClasses === undefined) throw new ValueError(`${options.source ?? 'CSV'}: one-hot labels need numClasses`);
  }

  layout(fields: number, labelIndex: number | undefined): void {
    this.labelIndex = labelIndex;
    this.columns = fields - (labelIndex === undefined ? 0 : 1);
    this.labelWidth = labelIndex === undefined ? 0 : this.form === 'one-hot' ? (this.options.numClasses as number) : 1;
    const bytes = this.capacity * (this.columns + this.labelWidth) * 4;
    const limit = this.options.maxBytes ?? Number.POSITIVE_INFINITY;
    const what = `${this.options.source ?? 'CSV'}: up to ${this.capacity.toLocaleString('en')} rows of ${this.columns} features${this.labelWidth > 0 ? ` and ${this.labelWidth} label value${this.labelWidth > 1 ? 's' : ''}` : ''} need ${megabytes(bytes)} as float32`;
    if (bytes > limit) throw new DataTooLargeError(`${what}, more than maxBytes ${megabytes(limit)}; raise maxBytes if the memory is there, or read the file in batches with streamCsv`, bytes, limit);
    try {
      this.features = new Float32Array(this.capacity * this.columns);
      if (this.labelWidth > 0) this.labels = new Float32Array(this.capacity * this.labelWidth);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      throw new DataTooLargeError(`${what}, more than this platform allocates in one array (${error.message}); read the file in batches with streamCsv`, bytes, limit);
    }
  }

  row(values: Float64Array): void {
    const features = this.features;
    const labelIndex = this.labelIndex;
    let at = this.featureAt;
    for (let j = 0; j < values.length; j++) if (j !== labelIndex) features[at++] = values[j] as number;
    this.featureAt = at;
    if (labelIndex !== undefined) {
      const labels = this.labels as Float32Array;
      const label = values[labelIndex] as number;
      if (this.labelWidth === 1) labels[this.row_] = label;
      else labels[this.row_ * this.labelWidth + label] = 1;
    }
    this.row_++;
  }

  finish(scanner: CsvScanner): CsvColumns {
    const rows = this.row_;
    return {
      rows,
      columns: this.columns,
      features: trim(this.features, rows * this.columns),
      labels: this.labels === undefined ? undefined : trim(this.labels, rows * this.labelWidth),
      labelWidth: this.labelWidth,
      skipped: scanner.skipped,
    };
  }
}

/** The first `length` values: a view when little is left over (blank lines), else a copy. */
function trim(values: Float32Array, length: number): Float32Array {
  if (length === values.length) return values;
  return values.length - length <= values.length / 64 ? values.subarray(0, length) : values.slice(0, length);
}

function megabytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${bytes.toLocaleString('en')} bytes`;
}
