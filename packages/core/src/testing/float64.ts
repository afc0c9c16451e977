import { compareArrays } from './memory';

// Float64 references for tests: the math a float32 kernel is checked against, written once.

/** A row-major matrix of plain numbers. */
export type Matrix = number[][];

/** The logistic sigmoid in float64, without overflow for large |x|. */
export function sigmoid64(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** `log(1 + e^x)` in float64, without overflow or cancellation. */
export function softplus64(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** Log-softmax of one row in float64 (shifted by the row's maximum). */
export function logSoftmax64(row: readonly number[]): number[] {
  const max = Math.max(...row);
  // (v - max) - log(sum): subtracting the shift first keeps the result exact where it can be.
  const logSum = Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
  return row.map((v) => v - max - logSum);
}

/** Softmax of one row in float64. */
export function softmax64(row: readonly number[]): number[] {
  return logSoftmax64(row).map(Math.exp);
}

/** `a b` in float64. */
export function matMul64(a: Matrix, b: Matrix): Matrix {
  const cols = (b[0] ?? []).length;
  return a.map((row) => Array.from({ length: cols }, (_, j) => row.reduce((s, v, k) => s + v * ((b[k] as number[])[j] as number), 0)));
}

/**
 * The tolerance for a float32 result of a short computation (a few roundings per value) against
 * its float64 reference: a relative error of 1e-5 is about 80 float32 ulps, and the absolute part
 * covers values that cancel to near zero. Long sums need a bound from their length instead
 * (`@dl4ts/backend-native`'s error bounds).
 */
export const FLOAT32_TOLERANCE = { atol: 1e-6, rtol: 1e-5 } as const;

/**
 * Where `actual` (float32) and `expected` (float64) differ beyond `|a - e| <= atol + rtol |e|`: a
 * message naming the worst index and both values, or undefined when they are close. `what` names
 * the compared quantity in the message.
 */
export function closeness(actual: ArrayLike<number>, expected: ArrayLike<number>, what = 'values', tolerance: { atol?: number; rtol?: number } = FLOAT32_TOLERANCE): string | undefined {
  if (actual.length !== expected.length) return `${what}: ${actual.length} values, expected ${expected.length}`;
  const cmp = compareArrays(actual, expected, tolerance);
  if (cmp.ok) return undefined;
  return `${what}, index ${cmp.worstIndex}: ${actual[cmp.worstIndex]} vs ${expected[cmp.worstIndex]} (error ${cmp.worstError}, tolerance atol ${tolerance.atol ?? 1e-5} + rtol ${tolerance.rtol ?? 1e-5} |expected|)`;
}
