import { ConfigError, formatValue } from '@dl4ts/core';
import type { ResolvedConfig } from '@dl4ts/core';

/**
 * Option readers of the whole-vector optimisers. Each throws a {@link ConfigError} that names the
 * strategy, the option, the value received and what was expected.
 */

function fail(config: ResolvedConfig, name: string, expected: string, value: unknown): never {
  throw new ConfigError(`Strategy ${config.type}: ${name} must be ${expected}, received ${formatValue(value)}`);
}

/** Rejects option names the strategy does not know (a misspelt option would otherwise be ignored). */
export function checkOptionNames(config: ResolvedConfig, known: readonly string[]): void {
  for (const name of Object.keys(config)) {
    if (name !== 'type' && !known.includes(name)) {
      throw new ConfigError(`Strategy ${config.type}: unknown option "${name}"; known options: ${known.join(', ')}`);
    }
  }
}

/** A positive finite number, or its default. */
export function positiveOption(config: ResolvedConfig, name: string, fallback: number): number {
  const value = config[name] ?? fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) fail(config, name, 'a positive finite number', value);
  return value;
}

/** An integer no smaller than `min`, or its default. */
export function integerOption(config: ResolvedConfig, name: string, fallback: number, min: number): number {
  const value = config[name] ?? fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) fail(config, name, `an integer >= ${min}`, value);
  return value;
}

/** A number strictly between 0 and 1, or its default. */
export function fractionOption(config: ResolvedConfig, name: string, fallback: number): number {
  const value = config[name] ?? fallback;
  if (typeof value !== 'number' || !(value > 0 && value < 1)) fail(config, name, 'a number in (0, 1)', value);
  return value;
}

/** A number greater than 1, or its default. */
export function aboveOneOption(config: ResolvedConfig, name: string, fallback: number): number {
  const value = config[name] ?? fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 1) fail(config, name, 'a finite number > 1', value);
  return value;
}

/** One of a fixed set of strings, or its default. */
export function choiceOption<T extends string>(config: ResolvedConfig, name: string, fallback: T, choices: readonly T[]): T {
  const value = config[name] ?? fallback;
  if (typeof value !== 'string' || !choices.includes(value as T)) fail(config, name, `one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`, value);
  return value as T;
}
