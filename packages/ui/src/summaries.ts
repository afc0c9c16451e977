// Summaries of a block of values, computed on the host from values already read: histogram,
// mean and spread, zeros. One pass each, in float64.
import type { ActivationStats, Histogram } from './stats';

/**
 * `bins` equal-width bins over the finite values' range (a constant block puts everything in the
 * middle bin of a unit-wide range around it). Non-finite values are left out; count them apart.
 */
export function histogram(values: ArrayLike<number>, bins: number): Histogram {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const counts = new Array<number>(bins).fill(0);
  if (min > max) return { min: 0, max: 0, counts };
  if (min === max) {
    counts[Math.floor(bins / 2)] = countFinite(values);
    return { min: min - 0.5, max: max + 0.5, counts };
  }
  const scale = bins / (max - min);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) continue;
    const bin = Math.min(bins - 1, Math.floor((v - min) * scale));
    counts[bin] = (counts[bin] as number) + 1;
  }
  return { min, max, counts };
}

/** NaN and infinite values. */
export function countNonFiniteValues(values: ArrayLike<number>): number {
  return values.length - countFinite(values);
}

function countFinite(values: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i] as number)) n++;
  return n;
}

/** Mean, population standard deviation, share of exact zeros and histogram of a layer's outputs. */
export function activationStats(values: ArrayLike<number>, bins: number): ActivationStats {
  let sum = 0;
  let zeros = 0;
  let finite = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) continue;
    sum += v;
    finite++;
    if (v === 0) zeros++;
  }
  const mean = finite === 0 ? 0 : sum / finite;
  let squares = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (Number.isFinite(v)) squares += (v - mean) * (v - mean);
  }
  return { mean, std: finite === 0 ? 0 : Math.sqrt(squares / finite), zeroFraction: values.length === 0 ? 0 : zeros / values.length, histogram: histogram(values, bins) };
}
