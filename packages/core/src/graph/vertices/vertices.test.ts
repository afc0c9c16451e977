import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ConfigError, ShapeError } from '../../errors';
import type { Shape } from '../../layer';
import { Registry } from '../../registry';
import { Rng } from '../../random';
import { checkGradients } from '../../testing/gradient-check';
import type { Vertex } from '../vertex';

const registry = new Registry();

function vertex(type: string, inputs: number, options: Record<string, unknown> = {}): Vertex {
  return registry.create('vertex', { type, name: 'v', inputs: Array.from({ length: inputs }, (_, i) => `in${i}`), ...options });
}

/** Random values from a seeded stream, as nested rows for the float64 references. */
function normals(seed: number, shape: number[]): number[] {
  const rng = new Rng(seed);
  return Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal());
}

/** Runs a vertex on float32 tensors and returns the output values and shape. */
function run(v: Vertex, inputs: { values: number[]; shape: number[] }[], masks: (number[][] | undefined)[] = []): { values: number[]; shape: number[] } {
  const out = tf.tidy(() => v.forward(inputs.map((i) => tf.tensor(i.values, i.shape)), { training: false, masks: inputs.map((_, k) => (masks[k] === undefined ? undefined : tf.tensor2d(masks[k] as number[][]))) }));
  const result = { values: Array.from(out.dataSync()), shape: out.shape };
  out.dispose();
  return result;
}

/** float32 rounding of a float64 reference value: the tolerance of a handful of operations. */
const close = (actual: number[], expected: number[]) => {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(Math.abs(a - (expected[i] as number)), `entry ${i}: ${a} vs ${expected[i]}`).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(expected[i] as number))));
};

/** Finite differences of sum(output * r) with respect to the first `differentiated` inputs (default all), r fixed random weights. */
async function gradientCheck(v: Vertex, shapes: number[][], masks: (number[][] | undefined)[] = [], differentiated = shapes.length, seed = 11): Promise<void> {
  const inputs = shapes.map((s, k) => tf.tensor(normals(seed + k, s), s));
  const maskTensors = shapes.map((_, k) => (masks[k] === undefined ? undefined : tf.tensor2d(masks[k] as number[][])));
  const outShape = tf.tidy(() => v.forward(inputs, { training: true, masks: maskTensors })).shape;
  const r = tf.tensor(normals(seed + 100, outShape), outShape);
  const rest = inputs.slice(differentiated);
  // The central difference's rounding noise is about S u / h (u = 2^-24, h = 1e-2) for a sum of
  // terms of total magnitude S; here S is at most about 200 (a few dozen products of normals).
  const result = await checkGradients((xs) => tf.sum(tf.mul(v.forward([...xs, ...rest], { training: true, masks: maskTensors }), r)), inputs.slice(0, differentiated), { absoluteTolerance: 1e-3 });
  expect(result.failures, JSON.stringify(result.failures.slice(0, 3))).toEqual([]);
  expect(result.checked).toBeGreaterThan(0);
  tf.dispose([...inputs, r, ...maskTensors.filter((m): m is tf.Tensor2D => m !== undefined)]);
}

describe('graph vertices', () => {
  const a = { values: normals(1, [2, 3]), shape: [2, 3] };
  const b = { values: normals(2, [2, 3]), shape: [2, 3] };
  const zip = (f: (x: number, y: number) => number) => a.values.map((x, i) => f(x, b.values[i] as number));

  it('merge concatenates along the last axis and checks the other dimensions', async () => {
    const v = vertex('core/merge', 2);
    expect(v.build([[3], [2]])).toEqual([5]);
    expect(v.build([[4, 3], [4, 1]])).toEqual([4, 4]);
    expect(() => v.build([[4, 3], [5, 1]])).toThrow(ShapeError);
    expect(() => v.build([[4, 3], [5, 1]])).toThrow('Vertex "v" (core/merge): input "in1" has shape [5, 1], input "in0" has [4, 3]');
    const out = run(v, [a, { values: [7, 8], shape: [2, 1] }]);
    expect(out.shape).toEqual([2, 4]);
    close(out.values, [...a.values.slice(0, 3), 7, ...a.values.slice(3), 8]);
    await gradientCheck(v, [[2, 3], [2, 2]]);
  });

  it.each([
    ['add', (x: number, y: number) => x + y],
    ['subtract', (x: number, y: number) => x - y],
    ['product', (x: number, y: number) => x * y],
    ['average', (x: number, y: number) => (x + y) / 2],
    ['max', (x: number, y: number) => Math.max(x, y)],
  ] as const)('elementwise %s matches its float64 value and gradient', async (op, f) => {
    const v = vertex('core/elementwise', 2, { op });
    expect(v.build([[3], [3]])).toEqual([3]);
    close(run(v, [a, b]).values, zip(f));
    await gradientCheck(v, [[2, 3], [2, 3]]);
  });

  it('elementwise takes several inputs, rejects mismatched shapes naming both inputs, and an unknown op', async () => {
    const v = vertex('core/elementwise', 3, { op: 'product' });
    const c = { values: normals(3, [2, 3]), shape: [2, 3] };
    close(run(v, [a, b, c]).values, a.values.map((x, i) => x * (b.values[i] as number) * (c.values[i] as number)));
    await gradientCheck(v, [[2, 3], [2, 3], [2, 3]]);
    expect(() => vertex('core/elementwise', 2, { op: 'add' }).build([[3], [4]])).toThrow('Vertex "v" (core/elementwise): input "in1" has shape [4], but input "in0" has [3]; the inputs of this vertex must have the same shape');
    expect(() => vertex('core/elementwise', 3, { op: 'subtract' }).build([[3], [3], [3]])).toThrow('received 3 inputs (in0, in1, in2), expected 2');
    expect(() => vertex('core/elementwise', 2, { op: 'divide' })).toThrow(ConfigError);
  });

  it('subset takes features from..to inclusive along the last axis', async () => {
    const v = vertex('core/subset', 1, { from: 1, to: 2 });
    expect(v.build([[3]])).toEqual([2]);
    expect(() => v.build([[2]])).toThrow(ShapeError);
    close(run(v, [a]).values, [a.values[1], a.values[2], a.values[4], a.values[5]] as number[]);
    await gradientCheck(v, [[2, 3]]);
    expect(() => vertex('core/subset', 1, { from: 2, to: 1 })).toThrow('to must be an integer >= 2');
  });

  it('stack and unstack are inverse along the batch', async () => {
    const stack = vertex('core/stack', 2);
    const stacked = run(stack, [a, b]);
    expect(stacked.shape).toEqual([4, 3]);
    close(stacked.values, [...a.values, ...b.values]);
    const unstack = vertex('core/unstack', 1, { from: 1, stackSize: 2 });
    close(run(unstack, [stacked]).values, b.values);
    expect(() => run(unstack, [a, a].slice(0, 1).map(() => ({ values: normals(4, [3, 3]), shape: [3, 3] })))).toThrow('a batch of 3 rows does not split into 2 equal parts');
    await gradientCheck(stack, [[2, 3], [2, 3]]);
    await gradientCheck(unstack, [[4, 3]]);
  });

  it('scale and shift by constants', async () => {
    close(run(vertex('core/scale', 1, { scale: 2.5 }), [a]).values, a.values.map((x) => 2.5 * x));
    close(run(vertex('core/shift', 1, { shift: -1 }), [a]).values, a.values.map((x) => x - 1));
    await gradientCheck(vertex('core/scale', 1, { scale: 2.5 }), [[2, 3]]);
    expect(() => vertex('core/scale', 1, {})).toThrow('scale must be a finite number, received undefined');
  });

  it('l2 is the distance between two inputs per example, with a zero gradient where they are equal', async () => {
    const v = vertex('core/l2', 2);
    expect(v.build([[3], [3]])).toEqual([1]);
    const d = [0, 1].map((n) => Math.sqrt([0, 1, 2].reduce((s, j) => s + ((a.values[3 * n + j] as number) - (b.values[3 * n + j] as number)) ** 2, 0)));
    const out = run(v, [a, b]);
    expect(out.shape).toEqual([2, 1]);
    close(out.values, d);
    await gradientCheck(v, [[2, 3], [2, 3]]);
    const x = tf.tensor2d([[1, 2]]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(v.forward([t, x], { training: true, masks: [] })))(x);
    expect(Array.from(g.dataSync())).toEqual([0, 0]);
    tf.dispose([x, g]);
  });

  it('l2-normalize divides each example by its norm', async () => {
    const v = vertex('core/l2-normalize', 1);
    const norms = [0, 1].map((n) => Math.hypot(...a.values.slice(3 * n, 3 * n + 3)));
    close(run(v, [a]).values, a.values.map((x, i) => x / (norms[Math.floor(i / 3)] as number)));
    await gradientCheck(v, [[2, 3]]);
  });

  it('reshape reshapes each example, inferring one -1, and refuses sizes that do not divide', async () => {
    const v = vertex('core/reshape', 1, { shape: [3, -1] });
    expect(v.build([[6]])).toEqual([3, 2]);
    const out = run(v, [{ values: normals(5, [2, 6]), shape: [2, 6] }]);
    expect(out.shape).toEqual([2, 3, 2]);
    expect(() => vertex('core/reshape', 1, { shape: [4, -1] }).build([[6]])).toThrow('which cannot be reshaped to [4, -1]');
    expect(() => vertex('core/reshape', 1, { shape: [-1, -1] })).toThrow(ConfigError);
    await gradientCheck(v, [[2, 6]]);
  });

  const seq = { values: normals(6, [2, 3, 2]), shape: [2, 3, 2] };
  const at = (n: number, t: number) => seq.values.slice(6 * n + 2 * t, 6 * n + 2 * t + 2);
  const mask = [
    [1, 1, 0],
    [1, 0, 0],
  ];

  it("last-time-step takes each sequence's last real step by its mask", async () => {
    const v = vertex('core/last-time-step', 1);
    expect(v.build([[3, 2]] as Shape[])).toEqual([2]);
    expect(() => v.build([[3]])).toThrow('expected a sequence [time, features]');
    close(run(v, [seq]).values, [...at(0, 2), ...at(1, 2)]);
    close(run(v, [seq], [mask]).values, [...at(0, 1), ...at(1, 0)]);
    expect(v.outputMask?.([tf.tensor2d(mask)])).toBeUndefined();
    await gradientCheck(v, [[2, 3, 2]], [mask]);
  });

  it('duplicate-to-time-series repeats a vector at every step of its reference sequence', async () => {
    const v = vertex('core/duplicate-to-time-series', 2);
    expect(v.build([[2], [3, 5]])).toEqual([3, 2]);
    const vec = { values: [1, 2, 3, 4], shape: [2, 2] };
    close(run(v, [vec, seq]).values, [1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4]);
    // No gradient flows into the reference sequence: it gives only the length.
    await gradientCheck(v, [[2, 2], [2, 3, 2]], [], 1);
  });

  it('reverse-time-series reverses each sequence, only its real steps where it has a mask', async () => {
    const v = vertex('core/reverse-time-series', 1);
    close(run(v, [seq]).values, [...at(0, 2), ...at(0, 1), ...at(0, 0), ...at(1, 2), ...at(1, 1), ...at(1, 0)]);
    close(run(v, [seq], [mask]).values, [...at(0, 1), ...at(0, 0), ...at(0, 2), ...at(1, 0), ...at(1, 1), ...at(1, 2)]);
    await gradientCheck(v, [[2, 3, 2]], [mask]);
  });
});
