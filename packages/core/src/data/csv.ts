import { csvColumns } from './csv-columns';
import { CsvScanner } from './csv-scanner';

/** Options of {@link parseCsv} and the CSV loaders. */
export interface CsvOptions {
  /** Field separator. Default `,`. */
  readonly delimiter?: string;
  /** Lines to skip at the start (headers), returned as `skipped`. Default 0. */
  readonly skipLines?: number;
  /** Index of the label column; negative counts from the end (-1 = last). Omitted: no labels. */
  readonly labelColumn?: number;
  /** When given, each label must be an integer in `[0, numClasses)`; data-set builders one-hot it. */
  readonly numClasses?: number;
  /** Name used in error messages, e.g. the file name. Default `CSV`. */
  readonly source?: string;
}

/** A parsed numeric CSV: features row-major and, with `labelColumn`, one label per row. */
export interface CsvTable {
  readonly rows: number;
  /** Feature columns (all columns but the label column). */
  readonly columns: number;
  /** `rows * columns` values, row-major. */
  readonly features: Float32Array;
  /** One label per row, or undefined when no `labelColumn` was given. */
  readonly labels: Float32Array | undefined;
  /** The lines skipped by `skipLines`. */
  readonly skipped: string[];
}

/** One parsed data line. */
export interface CsvRow {
  readonly features: Float32Array;
  readonly label: number | undefined;
}

/**
 * Parses numeric CSV text (no quoting): every field must be a decimal number that float32 holds
 * (`0x10`, `NaN` and `1e39` are refused). Blank lines are ignored. Errors name the 1-based line
 * and column and what was found there.
 *
 * @example
 * ```ts
 * const iris = parseCsv(text, { skipLines: 1, labelColumn: 4, numClasses: 3 }); // rows 150, columns 4
 * ```
 */
export function parseCsv(text: string, options: CsvOptions = {}): CsvTable {
  const table = csvColumns(new TextEncoder().encode(text), options, 'raw');
  return { rows: table.rows, columns: table.columns, features: table.features, labels: table.labels, skipped: table.skipped };
}

/**
 * Parses CSV text as it arrives in chunks (bytes are decoded as UTF-8), yielding the rows of the
 * complete lines in each chunk. Same rules and errors as {@link parseCsv}.
 */
export async function* csvRows(chunks: AsyncIterable<Uint8Array | string>, options: CsvOptions = {}): AsyncIterable<CsvRow[]> {
  let rows: CsvRow[] = [];
  let labelIndex: number | undefined;
  const scanner = new CsvScanner(options, {
    layout(_fields, index) {
      labelIndex = index;
    },
    row(values) {
      const features = new Float32Array(values.length - (labelIndex === undefined ? 0 : 1));
      let f = 0;
      for (let j = 0; j < values.length; j++) if (j !== labelIndex) features[f++] = values[j] as number;
      rows.push({ features, label: labelIndex === undefined ? undefined : values[labelIndex] });
    },
  });
  const encoder = new TextEncoder();
  for await (const chunk of chunks) {
    scanner.push(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
    if (rows.length > 0) {
      yield rows;
      rows = [];
    }
  }
  scanner.end();
  if (rows.length > 0) yield rows;
}
