import { ConfigError, formatValue } from '../errors';
import type { CsvOptions } from './csv';
import { isBlank, parseDecimal } from './decimal';
import { DataFormatError } from './errors';

const NEWLINE = 10;
const CR = 13;
const FLOAT32_MAX = 3.4028234663852886e38;

/** Receives the scanner's rows: the fields of each data line, in a buffer reused per row. */
export interface CsvSink {
  /** Called once, at the first data line, before any `row`. */
  layout(fields: number, labelIndex: number | undefined, line: number): void;
  /** One data line's values, checked finite in float32 (the label checked against `numClasses`). */
  row(values: Float64Array): void;
}

/**
 * Splits numeric CSV bytes into rows without a string per cell: chunks in (split anywhere, even
 * inside a line or a UTF-8 character), rows out to a {@link CsvSink}. It skips `skipLines` header
 * lines (kept as text) and blank lines, strips a CR before each LF, and names the 1-based line and
 * column of every bad cell. Every cell must be a decimal number that float32 holds: hex (`0x10`),
 * `NaN`, `Infinity` and values beyond ±3.4e38 (`1e39`) are refused, not read as something else.
 */
export class CsvScanner {
  readonly skipped: string[] = [];
  /** Lines seen so far, header and blank lines included. */
  line = 0;
  /** Data rows delivered so far. */
  rows = 0;
  private fields: number | undefined;
  private labelIndex: number | undefined;
  private firstLine = 0;
  private values = new Float64Array(0);
  private carry: Uint8Array | undefined;
  private readonly delimiter: Uint8Array;
  private readonly source: string;
  private readonly skipLines: number;
  private readonly numClasses: number | undefined;

  constructor(
    private readonly options: CsvOptions,
    private readonly sink: CsvSink,
  ) {
    this.source = options.source ?? 'CSV';
    const delimiter = options.delimiter ?? ',';
    if (typeof delimiter !== 'string' || delimiter.length === 0) throw new ConfigError(`${this.source}: delimiter must be a non-empty string, received ${JSON.stringify(delimiter)}`);
    this.delimiter = new TextEncoder().encode(delimiter);
    if (this.delimiter.some((b) => b === NEWLINE || b === CR)) throw new ConfigError(`${this.source}: delimiter ${JSON.stringify(delimiter)} holds a line break; expected a field separator such as "," or "\\t"`);
    const skip = options.skipLines ?? 0;
    if (!Number.isInteger(skip) || skip < 0) throw new ConfigError(`${this.source}: skipLines must be a non-negative integer, received ${formatValue(skip)}`);
    this.skipLines = skip;
    const k = options.numClasses;
    if (k !== undefined && (!Number.isInteger(k) || k < 1)) throw new ConfigError(`${this.source}: numClasses must be a positive integer, received ${formatValue(k)}`);
    if (k !== undefined && options.labelColumn === undefined) throw new ConfigError(`${this.source}: numClasses ${k} was given without labelColumn; expected the index of the label column`);
    const column = options.labelColumn;
    if (column !== undefined && !Number.isInteger(column)) throw new ConfigError(`${this.source}: labelColumn must be an integer, received ${formatValue(column)}`);
    this.numClasses = k;
  }

  /** Scans every complete line of `chunk`; a line cut at its end waits for the next chunk. */
  push(chunk: Uint8Array): void {
    let start = 0;
    if (this.carry !== undefined) {
      const end = chunk.indexOf(NEWLINE);
      if (end < 0) {
        this.carry = join(this.carry, chunk);
        return;
      }
      const line = join(this.carry, chunk.subarray(0, end));
      this.carry = undefined;
      this.scanLine(line, 0, line.length);
      start = end + 1;
    }
    for (;;) {
      const end = chunk.indexOf(NEWLINE, start);
      if (end < 0) break;
      this.scanLine(chunk, start, end);
      start = end + 1;
    }
    if (start < chunk.length) this.carry = chunk.slice(start);
  }

  /** Scans the last line when the input did not end with a line break. */
  end(): void {
    const rest = this.carry;
    this.carry = undefined;
    if (rest !== undefined) this.scanLine(rest, 0, rest.length);
  }

  /** Feature columns (fields less the label), known once the first data line is scanned. */
  get width(): number | undefined {
    return this.fields === undefined ? undefined : this.fields - (this.labelIndex === undefined ? 0 : 1);
  }

  private scanLine(bytes: Uint8Array, start: number, stop: number): void {
    this.line++;
    const end = stop > start && bytes[stop - 1] === CR ? stop - 1 : stop;
    if (this.line <= this.skipLines) {
      this.skipped.push(new TextDecoder().decode(bytes.subarray(start, end)));
      return;
    }
    let first = start;
    while (first < end && isBlank(bytes[first] as number)) first++;
    if (first === end) return;
    if (this.fields === undefined) this.fixLayout(this.countFields(bytes, start, end));
    const fields = this.fields as number;
    const values = this.values;
    let field = 0;
    let cell = start;
    for (;;) {
      const stopAt = this.nextDelimiter(bytes, cell, end);
      if (field === fields) this.raggedLine(this.countFields(bytes, start, end));
      const value = parseDecimal(bytes, cell, stopAt);
      if (!Number.isFinite(Math.fround(value))) this.badCell(bytes, cell, stopAt, field, value);
      values[field++] = value;
      if (stopAt === end) break;
      cell = stopAt + this.delimiter.length;
    }
    if (field !== fields) this.raggedLine(field);
    const labelIndex = this.labelIndex;
    if (this.numClasses !== undefined && labelIndex !== undefined) {
      const label = values[labelIndex] as number;
      if (!(Number.isInteger(label) && label >= 0 && label < this.numClasses)) this.badLabel(label, labelIndex);
    }
    this.rows++;
    this.sink.row(values);
  }

  /** Where the next delimiter starts at or after `from`, or `end` when there is none. */
  private nextDelimiter(bytes: Uint8Array, from: number, end: number): number {
    const d = this.delimiter;
    const d0 = d[0] as number;
    if (d.length === 1) {
      for (let i = from; i < end; i++) if (bytes[i] === d0) return i;
      return end;
    }
    outer: for (let i = from; i + d.length <= end; i++) {
      for (let j = 0; j < d.length; j++) if (bytes[i + j] !== d[j]) continue outer;
      return i;
    }
    return end;
  }

  private countFields(bytes: Uint8Array, start: number, end: number): number {
    let count = 1;
    for (let at = this.nextDelimiter(bytes, start, end); at < end; at = this.nextDelimiter(bytes, at + this.delimiter.length, end)) count++;
    return count;
  }

  /** Fixes the number of fields and the label index on the first data line. */
  private fixLayout(fields: number): void {
    const column = this.options.labelColumn;
    if (column !== undefined) {
      const index = column < 0 ? fields + column : column;
      if (index < 0 || index >= fields) {
        throw new ConfigError(`${this.source}: labelColumn ${column} is outside line ${this.line}'s ${fields} fields; expected an index in [${-fields}, ${fields - 1}]`);
      }
      this.labelIndex = index;
    }
    this.fields = fields;
    this.firstLine = this.line;
    this.values = new Float64Array(fields);
    this.sink.layout(fields, this.labelIndex, this.line);
  }

  private raggedLine(count: number): never {
    throw new DataFormatError(`${this.source}: line ${this.line} has ${count} fields; expected ${this.fields} like line ${this.firstLine}`, { source: this.source, line: this.line });
  }

  private badCell(bytes: Uint8Array, start: number, end: number, field: number, value: number): never {
    const text = new TextDecoder().decode(bytes.subarray(start, end)).trim();
    const expected = Number.isNaN(value) ? 'expected a finite number' : `expected a finite number that float32 holds (|x| <= ${FLOAT32_MAX.toPrecision(8)}); it would be stored as Infinity`;
    throw new DataFormatError(`${this.source}: line ${this.line}, column ${field + 1}: received ${JSON.stringify(text)}; ${expected}`, { source: this.source, line: this.line, column: field + 1 });
  }

  private badLabel(label: number, index: number): never {
    const k = this.numClasses as number;
    throw new DataFormatError(`${this.source}: line ${this.line}, column ${index + 1}: label ${label} is not a class index; expected an integer in [0, ${k - 1}] (numClasses ${k})`, { source: this.source, line: this.line, column: index + 1 });
  }
}

function join(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
