// Shared by this package's tests only (not exported from index.ts): activations written against
// core's contract, float64 references, and small runners around scoreArray.
import * as tf from '@tensorflow/tfjs-core';
import { Registry } from '@dl4ts/core';
import type { Activation, Loss } from '@dl4ts/core';
import { FLOAT32_TOLERANCE, checkGradients, closeness, leakedTensors, sigmoid64, softmax64, softplus64 } from '@dl4ts/core/testing';
import type { GradientCheckResult } from '@dl4ts/core/testing';
import { expect } from 'vitest';
import { registerLosses } from './register-losses';

export type { Matrix } from '@dl4ts/core/testing';
import type { Matrix } from '@dl4ts/core/testing';

/** An activation for tests plus its float64 twin, row by row. */
export interface TestActivation {
  readonly act: Activation;
  readonly f64: (row: readonly number[]) => number[];
}

// @dl4ts/layers is not a dependency of this package, so the activations are written here against
// core's Activation contract. The `layers/*` keys are the real ones: the fused forms check them.
function testActivation(key: string, f: (x: tf.Tensor) => tf.Tensor, f64: (row: readonly number[]) => number[]): TestActivation {
  return { act: { key, config: { type: key }, apply: (x) => f(x) }, f64 };
}
export { logSoftmax64, sigmoid64 } from '@dl4ts/core/testing';

export const ACT = {
  softmax: testActivation('layers/softmax', (x) => tf.softmax(x), softmax64),
  sigmoid: testActivation('layers/sigmoid', (x) => tf.sigmoid(x), (r) => r.map(sigmoid64)),
  identity: testActivation('layers/identity', (x) => x, (r) => [...r]),
  tanh: testActivation('layers/tanh', (x) => tf.tanh(x), (r) => r.map(Math.tanh)),
  // The same functions under other keys take the unfused (clipped-probability) paths.
  softmaxUnfused: testActivation('test/softmax', (x) => tf.softmax(x), softmax64),
  sigmoidUnfused: testActivation('test/sigmoid', (x) => tf.sigmoid(x), (r) => r.map(sigmoid64)),
  softplus: testActivation('test/softplus', (x) => tf.softplus(x), (r) => r.map(softplus64)),
  exp: testActivation('test/exp', (x) => tf.exp(x), (r) => r.map(Math.exp)),
} as const;
export type ActName = keyof typeof ACT;

export const registry = registerLosses(new Registry());
export const loss = (ref: unknown): Loss => registry.create('loss', ref);

/** Runs scoreArray on host arrays and reads the per-example scores. */
export async function scores(ref: unknown, act: Activation, z: Matrix, y: Matrix | number[], mask?: Matrix): Promise<Float32Array> {
  const labels = tf.tensor(y);
  const preOutput = tf.tensor2d(z);
  const m = mask === undefined ? undefined : tf.tensor2d(mask);
  const out = tf.tidy(() => loss(ref).scoreArray({ labels, preOutput, activation: act, ...(m === undefined ? {} : { mask: m }) }));
  expect(out.shape).toEqual([z.length]);
  const values = (await out.data()) as Float32Array;
  tf.dispose([labels, preOutput, out, ...(m === undefined ? [] : [m])]);
  return values;
}

/** Per-example score and gradient w.r.t. preOutput of the summed scores. */
export async function valueAndGrad(ref: unknown, act: Activation, z: Matrix, y: Matrix | number[], mask?: Matrix): Promise<{ value: number[]; grad: number[] }> {
  const labels = tf.tensor(y);
  const preOutput = tf.tensor2d(z);
  const m = mask === undefined ? undefined : tf.tensor2d(mask);
  const input = (p: tf.Tensor) => ({ labels, preOutput: p, activation: act, ...(m === undefined ? {} : { mask: m }) });
  const value = tf.tidy(() => loss(ref).scoreArray(input(preOutput)));
  const grad = tf.grad((p: tf.Tensor) => tf.sum(loss(ref).scoreArray(input(p))))(preOutput);
  const result = { value: Array.from(await value.data()), grad: Array.from(await grad.data()) };
  tf.dispose([labels, preOutput, value, grad, ...(m === undefined ? [] : [m])]);
  return result;
}

/** checkGradients of the batch-mean score w.r.t. preOutput, asserting no tensor leaks. */
export async function gradientCheck(ref: unknown, act: Activation, z: Matrix, y: Matrix | number[], epsilon = 1e-2): Promise<GradientCheckResult> {
  const labels = tf.tensor(y);
  const preOutput = tf.tensor2d(z);
  let result: GradientCheckResult | undefined;
  const leaked = await leakedTensors(async () => {
    result = await checkGradients(([p]) => tf.mean(loss(ref).scoreArray({ labels, preOutput: p as tf.Tensor, activation: act })), [preOutput], { epsilon });
  });
  expect(leaked).toBe(0);
  tf.dispose([labels, preOutput]);
  return result as GradientCheckResult;
}

export const TOL = FLOAT32_TOLERANCE;

export function expectClose(actual: ArrayLike<number>, expected: readonly number[], tol: { atol?: number; rtol?: number } = TOL): void {
  expect(closeness(actual, expected, 'values', tol)).toBeUndefined();
}

/** Applies a float64 activation to every row. */
export const apply64 = (act: ActName, z: Matrix): Matrix => z.map((row) => ACT[act].f64(row));
export const ones = (z: Matrix): Matrix => z.map((row) => row.map(() => 1));

/**
 * Float64 reference of a per-output loss: `sum_i w_i m_i term(a_i, y_i)`, divided by n when `mean`.
 */
export function rowwise64(a: Matrix, y: Matrix, term: (a: number, y: number) => number, options: { mask?: Matrix; weights?: number[]; mean?: boolean } = {}): number[] {
  return a.map((row, i) => {
    const sum = row.reduce((s, aj, j) => s + (options.weights?.[j] ?? 1) * (options.mask?.[i]?.[j] ?? 1) * term(aj, y[i]![j]!), 0);
    return options.mean === true ? sum / row.length : sum;
  });
}

// Fixed inputs. Logits:
export const Z: Matrix = [
  [0.5, -1.2, 2.0],
  [-0.3, 0.8, 0.1],
  [3.0, -2.0, 0.4],
  [1.0, 1.0, 1.0],
  [-4.0, 0.0, 2.5],
];
/** Z / 2: keeps tanh out of saturation, where float32 central differences lose the gradient. */
export const Z_HALF: Matrix = Z.map((row) => row.map((v) => v / 2));
/** One-hot rows and one soft-label row. */
export const Y_CLASS: Matrix = [
  [0, 0, 1],
  [1, 0, 0],
  [0, 1, 0],
  [0, 1, 0],
  [0.2, 0.5, 0.3],
];
export const Y_SPARSE = [2, 0, 1, 1, 2];
/** Independent binary targets, some soft. */
export const Y_BINARY: Matrix = [
  [1, 0, 1],
  [0, 0, 1],
  [1, 1, 0],
  [0.5, 0, 1],
  [0.25, 1, 0.75],
];
/** Regression targets: non-zero, never equal to an output. */
export const Y_REG: Matrix = [
  [0.3, -0.7, 1.9],
  [-1.1, 0.45, 0.2],
  [2.2, -0.6, 0.65],
  [0.35, 1.4, -0.9],
  [-2.5, 0.15, 1.05],
];
/** Count targets for Poisson. */
export const Y_COUNT: Matrix = [
  [0, 2, 5],
  [1, 0, 1],
  [7, 0, 2],
  [3, 3, 0],
  [0, 1, 9],
];
/** Labels in {-1, 1}; y z stays away from the hinge at 1. */
export const Y_PM: Matrix = [
  [1, -1, 1],
  [-1, 1, -1],
  [1, 1, -1],
  [-1, -1, -1],
  [-1, 1, 1],
];
/** Probabilities, for losses fed through the identity activation. */
export const P: Matrix = [
  [0.1, 0.7, 0.95],
  [0.5, 0.02, 0.6],
  [0.33, 0.8, 0.25],
];
export const Y_P: Matrix = [
  [0, 1, 1],
  [1, 0, 0],
  [0.5, 1, 0],
];
export const MASK: Matrix = [
  [1, 0, 1],
  [0, 1, 1],
  [1, 1, 0],
  [0, 0, 0],
  [1, 0, 1],
];
