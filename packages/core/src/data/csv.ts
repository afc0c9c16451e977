import { ConfigError } from '../errors';
import { DataFormatError } from './errors';

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
 * Parses numeric CSV text (no quoting): every field must be a finite number. Blank lines are
 * ignored. Errors name the 1-based line and column and what was found there.
 *
 * @example
 * ```ts
 * const iris = parseCsv(text, { skipLines: 1, labelColumn: 4, numClasses: 3 }); // rows 150, columns 4
 * ```
 */
export function parseCsv(text: string, options: CsvOptions = {}): CsvTable {
  const reader = new CsvLineReader(options);
  const rows: CsvRow[] = [];
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const row = reader.read(text.slice(start, end));
    if (row !== undefined) rows.push(row);
    start = end + 1;
  }
  const columns = reader.width ?? 0;
  const features = new Float32Array(rows.length * columns);
  rows.forEach((row, i) => features.set(row.features, i * columns));
  const labels = options.labelColumn === undefined ? undefined : Float32Array.from(rows, (row) => row.label as number);
  return { rows: rows.length, columns, features, labels, skipped: reader.skipped };
}

/**
 * Parses CSV text as it arrives in chunks (bytes are decoded as UTF-8), yielding the rows of the
 * complete lines in each chunk. Same rules and errors as {@link parseCsv}.
 */
export async function* csvRows(chunks: AsyncIterable<Uint8Array | string>, options: CsvOptions = {}): AsyncIterable<CsvRow[]> {
  const reader = new CsvLineReader(options);
  const decoder = new TextDecoder();
  let rest = '';
  for await (const chunk of chunks) {
    const text = rest + (typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    const lines = text.split('\n');
    rest = lines.pop() ?? '';
    const rows = collect(reader, lines);
    if (rows.length > 0) yield rows;
  }
  const rows = collect(reader, [rest + decoder.decode()]);
  if (rows.length > 0) yield rows;
}

function collect(reader: CsvLineReader, lines: readonly string[]): CsvRow[] {
  const rows: CsvRow[] = [];
  for (const line of lines) {
    const row = reader.read(line);
    if (row !== undefined) rows.push(row);
  }
  return rows;
}

/** Parses one line at a time, keeping the line count, the row width and the skipped header. */
class CsvLineReader {
  readonly skipped: string[] = [];
  /** Feature columns, fixed by the first data line. */
  width: number | undefined;
  private fields: number | undefined;
  private firstLine = 0;
  private labelIndex: number | undefined;
  private line = 0;
  private readonly delimiter: string;
  private readonly source: string;

  constructor(private readonly options: CsvOptions) {
    this.delimiter = options.delimiter ?? ',';
    this.source = options.source ?? 'CSV';
    if (this.delimiter.length === 0) throw new ConfigError(`${this.source}: delimiter must be a non-empty string`);
    const skip = options.skipLines ?? 0;
    if (!Number.isInteger(skip) || skip < 0) throw new ConfigError(`${this.source}: skipLines must be a non-negative integer, received ${skip}`);
    const k = options.numClasses;
    if (k !== undefined && (!Number.isInteger(k) || k < 1)) throw new ConfigError(`${this.source}: numClasses must be a positive integer, received ${k}`);
    if (k !== undefined && options.labelColumn === undefined) throw new ConfigError(`${this.source}: numClasses ${k} was given without labelColumn; expected the index of the label column`);
  }

  read(raw: string): CsvRow | undefined {
    this.line++;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (this.line <= (this.options.skipLines ?? 0)) {
      this.skipped.push(text);
      return undefined;
    }
    if (text.trim() === '') return undefined;
    const cells = text.split(this.delimiter);
    const labelIndex = this.layout(cells.length);
    if (cells.length !== this.fields) {
      throw new DataFormatError(`${this.source}: line ${this.line} has ${cells.length} fields; expected ${this.fields} like line ${this.firstLine}`, { source: this.source, line: this.line });
    }
    const features = new Float32Array(cells.length - (labelIndex === undefined ? 0 : 1));
    let label: number | undefined;
    let f = 0;
    for (let j = 0; j < cells.length; j++) {
      const cell = (cells[j] as string).trim();
      const value = cell === '' ? Number.NaN : Number(cell);
      if (!Number.isFinite(value)) {
        throw new DataFormatError(`${this.source}: line ${this.line}, column ${j + 1}: received ${JSON.stringify(cell)}; expected a finite number`, { source: this.source, line: this.line, column: j + 1 });
      }
      if (j === labelIndex) label = value;
      else features[f++] = value;
    }
    const k = this.options.numClasses;
    if (k !== undefined && !(Number.isInteger(label) && (label as number) >= 0 && (label as number) < k)) {
      throw new DataFormatError(`${this.source}: line ${this.line}, column ${(labelIndex as number) + 1}: label ${label} is not a class index; expected an integer in [0, ${k - 1}] (numClasses ${k})`, { source: this.source, line: this.line, column: (labelIndex as number) + 1 });
    }
    return { features, label };
  }

  /** Fixes the number of fields and the label index on the first data line. */
  private layout(fields: number): number | undefined {
    if (this.fields !== undefined) return this.labelIndex;
    const column = this.options.labelColumn;
    if (column !== undefined) {
      const index = column < 0 ? fields + column : column;
      if (!Number.isInteger(column) || index < 0 || index >= fields) {
        throw new ConfigError(`${this.source}: labelColumn ${column} is outside line ${this.line}'s ${fields} fields; expected an index in [${-fields}, ${fields - 1}]`);
      }
      this.labelIndex = index;
    }
    this.fields = fields;
    this.firstLine = this.line;
    this.width = fields - (column === undefined ? 0 : 1);
    return this.labelIndex;
  }
}
