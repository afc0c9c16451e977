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
