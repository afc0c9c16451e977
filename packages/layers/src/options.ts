import { ConfigError, formatValue } from '@dl4ts/core';

/** Config of a component without options: `{ type }` only (`Record<string, never>` would forbid `type` too). */
export type NoOptions = Record<never, never>;

/**
 * Throws a {@link ConfigError} naming any key of `options` other than `type` and `allowed`.
 * `owner` names the component in messages: `Activation "layers/elu"`.
 */
export function checkKnownOptions(owner: string, options: object, allowed: readonly string[]): void {
  const unknown = Object.keys(options).filter((k) => k !== 'type' && !allowed.includes(k));
  if (unknown.length === 0) return;
  const takes = allowed.length === 0 ? 'it takes no options' : `it takes ${allowed.map((k) => `"${k}"`).join(', ')}`;
  throw new ConfigError(`${owner}: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}; ${takes}`);
}

/**
 * Reads a number option: `fallback` when absent, else a finite number that passes `check`
 * (described by `expected`), else a {@link ConfigError} naming what was received.
 */
export function numberOption(
  owner: string,
  options: Readonly<Record<string, unknown>>,
  name: string,
  fallback: number | undefined,
  check: (v: number) => boolean = () => true,
  expected = 'a finite number',
): number {
  const value = options[name];
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || !check(value)) {
    throw new ConfigError(`${owner}: ${name} must be ${expected}, received ${formatValue(value)}`);
  }
  return value;
}

/** Reads an option that must be one of `choices`; `fallback` when absent. */
export function choiceOption<T extends string | boolean>(owner: string, options: Readonly<Record<string, unknown>>, name: string, choices: readonly T[], fallback: T): T {
  const value = options[name];
  if (value === undefined) return fallback;
  if (!choices.includes(value as T)) {
    throw new ConfigError(`${owner}: ${name} must be one of ${choices.map((c) => JSON.stringify(c)).join(', ')}, received ${formatValue(value)}`);
  }
  return value as T;
}
