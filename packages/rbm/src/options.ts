import { ConfigError, formatValue } from '@dl4ts/core';

/** A number option: `fallback` when absent, else a finite number passing `check`, else a {@link ConfigError}. */
export function numberOption(owner: string, options: Readonly<Record<string, unknown>>, name: string, fallback: number, check: (v: number) => boolean, expected: string): number {
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || !check(value)) throw new ConfigError(`${owner}: ${name} must be ${expected}, received ${formatValue(value)}`);
  return value;
}

/** An option that must be one of `choices`; `fallback` when absent. */
export function choiceOption<T extends string | boolean>(owner: string, options: Readonly<Record<string, unknown>>, name: string, choices: readonly T[], fallback: T): T {
  const value = options[name];
  if (value === undefined) return fallback;
  if (!choices.includes(value as T)) throw new ConfigError(`${owner}: ${name} must be one of ${choices.map((c) => JSON.stringify(c)).join(', ')}, received ${formatValue(value)}`);
  return value as T;
}
