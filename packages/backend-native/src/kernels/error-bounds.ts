// Error bounds for the kernel tests: how far a correct float32 kernel may land from the exact
// (float64) result, derived from how the result is computed, never from one machine's observed
// error. Any correct kernel stays inside: any OpenBLAS core type, any order of summation, with or
// without FMA, on any number of threads. A wrong one (a transposed operand, a lost or doubled term,
// a stale bias) lands far outside, since these bounds are a few thousandths of the values at most.
//
// The facts used (Higham, "Accuracy and Stability of Numerical Algorithms", 2nd ed.):
// - Rounding to nearest: fl(x op y) = (x op y)(1 + d) with |d| <= u, u = 2^-24 in float32, 2^-53 in
//   float64 (the unit roundoff, half an ulp of 1).
// - Sums and dot products (Sec. 3.1, 4.2): a sum of n terms, computed in ANY order (pairwise,
//   blocked, in SIMD lanes, split over threads) and with or without fused multiply-adds, is off by
//   at most gamma_n * sum |terms|, gamma_n = n u / (1 - n u). A dot product of length K has K
//   terms: |fl(a . b) - a . b| <= gamma_K * sum_k |a_k| |b_k|.
// - A function f with |f'| <= L applied to a value that is off by e is off by at most L * e, plus the
//   error of evaluating f itself: half an ulp for +, *, /, sqrt (correctly rounded); glibc's libmvec
//   vector exp, log and tanh (what the native kernels call) promise at most 4 ulp, and an ulp of a
//   float32 y is at most 2^-23 |y| = 2u |y|.
// Bounds on composed expressions below are first order in u (terms in u^2 are ~1e-14 and dropped).
import { expect } from 'vitest';

/** Unit roundoff of float32 (round to nearest): 2^-24. */
export const U32 = 2 ** -24;
/** Unit roundoff of float64: 2^-53. */
export const U64 = 2 ** -53;

/** gamma_n = n u / (1 - n u): the relative bound of a sum or dot product of n terms in any order. */
export function gamma(n: number, u: number = U32): number {
  if (n <= 0) return 0;
  if (n * u >= 1) throw new RangeError(`gamma(${n}) is undefined for unit roundoff ${u}: n u >= 1`);
  return (n * u) / (1 - n * u);
}

/** `n` ulps of a float32 value `y`, bounded above: n * 2^-23 * |y|. */
export function ulps(n: number, y: number): number {
  return n * 2 * U32 * Math.abs(y);
}

/**
 * Asserts |actual[i] - expected[i]| <= bound[i] for every element; NaN and infinities must match
 * exactly. The message names the element, both values, the bound and how much of it was used.
 */
export function expectWithinBound(actual: ArrayLike<number>, expected: ArrayLike<number>, bound: ArrayLike<number>, label = ''): void {
  expect(actual.length, `${label} length`).toBe(expected.length);
  expect(bound.length, `${label} bounds`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const want = expected[i] as number;
    const got = actual[i] as number;
    if (!Number.isFinite(want)) {
      expect(Object.is(got, want) || (Number.isNaN(got) && Number.isNaN(want)), `${label}[${i}]: got ${got}, expected ${want}`).toBe(true);
      continue;
    }
    const limit = bound[i] as number;
    if (!(Math.abs(got - want) <= limit)) {
      expect.fail(`${label}[${i}]: got ${got}, expected ${want}: off by ${Math.abs(got - want)}, beyond the error bound ${limit}`);
    }
  }
}

/** The bound of a float32 dot product of length `k` whose terms' magnitudes sum to `absSum`. */
export function dotBound(k: number, absSum: number): number {
  return gamma(k) * absSum;
}

/**
 * What an element-wise kernel promises: within `ulps` ulps of the exact result's own magnitude,
 * plus `absolute` where only an absolute accuracy holds (a difference that cancels near 0, as
 * exp(x) - 1 computed from exp). Correctly rounded operations (+, -, *, /, sqrt) promise half an
 * ulp; glibc's libm and libmvec exp, log, expm1, log1p, sin, cos, tanh, erf, pow at most 4.
 */
export interface Accuracy {
  readonly ulps: number;
  readonly absolute?: number;
}

/** The bound of each element of `expected` under `accuracy`. */
export function accuracyBounds(expected: ArrayLike<number>, accuracy: Accuracy): number[] {
  return Array.from(expected, (y) => ulps(accuracy.ulps, y) + (accuracy.absolute ?? 0));
}
