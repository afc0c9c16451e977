import { ConfigError } from '@dl4ts/core';
import type { ResolvedConfig } from '@dl4ts/core';

/** Reads a positive finite number option, or its default. */
export function positive(config: ResolvedConfig, name: string, fallback: number): number {
  const value = config[name] ?? fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ConfigError(`Updater ${config.type}: ${name} must be a positive finite number, received ${String(value)}`);
  }
  return value;
}

/** Reads a number option in [low, high), or its default. */
export function inRange(config: ResolvedConfig, name: string, fallback: number, low: number, high: number): number {
  const value = config[name] ?? fallback;
  if (typeof value !== 'number' || !(value >= low && value < high)) {
    throw new ConfigError(`Updater ${config.type}: ${name} must be a number in [${low}, ${high}), received ${String(value)}`);
  }
  return value;
}
