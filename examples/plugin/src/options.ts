import { ConfigError } from '@dl4ts/core';

/** Shows a received value in a message: strings quoted, objects as JSON, the rest as written. */
export function shown(value: unknown): string {
  return typeof value === 'string' || (value !== null && typeof value === 'object') ? JSON.stringify(value) : String(value);
}

/**
 * Throws a {@link ConfigError} naming every option of `config` other than `type` and `allowed`,
 * so a typo (`betta: 2`) fails when the component is created instead of being ignored.
 */
export function onlyOptions(owner: string, config: object, allowed: readonly string[]): void {
  const unknown = Object.keys(config).filter((k) => k !== 'type' && !allowed.includes(k));
  if (unknown.length === 0) return;
  const takes = allowed.length === 0 ? 'it takes no options' : `it takes ${allowed.map((k) => `"${k}"`).join(', ')}`;
  throw new ConfigError(`${owner}: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}; ${takes}`);
}

/**
 * Reads a number option: `fallback` when absent, else a finite number passing `check`
 * (described by `expected`), else a {@link ConfigError} saying what was received.
 */
export function numberOption(
  owner: string,
  config: Readonly<Record<string, unknown>>,
  name: string,
  fallback: number,
  check: (v: number) => boolean = () => true,
  expected = 'a finite number',
): number {
  const value = config[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || !check(value)) {
    throw new ConfigError(`${owner}: ${name} must be ${expected}, received ${shown(value)}`);
  }
  return value;
}
