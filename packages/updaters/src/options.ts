import { ConfigError, formatValue } from '@dl4ts/core';
import type { ResolvedConfig } from '@dl4ts/core';
import { resolveSchedule, scheduleStartValues } from './schedules';
import type { Scheduled } from './schedules';

/** A range check for a numeric option, with the words for its error message. */
export interface NumberCheck {
  readonly test: (value: number) => boolean;
  readonly expected: string;
}

/** Positive and finite: learning rates, epsilons. */
export const POSITIVE: NumberCheck = { test: (v) => Number.isFinite(v) && v > 0, expected: 'a positive finite number' };

/** In `[low, high)`: decay rates, momentum. */
export function range(low: number, high: number): NumberCheck {
  return { test: (v) => v >= low && v < high, expected: `a number in [${low}, ${high})` };
}

/** Reads a number option that passes `check`, or its default. */
export function numberOption(config: ResolvedConfig, name: string, fallback: number, check: NumberCheck): number {
  const value = config[name] ?? fallback;
  if (typeof value !== 'number' || !check.test(value)) {
    throw new ConfigError(`Updater ${config.type}: ${name} must be ${check.expected}, received ${formatValue(value)}`);
  }
  return value;
}

/** Reads a positive finite number option, or its default. */
export function positive(config: ResolvedConfig, name: string, fallback: number): number {
  return numberOption(config, name, fallback, POSITIVE);
}

/** Reads a number option in [low, high), or its default. */
export function inRange(config: ResolvedConfig, name: string, fallback: number, low: number, high: number): number {
  return numberOption(config, name, fallback, range(low, high));
}

/**
 * Reads an option that is a number or a schedule config (see `schedules.ts`), or its default. A
 * number must pass `check`; a schedule must be valid and start from values that pass it.
 */
export function scheduledOption(config: ResolvedConfig, name: string, fallback: number, check: NumberCheck): Scheduled {
  const value = config[name] ?? fallback;
  if (typeof value === 'number') return numberOption(config, name, fallback, check);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`Updater ${config.type}: ${name} must be ${check.expected} or a schedule config { type, ... }, received ${formatValue(value)}`);
  }
  const schedule = resolveSchedule(value, `Updater ${config.type}: ${name}`);
  for (const start of scheduleStartValues(schedule)) {
    if (!check.test(start)) {
      throw new ConfigError(`Updater ${config.type}: ${name} schedule must start from ${check.expected}, received ${formatValue(start)}`);
    }
  }
  return schedule;
}

/** Rejects options an updater does not take (a typo such as `lr` would otherwise be ignored). */
export function onlyOptions(config: ResolvedConfig, allowed: readonly string[]): void {
  for (const name of Object.keys(config)) {
    if (name !== 'type' && !allowed.includes(name)) {
      const expected = allowed.length > 0 ? `it takes ${allowed.join(', ')}` : 'it takes no options';
      throw new ConfigError(`Updater ${config.type}: unknown option "${name}"; ${expected}`);
    }
  }
}
