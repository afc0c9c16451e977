// Reductions and softmax against float64 loops written here: every contiguous axis block,
// keepDims, NaN propagation, empty reductions, and sums long enough for float32 accumulation to
// drift (the native sums accumulate in double, as tfjs-backend-cpu does). Tolerances are error
// bounds (./error-bounds.ts): a sum of n terms accumulated in double in any order is within
// gamma_n(2^-53) sum|x| of exact, and its rounding to float32 adds half an ulp.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { countNativeCalls, nativeAvailable, useNative } from '../test-support';
import { U32, U64, expectWithinBound, gamma, ulps } from './error-bounds';
import { randomArray } from './test-arrays';

/** Reduces x [shape] over `axes` (a contiguous block) in float64, with each result's error bound. */
function reference(x: Float32Array, shape: number[], axes: number[], op: 'sum' | 'mean' | 'max' | 'min' | 'prod'): { values: number[]; bounds: number[] } {
  const lo = Math.min(...axes);
  const hi = Math.max(...axes);
  const outer = shape.slice(0, lo).reduce((p, d) => p * d, 1);
  const size = shape.slice(lo, hi + 1).reduce((p, d) => p * d, 1);
  const inner = shape.slice(hi + 1).reduce((p, d) => p * d, 1);
  const out: number[] = [];
  const bounds: number[] = [];
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const values: number[] = [];
      for (let r = 0; r < size; r++) values.push(x[(o * size + r) * inner + i] as number);
      const sum = values.reduce((s, v) => s + v, 0);
      const absSum = values.reduce((s, v) => s + Math.abs(v), 0);
      if (op === 'sum') {
        out.push(sum);
        bounds.push(gamma(size, U64) * absSum + ulps(0.5, sum));
      } else if (op === 'mean') {
        out.push(sum / size);
        bounds.push((gamma(size, U64) * absSum) / size + (U32 + U64) * Math.abs(sum / size));
      } else if (op === 'prod') {
        const product = values.reduce((s, v) => s * v, 1);
        out.push(product);
        bounds.push((gamma(size, U64) + U32) * Math.abs(product));
      } else {
        // max and min round nothing: exact.
        out.push(values.some(Number.isNaN) ? Number.NaN : op === 'max' ? Math.max(...values) : Math.min(...values));
        bounds.push(0);
      }
    }
  return { values: out, bounds };
}

const OPS = { sum: tf.sum, mean: tf.mean, max: tf.max, min: tf.min, prod: tf.prod } as const;
const CASES: [number[], number[]][] = [
  [[37], [0]],
  [[6, 11], [1]],
  [[6, 11], [0]],
  [[6, 11], [0, 1]],
  [[3, 5, 7], [1]],
  [[3, 5, 7], [1, 2]],
  [[3, 5, 7], [0, 1]],
  [[2, 3, 4, 300], [1, 2]],
  [[1, 1], [0]],
  [[1000, 700], [0]],
];

describe.runIf(nativeAvailable)('native reductions', () => {
  beforeAll(() => useNative());

  for (const [name, op] of Object.entries(OPS)) {
    it(`${name} over contiguous axis blocks, with and without keepDims, natively`, () => {
      for (const [shape, axes] of CASES) {
        const size = shape.reduce((p, d) => p * d, 1);
        // prod: values near 1, so the product of hundreds stays finite.
        const x = name === 'prod' ? randomArray(size, 41, 0.01).map((v) => 1 + v) : randomArray(size, 41);
        if (size > 5 && name !== 'prod') x[3] = Number.NaN;
        for (const keepDims of [false, true]) {
          const { result, calls } = countNativeCalls('reduce', () => tf.tidy(() => op(tf.tensor(x, shape), axes, keepDims)));
          expect(calls).toBe(1);
          const expectedShape = keepDims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
          expect(result.shape).toEqual(expectedShape);
          const want = reference(x, shape, axes, name as 'sum');
          expectWithinBound(result.dataSync(), want.values, want.bounds, `${name} ${JSON.stringify([shape, axes])}`);
          result.dispose();
        }
      }
    });
  }

  it('a sum of 1,000,000 values keeps float64 accuracy (float32 accumulation would be off by far more)', () => {
    const x = new Float32Array(1_000_000).fill(0.1);
    const got = tf.tidy(() => tf.sum(tf.tensor1d(x)));
    expect(Math.abs((got.dataSync()[0] as number) - 1_000_000 * Math.fround(0.1))).toBeLessThan(0.05);
    got.dispose();
  });

  it('all axes by default, empty reductions as tfjs gives them, and non-contiguous axes through the fallback', () => {
    const x = randomArray(24, 42);
    const all = tf.tidy(() => tf.sum(tf.tensor3d(x, [2, 3, 4])));
    const whole = reference(x, [24], [0], 'sum');
    expectWithinBound(all.dataSync(), whole.values, whole.bounds, 'sum over all axes');
    all.dispose();
    const empty = tf.tidy(() => tf.sum(tf.zeros([0, 3]), 0));
    expect(Array.from(empty.dataSync())).toEqual([0, 0, 0]);
    empty.dispose();
    const { result, calls } = countNativeCalls('reduce', () => tf.tidy(() => tf.sum(tf.tensor3d(x, [2, 3, 4]), [0, 2])));
    expect(calls).toBe(0);
    // Axes 0 and 2 of [2, 3, 4]: move axis 1 first, then it is a reduction of [3, 8] over axis 1.
    const moved = Float32Array.from({ length: 24 }, (_, e) => x[(Math.floor((e % 8) / 4) * 3 + Math.floor(e / 8)) * 4 + (e % 4)] as number);
    const want = reference(moved, [3, 8], [1], 'sum');
    expectWithinBound(result.dataSync(), want.values, want.bounds, 'sum over axes 0 and 2');
    result.dispose();
  });
});

/**
 * Softmax of one row in float64, and each element's relative error bound for the native kernel:
 * d = x - m rounds (u |d|), which exp turns into a relative error u |d|; libmvec's exp adds 4 ulp
 * (8u); the sum of the positive e_j in double is off relatively by at most the largest of its terms'
 * errors plus gamma_n(2^-53); 1/sum and the product each round once (u).
 */
function softmaxRow(row: number[]): { p: number[]; relative: number[] } {
  const m = Math.max(...row);
  const e = row.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  const termError = row.map((v) => U32 * Math.abs(v - m) + 8 * U32);
  const sumError = Math.max(...termError) + gamma(row.length, U64);
  return { p: e.map((v) => v / s), relative: termError.map((t) => t + sumError + 2 * U32) };
}

describe.runIf(nativeAvailable)('native softmax', () => {
  beforeAll(() => useNative());

  it('matches exp(x - max) / sum in float64 over rows of odd widths, large logits included', () => {
    for (const [rows, cols] of [[1, 1], [4, 10], [7, 33], [3, 1000]] as const) {
      const x = randomArray(rows * cols, 51, 30);
      const { result, calls } = countNativeCalls('softmax', () => tf.tidy(() => tf.softmax(tf.tensor2d(x, [rows, cols]))));
      expect(calls).toBe(1);
      const want: number[] = [];
      const bounds: number[] = [];
      for (let r = 0; r < rows; r++) {
        const { p, relative } = softmaxRow(Array.from(x.subarray(r * cols, (r + 1) * cols)));
        want.push(...p);
        bounds.push(...p.map((v, i) => (relative[i] as number) * v));
      }
      expectWithinBound(result.dataSync(), want, bounds, `softmax ${rows}x${cols}`);
      result.dispose();
    }
  });

  it('gives tfjs its gradient: the softmax Jacobian-vector product, checked in float64', () => {
    const x = randomArray(3 * 5, 52);
    const dy = randomArray(3 * 5, 53);
    const got = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.softmax(t), tf.tensor2d(dy, [3, 5]))))(tf.tensor2d(x, [3, 5])));
    const want: number[] = [];
    const bounds: number[] = [];
    for (let r = 0; r < 3; r++) {
      const { p, relative } = softmaxRow(Array.from(x.subarray(r * 5, r * 5 + 5)));
      const g = Array.from(dy.subarray(r * 5, r * 5 + 5));
      const dot = p.reduce((acc, pi, i) => acc + pi * (g[i] as number), 0);
      // dx_i = p_i (dy_i - sum_j p_j dy_j), each p_j off by its relative bound, the products and the
      // sum rounded in float32 (gamma_n covers any order), then a subtraction and a product.
      const eps = Math.max(...relative);
      const dotError = p.reduce((acc, pi, i) => acc + Math.abs(pi * (g[i] as number)), 0) * (eps + U32 + gamma(5));
      p.forEach((pi, i) => {
        const diff = (g[i] as number) - dot;
        want.push(pi * diff);
        bounds.push(pi * (dotError + U32 * Math.abs(diff)) + Math.abs(pi * diff) * (eps + U32));
      });
    }
    expectWithinBound(got.dataSync(), want, bounds, 'softmax gradient');
    got.dispose();
  });
});
