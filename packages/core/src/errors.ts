/**
 * Typed errors. Every dl4ts error says what it received and what it expected, so a user can fix
 * the call without reading the library's source.
 *
 * @example
 * ```ts
 * try { net.fit(x, y); } catch (e) { if (e instanceof ShapeError) console.log(e.received, e.expected); }
 * ```
 */
export class Dl4tsError extends Error {
  /** A stable machine-readable code, e.g. `DL4TS_SHAPE`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    // Minifiers rename classes; the name must survive for logs and `instanceof`-free checks.
    this.name = new.target.errorName;
  }

  /** The class name, stated explicitly because minification destroys constructor names. */
  static readonly errorName: string = 'Dl4tsError';
}

/** A configuration value is missing, of the wrong type or out of range. */
export class ConfigError extends Dl4tsError {
  static override readonly errorName = 'ConfigError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('DL4TS_CONFIG', message, options);
  }
}

/** A tensor or array has a shape other than the one required. */
export class ShapeError extends Dl4tsError {
  static override readonly errorName = 'ShapeError';
  constructor(
    message: string,
    /** The shape that was received. */
    readonly received?: readonly number[],
    /** The shape that was expected; -1 marks a free dimension. */
    readonly expected?: readonly number[],
  ) {
    super('DL4TS_SHAPE', message);
  }
}

/** A value is NaN, infinite, or outside its allowed range. */
export class ValueError extends Dl4tsError {
  static override readonly errorName = 'ValueError';
  constructor(message: string) {
    super('DL4TS_VALUE', message);
  }
}

/** Training diverged: an epoch's mean score is NaN or infinite (`onNonFiniteScore: 'throw'`). */
export class NonFiniteScoreError extends Dl4tsError {
  static override readonly errorName = 'NonFiniteScoreError';
  constructor(
    message: string,
    /** The epoch (1-based, as the network counts them) whose mean score was not finite. */
    readonly epoch: number,
    readonly meanScore: number,
  ) {
    super('DL4TS_NON_FINITE_SCORE', message);
  }
}

/**
 * A saved model or tensor container is truncated, corrupted, from an incompatible version, or does
 * not match its own config. Raised before any tensor is allocated.
 */
export class ArtifactError extends Dl4tsError {
  static override readonly errorName = 'ArtifactError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('DL4TS_ARTIFACT', message, options);
  }
}

/** A registry key is not registered. The message lists the known keys. */
export class UnknownKeyError extends Dl4tsError {
  static override readonly errorName = 'UnknownKeyError';
  constructor(
    message: string,
    readonly key: string,
    readonly known: readonly string[],
  ) {
    super('DL4TS_UNKNOWN_KEY', message);
  }
}

/** A registry key was registered twice. */
export class DuplicateKeyError extends Dl4tsError {
  static override readonly errorName = 'DuplicateKeyError';
  constructor(
    message: string,
    readonly key: string,
  ) {
    super('DL4TS_DUPLICATE_KEY', message);
  }
}

/** A plugin was written against a contract version this core does not support. */
export class ContractVersionError extends Dl4tsError {
  static override readonly errorName = 'ContractVersionError';
  constructor(message: string) {
    super('DL4TS_CONTRACT_VERSION', message);
  }
}

/** No backend could be activated, or the named one is unavailable. */
export class BackendError extends Dl4tsError {
  static override readonly errorName = 'BackendError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('DL4TS_BACKEND', message, options);
  }
}

/** Formats a shape for messages: `[128, 784]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * A value as an error message shows what was received: numbers as written (NaN and Infinity
 * too, which JSON would turn into null), strings quoted (so `"4"` is told from 4), arrays and
 * plain objects in brackets (their first entries), anything else by its kind: `a function`,
 * `a Date`, `a Float32Array of 3`, `a tensor of shape [2, 3]`.
 *
 * @example
 * ```ts
 * throw new ConfigError(`nOut must be a positive integer, received ${formatValue(options.nOut)}`); // received "4"
 * ```
 */
export function formatValue(value: unknown, depth = 0): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol') return value.toString();
  if (typeof value === 'function') return value.name === '' ? 'a function' : `a function (${value.name})`;
  if (Array.isArray(value)) {
    if (depth > 1) return `an array of ${value.length}`;
    const shown = value.slice(0, 8).map((v: unknown) => formatValue(v, depth + 1));
    return `[${shown.join(', ')}${value.length > 8 ? `, ... (${value.length})` : ''}]`;
  }
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of ${'length' in value ? String(value.length) : `${value.byteLength} bytes`}`;
  if (value instanceof ArrayBuffer) return `an ArrayBuffer of ${value.byteLength} bytes`;
  if (value instanceof Date) return 'a Date';
  const object = value as { shape?: unknown; dtype?: unknown; dataId?: unknown };
  if (Array.isArray(object.shape) && typeof object.dtype === 'string' && object.dataId !== undefined) return `a tensor of shape ${formatShape(object.shape as number[])}`;
  const prototype = Object.getPrototypeOf(value) as object | null;
  if (prototype !== null && prototype !== Object.prototype) return `a ${(prototype.constructor as { name?: string } | undefined)?.name || 'class instance'}`;
  if (depth > 1) return '{...}';
  const entries = Object.entries(value as object);
  const shown = entries.slice(0, 6).map(([k, v]) => `${k}: ${formatValue(v, depth + 1)}`);
  return `{ ${shown.join(', ')}${entries.length > 6 ? ', ...' : ''} }`.replace('{  }', '{}');
}
