import { Dl4tsError } from '../errors';

/** Where in a file or byte stream a format problem was found. */
export interface DataLocation {
  /** File name or a description of the input, e.g. `train-images-idx3-ubyte.gz`. */
  readonly source?: string;
  /** 1-based line number (text formats). */
  readonly line?: number;
  /** 1-based column number (text formats). */
  readonly column?: number;
  /** Byte offset (binary formats). */
  readonly offset?: number;
}

/**
 * Input bytes or text do not follow the expected format (bad magic number, truncated payload,
 * a non-numeric CSV cell, a corrupt gzip stream). The message says what was found and expected.
 *
 * @example
 * ```ts
 * try { parseIdx(bytes); } catch (e) { if (e instanceof DataFormatError) console.log(e.location); }
 * ```
 */
export class DataFormatError extends Dl4tsError {
  static override readonly errorName = 'DataFormatError';
  constructor(
    message: string,
    /** Where the problem was found, as far as known. */
    readonly location: DataLocation = {},
    options?: { cause?: unknown },
  ) {
    super('DL4TS_DATA_FORMAT', message, options);
  }
}

/**
 * A normaliser was used (transform, revert, toJSON) before `fit` gave it its statistics.
 *
 * @example
 * ```ts
 * new Standardize().transform(x); // throws NotFittedError: call fit(trainingData) first
 * ```
 */
export class NotFittedError extends Dl4tsError {
  static override readonly errorName = 'NotFittedError';
  constructor(message: string) {
    super('DL4TS_NOT_FITTED', message);
  }
}

/**
 * Data would not fit in the memory a loader may use: the message names the size it would need
 * and the option that sets the limit (e.g. `maxBytes`), and the loader refuses before
 * allocating it.
 *
 * @example
 * ```ts
 * await loadCsv('huge.csv', { labelColumn: -1, maxBytes: 2 ** 30 }); // DataTooLargeError: ... needs 3.1 GB
 * ```
 */
export class DataTooLargeError extends Dl4tsError {
  static override readonly errorName = 'DataTooLargeError';
  constructor(
    message: string,
    /** Bytes the data would need. */
    readonly bytes: number,
    /** The limit it exceeds, in bytes. */
    readonly limit: number,
  ) {
    super('DL4TS_TOO_LARGE', message);
  }
}
