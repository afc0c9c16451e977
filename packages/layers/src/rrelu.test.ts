import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, Registry, Rng } from '@dl4ts/core';
import type { Activation, ActivationContext } from '@dl4ts/core';
import { checkGradients, compareArrays, leakedTensors } from '@dl4ts/core/testing';
import { describe, expect, it } from 'vitest';
import { registerLayers } from './register-layers';

const registry = registerLayers(new Registry());

function rrelu(options: { l?: number; u?: number } = {}): Activation {
  return registry.create('activation', { type: 'RRELU', ...options });
}

async function apply(act: Activation, values: number[], context: ActivationContext): Promise<Float32Array> {
  const x = tf.tensor2d(values, [2, values.length / 2]);
  try {
    const y = tf.tidy(() => act.apply(x, context));
    const out = (await y.data()) as Float32Array;
    y.dispose();
    return out;
  } finally {
    x.dispose();
  }
}

/** The slopes a seed gives: one U(l, u) draw per element, in row-major order, stored as float32. */
function slopesFrom(seed: number, n: number, l: number, u: number): number[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => Math.fround(rng.uniformRange(l, u)));
}

// Exactly representable in float32, both signs, no zero (0 * slope is 0 either way).
const XS = [-2, -1.5, 3, -0.25, 0.5, -8, 1, -0.125, -4, 2.5, -0.75, 6];

describe('rrelu (randomised leaky ReLU)', () => {
  it('in training multiplies each negative element by its own slope drawn from ctx.rng, and passes x >= 0 through', async () => {
    const [l, u] = [0.1, 0.4];
    const y = await apply(rrelu({ l, u }), XS, { training: true, rng: new Rng(11) });
    const slopes = slopesFrom(11, XS.length, l, u);
    // float32 product of the float32 slope and x: exact, no tolerance.
    const expected = XS.map((x, i) => (x >= 0 ? x : Math.fround((slopes[i] as number) * x)));
    expect(compareArrays(y, expected, { atol: 0, rtol: 0 }).ok).toBe(true);
    for (const s of slopes) {
      expect(s).toBeGreaterThanOrEqual(Math.fround(l));
      expect(s).toBeLessThanOrEqual(Math.fround(u));
    }
    expect(new Set(slopes).size).toBe(XS.length);
  });

  it('is reproducible from the seed, differs across seeds, and continues the stream of one generator', async () => {
    const act = rrelu();
    const train = (rng: Rng) => apply(act, XS, { training: true, rng });
    const a = await train(new Rng(5));
    expect(Array.from(await train(new Rng(5)))).toEqual(Array.from(a));
    expect(Array.from(await train(new Rng(6)))).not.toEqual(Array.from(a));
    const shared = new Rng(5);
    const first = await train(shared);
    const second = await train(shared);
    expect(Array.from(first)).toEqual(Array.from(a));
    expect(Array.from(second)).not.toEqual(Array.from(first));
  });

  it('draws slopes uniformly in [l, u]: DL4J defaults 1/8 and 1/3, mean (l + u) / 2 over 20,000 draws', async () => {
    const n = 20_000;
    const y = await apply(rrelu(), new Array(n).fill(-1), { training: true, rng: new Rng(21) });
    const slopes = Array.from(y, (v) => -v);
    const [l, u] = [1 / 8, 1 / 3];
    const mean = slopes.reduce((a, b) => a + b, 0) / n;
    const se = (u - l) / Math.sqrt(12 * n);
    expect(Math.abs(mean - (l + u) / 2)).toBeLessThan(5 * se);
    expect(Math.min(...slopes)).toBeGreaterThanOrEqual(Math.fround(l));
    expect(Math.max(...slopes)).toBeLessThanOrEqual(Math.fround(u));
    expect(Math.min(...slopes)).toBeLessThan(l + 0.001 * (u - l));
    expect(Math.max(...slopes)).toBeGreaterThan(u - 0.001 * (u - l));
  });

  it('at inference uses the mean slope (l + u) / 2 and ignores the generator', async () => {
    const y = await apply(rrelu({ l: 0.1, u: 0.3 }), XS, { training: false, rng: new Rng(1) });
    const expected = XS.map((x) => (x >= 0 ? x : 0.2 * x));
    expect(compareArrays(y, expected, { atol: 1e-7, rtol: 1e-6 }).ok).toBe(true);
    expect(Array.from(await apply(rrelu({ l: 0.1, u: 0.3 }), XS, { training: false }))).toEqual(Array.from(y));
  });

  it('in training without a generator throws a ConfigError saying it needs ctx.rng', async () => {
    await expect(apply(rrelu(), XS, { training: true })).rejects.toThrow(ConfigError);
    await expect(apply(rrelu(), XS, { training: true })).rejects.toThrow(/needs the context's seeded rng/);
  });

  it('passes checkGradients in training (fixed seed) and in inference; the gradient below 0 is the slope', async () => {
    const x = tf.tensor2d([-2.2, -0.7, 0.3, 1.9, 0.15, -0.15, 2.2, -1.4], [2, 4]);
    const w = tf.tensor2d([0.3, -1.2, 0.7, 2.0, -0.4, 0.9, 1.5, -0.8], [2, 4]);
    const act = rrelu();
    for (const context of [() => ({ training: true, rng: new Rng(9) }), () => ({ training: false })]) {
      let result: Awaited<ReturnType<typeof checkGradients>> | undefined;
      const leaked = await leakedTensors(async () => {
        result = await checkGradients(([v]) => tf.sum(tf.mul(act.apply(v as tf.Tensor, context()), w)), [x]);
      });
      expect(result?.failures).toEqual([]);
      expect(leaked).toBe(0);
    }
    const g = tf.grad((v: tf.Tensor) => tf.sum(act.apply(v, { training: true, rng: new Rng(9) })))(x);
    const slopes = slopesFrom(9, 8, 1 / 8, 1 / 3);
    const xs = Array.from(await x.data());
    expect(Array.from(await g.data())).toEqual(xs.map((v, i) => (v > 0 ? 1 : slopes[i])));
    tf.dispose([x, w, g]);
  });
});
