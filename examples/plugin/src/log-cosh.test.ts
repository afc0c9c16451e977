import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError } from '@dl4ts/core';
import type { Activation, Loss } from '@dl4ts/core';
import { compareArrays } from '@dl4ts/core/testing';
import { describe, expect, it } from 'vitest';
import { registry, sigmoid, values } from './test-support';

// Differences a - y include 0, small, moderate and huge (cosh overflows float32 past 89 and
// float64 past 710), so the closed form below must take the stable branch for them.
const Z = [
  [0.5, -1.25, 3, 0],
  [100, -0.1, 2, -800],
];
const Y = [
  [0.5, 0.75, -1, 0.3],
  [-5, 0.2, 2.5, 0],
];
const MASK = [
  [1, 0, 1, 1],
  [1, 1, 0, 1],
];

/** log(cosh(d)) in float64, by its closed form |d| + log(1 + e^(-2|d|)) - log 2 (no overflow). */
function logCoshOf(d: number): number {
  return Math.abs(d) + Math.log1p(Math.exp(-2 * Math.abs(d))) - Math.LN2;
}

function expected(f: (z: number) => number, options: { mask?: number[][]; sum?: boolean } = {}): number[] {
  return Z.map((row, i) => {
    const total = row.reduce((s, z, j) => s + (options.mask?.[i]?.[j] ?? 1) * logCoshOf(f(z) - ((Y[i] as number[])[j] as number)), 0);
    return options.sum === true ? total : total / row.length;
  });
}

const identity = () => registry.create('activation', 'identity');
const loss = (reduction?: string) => registry.create('loss', reduction === undefined ? 'example/log-cosh' : { type: 'example/log-cosh', reduction });

async function score(l: Loss, activation: Activation, mask?: number[][]): Promise<number[]> {
  const t = tf.tidy(() => l.scoreArray({ labels: tf.tensor2d(Y), preOutput: tf.tensor2d(Z), activation, ...(mask === undefined ? {} : { mask: tf.tensor2d(mask) }) }));
  const v = await values(t);
  t.dispose();
  return v;
}

describe('example/log-cosh', () => {
  it('matches the closed form (1/n) sum log cosh(a - y) per example, huge differences included', async () => {
    const got = await score(loss(), identity());
    expect(compareArrays(got, expected((z) => z), { atol: 1e-5, rtol: 1e-6 }).ok).toBe(true);
    // Spot values: log cosh(0) = 0 and log cosh(-800) = 800 - log 2.
    expect(expected((z) => z)[1]).toBeCloseTo((logCoshOf(105) + logCoshOf(-0.3) + logCoshOf(-0.5) + (800 - Math.LN2)) / 4, 10);
    expect(got.every(Number.isFinite)).toBe(true);
  });

  it('sums instead of averaging with reduction "sum", and leaves masked outputs out', async () => {
    expect(compareArrays(await score(loss('sum'), identity()), expected((z) => z, { sum: true }), { atol: 1e-4, rtol: 1e-6 }).ok).toBe(true);
    expect(compareArrays(await score(loss(), identity(), MASK), expected((z) => z, { mask: MASK }), { atol: 1e-5, rtol: 1e-6 }).ok).toBe(true);
  });

  it('applies the output activation to the pre-activation output first', async () => {
    const swish = registry.create('activation', { type: 'example/beta-swish', beta: 1.5 });
    const got = await score(loss(), swish);
    expect(compareArrays(got, expected((z) => z * sigmoid(1.5 * z)), { atol: 1e-5, rtol: 1e-5 }).ok).toBe(true);
  });

  it('has the gradient tanh(z - y) / n with respect to the pre-activation output', async () => {
    const l = loss();
    const labels = tf.tensor2d(Y);
    const g = tf.grad((z: tf.Tensor) => tf.sum(l.scoreArray({ labels, preOutput: z, activation: identity() })))(tf.tensor2d(Z));
    const closed = Z.flatMap((row, i) => row.map((z, j) => Math.tanh(z - ((Y[i] as number[])[j] as number)) / row.length));
    expect(compareArrays(await values(g), closed, { atol: 1e-6, rtol: 1e-5 }).ok).toBe(true);
    tf.dispose([labels, g]);
  });

  it('round-trips its config through JSON and rejects bad options and shapes with typed errors', async () => {
    const original = loss('sum');
    const recreated = registry.create('loss', JSON.parse(JSON.stringify(original.config)));
    expect(recreated.config).toEqual({ type: 'example/log-cosh', reduction: 'sum' });
    expect(await score(recreated, identity())).toEqual(await score(original, identity()));
    expect(loss().config).toEqual({ type: 'example/log-cosh', reduction: 'mean' });
    expect(() => loss('median')).toThrow(new ConfigError('Loss "example/log-cosh": reduction must be "mean" or "sum", received "median"'));
    expect(() => registry.create('loss', { type: 'example/log-cosh', weights: [1] })).toThrow('unknown option "weights"; it takes "reduction"');
    let error: unknown;
    try {
      tf.tidy(() => loss().scoreArray({ labels: tf.zeros([2, 3]), preOutput: tf.zeros([2, 4]), activation: identity() }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ShapeError);
    expect(error).toMatchObject({ message: `Loss "example/log-cosh": labels have shape [2, 3], expected the output's shape [2, 4]`, received: [2, 3], expected: [2, 4] });
  });
});
