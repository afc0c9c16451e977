import * as tf from '@tensorflow/tfjs-core';
import { Registry, Rng } from '@dl4ts/core';
import type { Activation } from '@dl4ts/core';
import { checkGradients, compareArrays, leakedTensors } from '@dl4ts/core/testing';
import { describe, expect, it } from 'vitest';
import { registerLayers } from './register-layers';

const registry = registerLayers(new Registry());
const ctx = { training: false };

function activation(name: string): Activation {
  return registry.create<Activation>('activation', name);
}

/** Applies an activation to a host matrix and reads the result back. */
async function run(name: string, rows: number[][]): Promise<Float32Array> {
  const x = tf.tensor2d(rows);
  const y = tf.tidy(() => activation(name).apply(x, ctx));
  const values = (await y.data()) as Float32Array;
  tf.dispose([x, y]);
  return values;
}

// Inputs spanning tiny, moderate and large magnitudes (float32 overflows exp() above ~88.7).
const GRID = [-1000, -100, -30, -10, -3, -1, -0.5, -1e-3, 0, 1e-3, 0.5, 1, 3, 10, 30, 100, 1000];

// Closed-form references in float64.
const sigmoid64 = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const REFERENCE: Record<string, (x: number) => number> = {
  identity: (x) => x,
  sigmoid: sigmoid64,
  tanh: (x) => Math.tanh(x),
  relu: (x) => Math.max(0, x),
};

function softmax64(row: readonly number[]): number[] {
  const max = Math.max(...row);
  const e = row.map((v) => Math.exp(v - max));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

describe('element-wise activations: forward equals the closed form (float64 reference)', () => {
  for (const [name, f] of Object.entries(REFERENCE)) {
    it(`${name} on a grid including large magnitudes`, async () => {
      const actual = await run(name, [GRID]);
      const expected = GRID.map(f);
      // float32 result against float64 reference: relative 1e-6 plus a tiny absolute floor.
      const cmp = compareArrays(actual, expected, { atol: 1e-7, rtol: 1e-6 });
      expect(cmp, `worst at x=${GRID[cmp.worstIndex]}: ${actual[cmp.worstIndex]} vs ${expected[cmp.worstIndex]}`).toMatchObject({ ok: true });
      expect(actual.every(Number.isFinite)).toBe(true);
    });
  }

  it('sigmoid saturates to exactly 0 and 1 far from the origin and is 0.5 at 0', async () => {
    const [lo, mid, hi] = await run('sigmoid', [[-100, 0, 100]]);
    expect(lo).toBeLessThan(1e-30);
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(mid).toBe(0.5);
    expect(hi).toBe(1);
  });

  it('keeps the shape of its input', () => {
    const x = tf.zeros([2, 3, 4]);
    for (const name of ['identity', 'sigmoid', 'tanh', 'relu', 'softmax']) {
      const y = tf.tidy(() => tf.clone(activation(name).apply(x, ctx)));
      expect(y.shape).toEqual([2, 3, 4]);
      y.dispose();
    }
    x.dispose();
  });
});

describe('softmax', () => {
  const ROWS = [
    [100, -100, 0],
    [1000, 1000, 1000],
    [-1000, 0, 1000],
    [1, 2, 3],
    [-0.5, 0.25, 0],
    [0, 0, 0],
  ];

  it('is row-wise and matches exp(x_i - max) / sum_j exp(x_j - max) for large logits', async () => {
    const actual = await run('softmax', ROWS);
    const expected = ROWS.flatMap(softmax64);
    const cmp = compareArrays(actual, expected, { atol: 1e-7, rtol: 1e-6 });
    expect(cmp.ok, `worst at ${cmp.worstIndex}: ${actual[cmp.worstIndex]} vs ${expected[cmp.worstIndex]}`).toBe(true);
    expect(actual.every(Number.isFinite)).toBe(true);
    // [100, -100, 0]: e^-100 relative to 1, e^-200 below float32's smallest subnormal.
    expect(actual[0]).toBeCloseTo(1, 7);
    expect(actual[1]).toBe(0);
    expect(actual[2]).toBeLessThan(1e-40);
    // Every row sums to 1.
    for (let r = 0; r < ROWS.length; r++) {
      const sum = (actual[3 * r] as number) + (actual[3 * r + 1] as number) + (actual[3 * r + 2] as number);
      expect(sum).toBeCloseTo(1, 6);
    }
  });

  it('normalises each row independently of the other rows', async () => {
    const together = await run('softmax', [[1, 2, 3], [100, -100, 0]]);
    const alone = await run('softmax', [[1, 2, 3]]);
    expect(Array.from(together.subarray(0, 3))).toEqual(Array.from(alone));
  });
});

describe('activation gradients (tfjs autodiff vs central differences)', () => {
  // A fixed weighting so that the scalar depends on every output non-trivially (softmax outputs
  // sum to 1, so a plain sum would have gradient 0).
  const weights = tf.tensor2d([
    [0.3, -1.2, 0.7, 2.0],
    [-0.4, 0.9, 1.5, -0.8],
    [1.1, 0.2, -0.6, 0.5],
  ]);
  // Points away from relu's kink at 0 (|x| >= 0.15 > epsilon).
  const points = tf.tensor2d([
    [-2.5, -0.7, 0.3, 1.9],
    [0.15, -0.15, 2.2, -1.4],
    [0.8, -3.0, 1.1, -0.35],
  ]);

  for (const name of ['identity', 'sigmoid', 'tanh', 'relu', 'softmax']) {
    it(`${name} passes checkGradients`, async () => {
      const act = activation(name);
      let result: Awaited<ReturnType<typeof checkGradients>> | undefined;
      const leaked = await leakedTensors(async () => {
        result = await checkGradients(([x]) => tf.sum(tf.mul(act.apply(x as tf.Tensor, ctx), weights)), [points]);
      });
      expect(result?.checked).toBe(12);
      expect(result?.failures).toEqual([]);
      expect(leaked).toBe(0);
    });
  }

  it('relu gradient is exactly the step function off the kink', async () => {
    const g = tf.grad((x: tf.Tensor) => tf.sum(activation('relu').apply(x, ctx)))(points);
    const expected = Array.from(await points.data()).map((v) => (v > 0 ? 1 : 0));
    expect(Array.from(await g.data())).toEqual(expected);
    g.dispose();
  });

  it('sigmoid and tanh gradients equal s(1 - s) and 1 - tanh^2 (float64 reference)', async () => {
    const xs = Array.from(await points.data());
    const gs = tf.grad((x: tf.Tensor) => tf.sum(activation('sigmoid').apply(x, ctx)))(points);
    const gt = tf.grad((x: tf.Tensor) => tf.sum(activation('tanh').apply(x, ctx)))(points);
    expect(compareArrays(await gs.data(), xs.map((x) => sigmoid64(x) * (1 - sigmoid64(x))), { atol: 1e-7, rtol: 1e-5 }).ok).toBe(true);
    expect(compareArrays(await gt.data(), xs.map((x) => 1 - Math.tanh(x) ** 2), { atol: 1e-7, rtol: 1e-5 }).ok).toBe(true);
    tf.dispose([gs, gt]);
  });
});

describe('activation registry entries', () => {
  it('registers the five activations under layers/* with DL4J spellings', () => {
    expect(registry.keys('activation')).toEqual(['layers/identity', 'layers/relu', 'layers/sigmoid', 'layers/softmax', 'layers/tanh']);
    for (const [spelling, key] of [
      ['IDENTITY', 'layers/identity'],
      ['SIGMOID', 'layers/sigmoid'],
      ['TANH', 'layers/tanh'],
      ['RELU', 'layers/relu'],
      ['SOFTMAX', 'layers/softmax'],
    ] as const) {
      expect(activation(spelling).key).toBe(key);
    }
  });

  it('every activation config survives a JSON round trip through the registry', () => {
    for (const key of registry.keys('activation')) {
      const original = activation(key);
      const recreated = registry.create<Activation>('activation', JSON.parse(JSON.stringify(original.config)));
      expect(recreated.key).toBe(original.key);
      expect(recreated.config).toEqual(original.config);
    }
  });

  it('ignores the context: deterministic activations give the same output in training and inference', async () => {
    const x = tf.tensor2d([[-1, 0.5, 2]]);
    for (const key of registry.keys('activation')) {
      const a = activation(key);
      // clone: identity returns its input, which must outlive the loop.
      const train = tf.tidy(() => tf.clone(a.apply(x, { training: true, rng: new Rng(1) })));
      const infer = tf.tidy(() => tf.clone(a.apply(x, { training: false })));
      expect(Array.from(await train.data())).toEqual(Array.from(await infer.data()));
      tf.dispose([train, infer]);
    }
    x.dispose();
  });
});
