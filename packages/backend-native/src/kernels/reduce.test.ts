// Reductions and softmax against float64 loops written here: every contiguous axis block,
// keepDims, NaN propagation, empty reductions, and sums long enough for float32 accumulation to
// drift (the native sums accumulate in double, as tfjs-backend-cpu does).
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { countNativeCalls, nativeAvailable, useNative } from '../test-support';
import { expectClose, randomArray } from './test-arrays';

/** Reduces x [shape] over `axes` (a contiguous block) in float64. */
function reference(x: Float32Array, shape: number[], axes: number[], op: 'sum' | 'mean' | 'max' | 'min' | 'prod'): number[] {
  const lo = Math.min(...axes);
  const hi = Math.max(...axes);
  const outer = shape.slice(0, lo).reduce((p, d) => p * d, 1);
  const size = shape.slice(lo, hi + 1).reduce((p, d) => p * d, 1);
  const inner = shape.slice(hi + 1).reduce((p, d) => p * d, 1);
  const out: number[] = [];
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const values: number[] = [];
      for (let r = 0; r < size; r++) values.push(x[(o * size + r) * inner + i] as number);
      if (op === 'sum') out.push(values.reduce((s, v) => s + v, 0));
      else if (op === 'mean') out.push(values.reduce((s, v) => s + v, 0) / size);
      else if (op === 'prod') out.push(values.reduce((s, v) => s * v, 1));
      else if (values.some(Number.isNaN)) out.push(Number.NaN);
      else out.push(op === 'max' ? Math.max(...values) : Math.min(...values));
    }
  return out;
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
          expectClose(result.dataSync(), reference(x, shape, axes, name as 'sum'), name === 'prod' || name === 'mean' ? 1e-6 : 2e-7, `${name} ${JSON.stringify([shape, axes])}`);
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
    expectClose(all.dataSync(), [Array.from(x).reduce((s, v) => s + v, 0)], 1e-6);
    all.dispose();
    const empty = tf.tidy(() => tf.sum(tf.zeros([0, 3]), 0));
    expect(Array.from(empty.dataSync())).toEqual([0, 0, 0]);
    empty.dispose();
    const { result, calls } = countNativeCalls('reduce', () => tf.tidy(() => tf.sum(tf.tensor3d(x, [2, 3, 4]), [0, 2])));
    expect(calls).toBe(0);
    const want = [0, 1, 2].map((j) => [0, 1].reduce((s, i) => s + [0, 1, 2, 3].reduce((t, k) => t + (x[(i * 3 + j) * 4 + k] as number), 0), 0));
    expectClose(result.dataSync(), want, 1e-6);
    result.dispose();
  });
});

describe.runIf(nativeAvailable)('native softmax', () => {
  beforeAll(() => useNative());

  it('matches exp(x - max) / sum in float64 over rows of odd widths, large logits included', () => {
    for (const [rows, cols] of [[1, 1], [4, 10], [7, 33], [3, 1000]] as const) {
      const x = randomArray(rows * cols, 51, 30);
      const { result, calls } = countNativeCalls('softmax', () => tf.tidy(() => tf.softmax(tf.tensor2d(x, [rows, cols]))));
      expect(calls).toBe(1);
      const want: number[] = [];
      for (let r = 0; r < rows; r++) {
        const row = Array.from(x.subarray(r * cols, (r + 1) * cols));
        const m = Math.max(...row);
        const e = row.map((v) => Math.exp(v - m));
        const s = e.reduce((a, b) => a + b, 0);
        want.push(...e.map((v) => v / s));
      }
      expectClose(result.dataSync(), want, 2e-6, `softmax ${rows}x${cols}`);
      result.dispose();
    }
  });

  it('gives tfjs its gradient: the softmax Jacobian-vector product, checked in float64', () => {
    const x = randomArray(3 * 5, 52);
    const dy = randomArray(3 * 5, 53);
    const got = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.softmax(t), tf.tensor2d(dy, [3, 5]))))(tf.tensor2d(x, [3, 5])));
    const want: number[] = [];
    for (let r = 0; r < 3; r++) {
      const row = Array.from(x.subarray(r * 5, r * 5 + 5));
      const m = Math.max(...row);
      const e = row.map((v) => Math.exp(v - m));
      const s = e.reduce((a, b) => a + b, 0);
      const p = e.map((v) => v / s);
      const dot = p.reduce((acc, pi, i) => acc + pi * (dy[r * 5 + i] as number), 0);
      want.push(...p.map((pi, i) => pi * ((dy[r * 5 + i] as number) - dot)));
    }
    expectClose(got.dataSync(), want, 1e-5);
    got.dispose();
  });
});
