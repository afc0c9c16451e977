import { ConfigError, formatValue } from '@dl4ts/core';

/**
 * Checks a "read every N iterations" option: a positive integer, or the default when undefined.
 *
 * @example
 * ```ts
 * checkEvery('ChartListener', 'scoreEvery', options.scoreEvery, 10); // 10 when not given
 * ```
 */
export function checkEvery(owner: string, name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new ConfigError(`${owner}: ${name} must be a positive integer, received ${formatValue(value)}`);
  return value;
}

/**
 * Whether a listener reads the score of `iteration`: the first iteration of a `fit` call, then
 * every `every`-th one after it. Reading the score waits for the device, so it is kept rare.
 */
export function isScoreIteration(iteration: number, startIteration: number, every: number): boolean {
  return (iteration - startIteration - 1) % every === 0;
}
