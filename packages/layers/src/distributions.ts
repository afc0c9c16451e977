import { ConfigError, formatValue } from '@dl4ts/core';
import type { Rng } from '@dl4ts/core';
import { checkKnownOptions, numberOption } from './options';

/**
 * A distribution to sample initial weights from (`layers/distribution`), DL4J's
 * `NormalDistribution`, `UniformDistribution` and `TruncatedNormalDistribution`.
 *
 * - `normal`: `N(mean, std^2)`, mean defaults to 0
 * - `uniform`: `U(lower, upper)`, `lower < upper`
 * - `truncated-normal`: `N(mean, std^2)` restricted to `mean +- 2 std`, by drawing again outside it
 */
export type DistributionSpec =
  | { type: 'normal'; mean?: number; std: number }
  | { type: 'uniform'; lower: number; upper: number }
  | { type: 'truncated-normal'; mean?: number; std: number };

/** Draws one value from the generator. */
export type Sampler = (rng: Rng) => number;

/** Standard deviation of a standard normal truncated to [-2, 2]. */
export const TRUNCATED_NORMAL_STD = 0.8796256610342398;

/** `N(mean, std^2)`. */
export function normalSampler(mean: number, std: number): Sampler {
  return (rng) => mean + std * rng.normal();
}

/** `U(lower, upper)`. */
export function uniformSampler(lower: number, upper: number): Sampler {
  return (rng) => rng.uniformRange(lower, upper);
}

/** `N(mean, std^2)` truncated to `mean +- 2 std`: standard normal draws outside [-2, 2] are redrawn. */
export function truncatedNormalSampler(mean: number, std: number): Sampler {
  return (rng) => {
    let z = rng.normal();
    // P(|z| > 2) = 4.6%, so this loop runs 1.05 times on average.
    while (Math.abs(z) > 2) z = rng.normal();
    return mean + std * z;
  };
}

/** Checks a {@link DistributionSpec} and returns its sampler; a {@link ConfigError} names what is wrong. */
export function readDistribution(owner: string, spec: unknown): Sampler {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
    throw new ConfigError(
      `${owner}: distribution must be { type: 'normal' | 'truncated-normal', mean?, std } or { type: 'uniform', lower, upper }, received ${formatValue(spec)}`,
    );
  }
  const options = spec as Record<string, unknown>;
  const where = `${owner}, distribution ${formatValue(options.type)}`;
  switch (options.type) {
    case 'normal':
    case 'truncated-normal': {
      checkKnownOptions(where, options, ['mean', 'std']);
      const mean = numberOption(where, options, 'mean', 0);
      const std = numberOption(where, options, 'std', undefined, (v) => v > 0, 'a positive finite number');
      return options.type === 'normal' ? normalSampler(mean, std) : truncatedNormalSampler(mean, std);
    }
    case 'uniform': {
      checkKnownOptions(where, options, ['lower', 'upper']);
      const lower = numberOption(where, options, 'lower', undefined);
      const upper = numberOption(where, options, 'upper', undefined);
      if (!(lower < upper)) throw new ConfigError(`${where}: needs lower < upper, received lower=${lower}, upper=${upper}`);
      return uniformSampler(lower, upper);
    }
    default:
      throw new ConfigError(`${owner}: distribution type must be "normal", "uniform" or "truncated-normal", received ${formatValue(options.type)}`);
  }
}

/** `product(shape)` draws, in order. */
export function sample(size: number, rng: Rng, draw: Sampler): Float32Array {
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = draw(rng);
  return values;
}
