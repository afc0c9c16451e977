// The unary and binary kernels against float64 formulas written here: a grid of values with the
// edge cases (NaN, +-Inf, 0, -0), broadcasting of every kind, odd sizes that leave vector tails,
// empty and 1-element tensors, and sizes above the thread threshold. Each result must lie within
// the accuracy its kernel promises (./error-bounds.ts: half an ulp for a correctly rounded
// operation, libm's and libmvec's 4 ulp, plus the roundings a formula adds).
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { countNativeCalls, nativeAvailable, useNative } from '../test-support';
import { type Accuracy, accuracyBounds, expectWithinBound, ulps } from './error-bounds';
import { randomArray } from './test-arrays';

const SPECIAL = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0, 1e-7, -1e-7, 20, -20, 88, -88, 0.5, -0.5, 3, 6.5];
/** The grid: the special values, then 40 spread over [-10, 10), 19 + 40 + 1: not a multiple of 8. */
const GRID = Float32Array.from([...SPECIAL, ...Array.from(randomArray(40, 11, 10)), 1]);

const f32 = (x: number) => Math.fround(x);
const EXACT: Accuracy = { ulps: 0 };
const ROUNDED: Accuracy = { ulps: 0.5 };
const LIBM: Accuracy = { ulps: 4 };
const UNARY: [string, (x: tf.Tensor) => tf.Tensor, (x: number) => number, Accuracy][] = [
  ['abs', tf.abs, Math.abs, EXACT],
  ['neg', tf.neg, (x) => -x, EXACT],
  ['square', tf.square, (x) => x * x, ROUNDED],
  ['sqrt', tf.sqrt, Math.sqrt, ROUNDED],
  // 1 / sqrt(x): two correctly rounded operations.
  ['rsqrt', tf.rsqrt, (x) => 1 / Math.sqrt(x), { ulps: 1 }],
  ['reciprocal', tf.reciprocal, (x) => 1 / x, ROUNDED],
  ['exp', tf.exp, Math.exp, LIBM],
  ['expm1', tf.expm1, Math.expm1, LIBM],
  ['log', tf.log, Math.log, LIBM],
  ['log1p', tf.log1p, Math.log1p, LIBM],
  ['relu', tf.relu, (x) => (x < 0 ? 0 : x), EXACT],
  ['relu6', tf.relu6, (x) => (x < 0 ? 0 : x > 6 ? 6 : x), EXACT],
  // exp(x) - 1 for x < 0: exp's 4 ulp of a value below 1, then the subtraction's half ulp.
  ['elu', tf.elu, (x) => (x >= 0 ? x : Math.exp(x) - 1), { ulps: 0.5, absolute: ulps(4, 1) }],
  // The same times a float32 constant (its own rounding, then the product's): 1.5 ulp more.
  ['selu', tf.selu, (x) => (x >= 0 ? 1.0507009873554805 * x : 1.7580993408473768 * (Math.exp(x) - 1)), { ulps: 2, absolute: 1.76 * ulps(4, 1) }],
  ['leakyRelu', (x) => tf.leakyRelu(x, 0.15), (x) => (x < 0 ? f32(0.15) * x : x), ROUNDED],
  // 1 / (1 + exp(-x)): exp's 4 ulp, the add and the divide.
  ['sigmoid', tf.sigmoid, (x) => 1 / (1 + Math.exp(-x)), { ulps: 5 }],
  ['tanh', tf.tanh, Math.tanh, LIBM],
  // log1p(exp(x)) between tfjs's thresholds: exp's 4 ulp pass through log1p (slope below 1 relative), then log1p's own 4.
  ['softplus', tf.softplus, (x) => (x > -(Math.log(1.1920928955078125e-7) + 2) ? x : x < Math.log(1.1920928955078125e-7) + 2 ? Math.exp(x) : Math.log1p(Math.exp(x))), { ulps: 8 }],
  ['step', (x) => tf.step(x, 0.25), (x) => (Number.isNaN(x) ? x : x > 0 ? 1 : 0.25), EXACT],
  ['floor', tf.floor, Math.floor, EXACT],
  ['ceil', tf.ceil, Math.ceil, EXACT],
  ['sin', tf.sin, Math.sin, LIBM],
  ['cos', tf.cos, Math.cos, LIBM],
  ['clipByValue', (x) => tf.clipByValue(x, -1.5, 2.5), (x) => (x > 2.5 ? 2.5 : x < -1.5 ? -1.5 : x), EXACT],
  ['erf', tf.erf, erf, LIBM],
];

/** erf by its Taylor series near 0 and continued fraction beyond (float64, far more exact than float32 needs). */
function erf(x: number): number {
  if (Number.isNaN(x)) return x;
  if (!Number.isFinite(x)) return Math.sign(x);
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let term = ax;
    let sum = ax;
    for (let n = 1; n < 60; n++) {
      term *= (-ax * ax) / n;
      sum += term / (2 * n + 1);
    }
    return Math.sign(x) * ((2 / Math.sqrt(Math.PI)) * sum);
  }
  let fraction = 0;
  for (let n = 60; n >= 1; n--) fraction = n / 2 / (ax + fraction);
  return Math.sign(x) * (1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + fraction));
}

describe.runIf(nativeAvailable)('native unary kernels', () => {
  beforeAll(() => useNative());

  for (const [name, op, reference, accuracy] of UNARY) {
    it(`${name} matches its float64 formula on the grid, natively`, () => {
      const { result, calls } = countNativeCalls('unary', () => tf.tidy(() => op(tf.tensor1d(GRID))));
      expect(calls).toBe(1);
      const want = Array.from(GRID, (x) => reference(x));
      expectWithinBound(result.dataSync(), want, accuracyBounds(want, accuracy), name);
      result.dispose();
    });
  }

  it('keeps the shape, handles empty and 1-element tensors, and splits large arrays over threads alike', () => {
    const empty = tf.tidy(() => tf.exp(tf.zeros([0, 3])));
    expect(empty.shape).toEqual([0, 3]);
    empty.dispose();
    const one = tf.tidy(() => tf.tanh(tf.scalar(0.5)));
    expect(one.dataSync()[0]).toBeCloseTo(Math.tanh(0.5), 6);
    one.dispose();
    // 300,001 elements: above the 131,072 threshold, and not a multiple of the chunk alignment.
    const big = randomArray(300_001, 12, 5);
    const got = tf.tidy(() => tf.sigmoid(tf.tensor1d(big)));
    const sigmoids = Array.from(big, (x) => 1 / (1 + Math.exp(-x)));
    expectWithinBound(got.dataSync(), sigmoids, accuracyBounds(sigmoids, { ulps: 5 }), 'sigmoid, threaded');
    got.dispose();
  });

  it('int32 input goes to tfjs-backend-cpu (no native call) with the same answer', () => {
    const { result, calls } = countNativeCalls('unary', () => tf.tidy(() => tf.abs(tf.tensor1d([-3, 4], 'int32'))));
    expect(calls).toBe(0);
    expect(Array.from(result.dataSync())).toEqual([3, 4]);
    result.dispose();
  });
});

/** out[i] over the broadcast of a [shapeA] and b [shapeB], by index arithmetic in float64. */
function broadcastReference(a: Float32Array, shapeA: number[], b: Float32Array, shapeB: number[], f: (x: number, y: number) => number): { values: number[]; shape: number[] } {
  const rank = Math.max(shapeA.length, shapeB.length);
  const pa = [...Array<number>(rank - shapeA.length).fill(1), ...shapeA];
  const pb = [...Array<number>(rank - shapeB.length).fill(1), ...shapeB];
  const shape = pa.map((d, i) => (d === 1 ? (pb[i] as number) : d));
  const size = shape.reduce((p, d) => p * d, 1);
  const values: number[] = [];
  for (let flat = 0; flat < size; flat++) {
    let rest = flat;
    let ia = 0;
    let ib = 0;
    let sa = 1;
    let sb = 1;
    for (let d = rank - 1; d >= 0; d--) {
      const index = rest % (shape[d] as number);
      rest = Math.floor(rest / (shape[d] as number));
      ia += (pa[d] === 1 ? 0 : index) * sa;
      ib += (pb[d] === 1 ? 0 : index) * sb;
      sa *= pa[d] as number;
      sb *= pb[d] as number;
    }
    values.push(f(a[ia] as number, b[ib] as number));
  }
  return { values, shape };
}

const BINARY: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, (x: number, y: number) => number, Accuracy][] = [
  ['add', tf.add, (x, y) => x + y, ROUNDED],
  ['sub', tf.sub, (x, y) => x - y, ROUNDED],
  ['mul', tf.mul, (x, y) => x * y, ROUNDED],
  ['div', tf.div, (x, y) => x / y, ROUNDED],
  ['maximum', tf.maximum, Math.max, EXACT],
  ['minimum', tf.minimum, Math.min, EXACT],
  // (x - y)^2: the difference's half ulp doubled by the square, then the square's own half.
  ['squaredDifference', tf.squaredDifference, (x, y) => (x - y) ** 2, { ulps: 1.5 }],
  ['pow', tf.pow, Math.pow, LIBM],
];
const COMPARE: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, (x: number, y: number) => boolean][] = [
  ['greater', tf.greater, (x, y) => x > y],
  ['greaterEqual', tf.greaterEqual, (x, y) => x >= y],
  ['less', tf.less, (x, y) => x < y],
  ['lessEqual', tf.lessEqual, (x, y) => x <= y],
  ['equal', tf.equal, (x, y) => x === y],
  ['notEqual', tf.notEqual, (x, y) => x !== y],
];

/** Shape pairs: equal, scalar either side, row and column broadcast, middle axes, rank mismatch, 1-element, empty. */
const SHAPES: [number[], number[]][] = [
  [[37], [37]],
  [[5, 13], []],
  [[], [5, 13]],
  [[6, 11], [11]],
  [[6, 11], [6, 1]],
  [[6, 1], [1, 11]],
  [[2, 3, 5, 7], [3, 1, 7]],
  [[4, 1, 9], [1, 5, 1]],
  [[1], [1]],
  [[0, 4], [4]],
];

describe.runIf(nativeAvailable)('native binary kernels with broadcasting', () => {
  beforeAll(() => useNative());

  for (const [name, op, reference, accuracy] of BINARY) {
    it(`${name} over every broadcast pattern, natively`, () => {
      for (const [sa, sb] of SHAPES) {
        const a = randomArray(sa.reduce((p, d) => p * d, 1), 21, 3);
        const b = randomArray(sb.reduce((p, d) => p * d, 1), 22, 3);
        // pow: positive bases, so the float64 reference and float32 agree on NaNs.
        const base = name === 'pow' ? a.map(Math.abs) : a;
        const { result, calls } = countNativeCalls('binary', () => tf.tidy(() => op(tf.tensor(base, sa), tf.tensor(b, sb))));
        const want = broadcastReference(base, sa, b, sb, reference);
        expect(result.shape, `${name} ${JSON.stringify([sa, sb])}`).toEqual(want.shape);
        if (want.values.length > 0) expect(calls).toBe(1);
        expectWithinBound(result.dataSync(), want.values, accuracyBounds(want.values, accuracy), `${name} ${JSON.stringify([sa, sb])}`);
        result.dispose();
      }
    });
  }

  it('maximum and minimum propagate NaN as Math.max does; large arrays split over threads alike', () => {
    const a = Float32Array.from([Number.NaN, 1, 2, Number.NaN, 5, 6, 7, 8, 9]);
    const b = Float32Array.from([0, Number.NaN, 3, Number.NaN, 4, 6, 8, 7, 10]);
    for (const [op, f] of [[tf.maximum, Math.max], [tf.minimum, Math.min]] as const) {
      const got = tf.tidy(() => op(tf.tensor1d(a), tf.tensor1d(b)));
      const extremes = Array.from(a, (x, i) => f(x, b[i] as number));
      expectWithinBound(got.dataSync(), extremes, accuracyBounds(extremes, EXACT), 'maximum/minimum with NaN');
      got.dispose();
    }
    const x = randomArray(400 * 513, 23);
    const row = randomArray(513, 24);
    const got = tf.tidy(() => tf.mul(tf.tensor2d(x, [400, 513]), tf.tensor1d(row)));
    const products = Array.from(x, (v, i) => v * (row[i % 513] as number));
    expectWithinBound(got.dataSync(), products, accuracyBounds(products, ROUNDED), 'threaded row broadcast');
    got.dispose();
  });

  for (const [name, op, reference] of COMPARE) {
    it(`${name} returns bool over broadcast shapes, NaN compared as in JavaScript`, () => {
      for (const [sa, sb] of SHAPES) {
        const a = randomArray(sa.reduce((p, d) => p * d, 1), 31, 2).map((v) => Math.round(v));
        const b = randomArray(sb.reduce((p, d) => p * d, 1), 32, 2).map((v) => Math.round(v));
        if (a.length > 2) a[1] = Number.NaN;
        const { result, calls } = countNativeCalls('compare', () => tf.tidy(() => op(tf.tensor(a, sa), tf.tensor(b, sb))));
        const want = broadcastReference(a, sa, b, sb, (x, y) => (reference(x, y) ? 1 : 0));
        expect(result.dtype).toBe('bool');
        if (want.values.length > 0) expect(calls).toBe(1);
        expect(Array.from(result.dataSync()), `${name} ${JSON.stringify([sa, sb])}`).toEqual(want.values);
        result.dispose();
      }
    });
  }

  it('int32 operands and shapes that do not broadcast go to tfjs-backend-cpu, with its answer and its error', () => {
    const { result, calls } = countNativeCalls('binary', () => tf.tidy(() => tf.add(tf.tensor1d([1, 2], 'int32'), tf.tensor1d([3, 4], 'int32'))));
    expect(calls).toBe(0);
    expect(Array.from(result.dataSync())).toEqual([4, 6]);
    result.dispose();
    expect(() => tf.tidy(() => tf.add(tf.zeros([2, 3]), tf.zeros([4])))).toThrow(/could not be broadcast|broadcast/i);
  });
});
