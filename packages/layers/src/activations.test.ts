import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, Registry, Rng } from '@dl4ts/core';
import type { Activation, ActivationContext, ComponentRef } from '@dl4ts/core';
import { checkGradients, compareArrays, leakedTensors, sigmoid64 } from '@dl4ts/core/testing';
import { describe, expect, it } from 'vitest';
import { registerLayers } from './register-layers';

const registry = registerLayers(new Registry());
const ctx: ActivationContext = { training: false };

function activation(ref: unknown): Activation {
  return registry.create('activation', ref);
}

/** Applies an activation to a host matrix and reads the result back. */
async function run(ref: unknown, rows: number[][], context: ActivationContext = ctx): Promise<Float32Array> {
  const x = tf.tensor2d(rows);
  const y = tf.tidy(() => tf.clone(activation(ref).apply(x, context)));
  const values = (await y.data()) as Float32Array;
  tf.dispose([x, y]);
  return values;
}

// Inputs spanning tiny, moderate and large magnitudes (float32 overflows exp() above ~88.7).
const GRID = [-1000, -100, -30, -10, -3, -1, -0.5, -1e-3, 0, 1e-3, 0.5, 1, 3, 10, 30, 100, 1000];

// Closed-form references in float64, written from the definitions, not from the implementation.
const softplus64 = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));

/** P(Z > a) for a standard normal Z and a >= 0, by Simpson's rule on [a, a + 12] (error < 1e-13). */
function normalTail(a: number): number {
  const n = 20000;
  const h = 12 / n;
  let s = 0;
  for (let i = 0; i <= n; i++) {
    const t = a + i * h;
    s += (i === 0 || i === n ? 1 : i % 2 === 1 ? 4 : 2) * Math.exp((-t * t) / 2);
  }
  return (s * h) / 3 / Math.sqrt(2 * Math.PI);
}
/** Standard normal CDF, accurate in both tails. */
const phi64 = (x: number): number => (x >= 0 ? 1 - normalTail(x) : normalTail(-x));

/** DL4J's rational tanh, literally as DL4J writes it. */
function rationalTanh64(x: number): number {
  const y = (2 * x) / 3;
  return 1.7159 * Math.sign(y) * (1 - 1 / (1 + Math.abs(y) + y ** 2 + 1.41645 * y ** 4));
}

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/** [reference, f(x), extra absolute tolerance] for every deterministic activation and option. */
const REFERENCES: [ref: unknown, f: (x: number) => number, atol?: number][] = [
  ['cube', (x) => x ** 3],
  ['elu', (x) => (x > 0 ? x : Math.expm1(x))],
  [{ type: 'layers/elu', alpha: 0.5 }, (x) => (x > 0 ? x : 0.5 * Math.expm1(x))],
  ['gelu', (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)))],
  // tfjs's erf is Abramowitz-Stegun 7.1.26, absolute error up to ~1.5e-7: x * 1.5e-7 / 2 for x <= 5.
  [{ type: 'layers/gelu', approximate: false }, (x) => x * phi64(x), 5e-7],
  ['hardsigmoid', (x) => Math.min(1, Math.max(0, 0.2 * x + 0.5))],
  ['hardtanh', (x) => Math.min(1, Math.max(-1, x))],
  ['identity', (x) => x],
  ['leakyrelu', (x) => (x >= 0 ? x : 0.01 * x)],
  [{ type: 'layers/leakyrelu', alpha: 0.2 }, (x) => (x >= 0 ? x : 0.2 * x)],
  ['mish', (x) => x * Math.tanh(softplus64(x))],
  ['rationaltanh', rationalTanh64],
  ['rectifiedtanh', (x) => Math.max(0, Math.tanh(x))],
  ['relu', (x) => Math.max(0, x)],
  ['relu6', (x) => Math.min(Math.max(0, x), 6)],
  ['rrelu', (x) => (x >= 0 ? x : ((1 / 8 + 1 / 3) / 2) * x)],
  [{ type: 'layers/rrelu', l: 0.1, u: 0.3 }, (x) => (x >= 0 ? x : 0.2 * x)],
  ['selu', (x) => SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x))],
  ['sigmoid', sigmoid64],
  ['softplus', softplus64],
  ['softsign', (x) => x / (1 + Math.abs(x))],
  ['swish', (x) => x * sigmoid64(x)],
  ['tanh', (x) => Math.tanh(x)],
  ['thresholdedrelu', (x) => (x > 1 ? x : 0)],
  [{ type: 'layers/thresholdedrelu', theta: -0.5 }, (x) => (x > -0.5 ? x : 0)],
];

const label = (ref: unknown): string => (typeof ref === 'string' ? ref : JSON.stringify(ref));

describe('activations: forward equals the closed form (float64 reference)', () => {
  it('the normal CDF reference is right (Phi(1), Phi(-3), Phi(-10) to 1e-12 relative)', () => {
    expect(phi64(1)).toBeCloseTo(0.8413447460685429, 13);
    expect(phi64(-3) / 0.0013498980316301 - 1).toBeLessThan(1e-12);
    expect(phi64(-10) / 7.619853024160527e-24 - 1).toBeLessThan(1e-10);
  });

  for (const [ref, f, atol] of REFERENCES) {
    it(`${label(ref)} on a grid including large magnitudes`, async () => {
      const actual = await run(ref, [GRID]);
      // The float32 input, so that the reference sees the same x as the kernel.
      const expected = GRID.map((x) => f(Math.fround(x)));
      // float32 result against float64 reference: relative 1e-6 plus a tiny absolute floor.
      const cmp = compareArrays(actual, expected, { atol: atol ?? 1e-7, rtol: 1e-6 });
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

  it('kinks and thresholds sit where DL4J puts them', async () => {
    expect(Array.from(await run('hardsigmoid', [[-2.5, 0, 2.5]]))).toEqual([0, 0.5, 1]);
    expect(Array.from(await run('relu6', [[6, 7]]))).toEqual([6, 6]);
    // thresholdedrelu: strictly above theta.
    expect(Array.from(await run('thresholdedrelu', [[1, 1.5]]))).toEqual([0, 1.5]);
    expect(Array.from(await run({ type: 'layers/thresholdedrelu', theta: 2 }, [[2, 2.5]]))).toEqual([0, 2.5]);
    // rational tanh tends to 1.7159, and SELU to -scale * alpha.
    expect((await run('rationaltanh', [[1e12]]))[0]).toBeCloseTo(1.7159, 6);
    expect((await run('selu', [[-1e4]]))[0]).toBeCloseTo(-SELU_SCALE * SELU_ALPHA, 6);
  });

  it('keeps the shape of its input', () => {
    const x = tf.zeros([2, 3, 4]);
    for (const key of registry.keys('activation')) {
      const y = tf.tidy(() => tf.clone(activation(key).apply(x, ctx)));
      expect(y.shape, key).toEqual([2, 3, 4]);
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
  const softmax64 = (row: readonly number[]): number[] => {
    const max = Math.max(...row);
    const e = row.map((v) => Math.exp(v - max));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  };

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
  // Points at least 0.1 (10 steps of epsilon) from every kink: 0, +-1 (hardtanh), +-2.5
  // (hardsigmoid), 6 (relu6), theta = 1 and -0.5 (thresholdedrelu).
  const points = tf.tensor2d([
    [-2.2, -0.7, 0.3, 1.9],
    [0.15, -0.15, 2.2, -1.4],
    [0.8, -3.0, 1.1, -0.35],
  ]);
  const variants: unknown[] = [
    ...registry.keys('activation'),
    { type: 'layers/elu', alpha: 0.5 },
    { type: 'layers/gelu', approximate: false },
    { type: 'layers/leakyrelu', alpha: 0.2 },
    { type: 'layers/thresholdedrelu', theta: -0.5 },
  ];

  for (const ref of variants) {
    it(`${label(ref)} passes checkGradients`, async () => {
      const act = activation(ref);
      let result: Awaited<ReturnType<typeof checkGradients>> | undefined;
      const leaked = await leakedTensors(async () => {
        result = await checkGradients(([x]) => tf.sum(tf.mul(act.apply(x as tf.Tensor, ctx), weights)), [points]);
      });
      expect(result?.checked).toBe(12);
      expect(result?.failures).toEqual([]);
      expect(leaked).toBe(0);
    });
  }

  it('relu6 above 6 and thresholdedrelu below theta have gradient 0, and 1 where they pass x through', async () => {
    const x = tf.tensor1d([-1, 0.5, 5.5, 6.5, 0.9, 1.2]);
    const g6 = tf.grad((v: tf.Tensor) => tf.sum(activation('relu6').apply(v, ctx)))(x);
    const gt = tf.grad((v: tf.Tensor) => tf.sum(activation('thresholdedrelu').apply(v, ctx)))(x);
    expect(Array.from(await g6.data())).toEqual([0, 1, 1, 0, 1, 1]);
    expect(Array.from(await gt.data())).toEqual([0, 0, 1, 1, 0, 1]);
    tf.dispose([x, g6, gt]);
  });

  it('derivatives at 0 are the limits where the function is smooth there', async () => {
    // Guards the forms that avoid sign(x), whose gradient tfjs defines as 0.
    const x = tf.tensor1d([0]);
    const slope = async (ref: unknown): Promise<number> => {
      const g = tf.grad((v: tf.Tensor) => tf.sum(activation(ref).apply(v, ctx)))(x);
      const value = (await g.data())[0] as number;
      g.dispose();
      return value;
    };
    expect(await slope('rationaltanh')).toBeCloseTo(1.7159 * (2 / 3), 6);
    expect(await slope('softsign')).toBe(1);
    expect(await slope('softplus')).toBe(0.5);
    expect(await slope('swish')).toBe(0.5);
    expect(await slope('gelu')).toBeCloseTo(0.5, 7);
    expect(await slope({ type: 'layers/gelu', approximate: false })).toBeCloseTo(0.5, 7);
    expect(await slope('mish')).toBeCloseTo(Math.tanh(Math.log(2)), 6);
    expect(await slope('elu')).toBe(1);
    x.dispose();
  });

  it('sigmoid and tanh gradients equal s(1 - s) and 1 - tanh^2 (float64 reference)', async () => {
    const xs = Array.from(await points.data());
    const gs = tf.grad((x: tf.Tensor) => tf.sum(activation('sigmoid').apply(x, ctx)))(points);
    const gt = tf.grad((x: tf.Tensor) => tf.sum(activation('tanh').apply(x, ctx)))(points);
    expect(compareArrays(await gs.data(), xs.map((x) => sigmoid64(x) * (1 - sigmoid64(x))), { atol: 1e-7, rtol: 1e-5 }).ok).toBe(true);
    expect(compareArrays(await gt.data(), xs.map((x) => 1 - Math.tanh(x) ** 2), { atol: 1e-7, rtol: 1e-5 }).ok).toBe(true);
    tf.dispose([gs, gt]);
  });

  it('gradients stay finite at large magnitudes', async () => {
    const x = tf.tensor1d([-1000, -100, 100, 1000]);
    for (const ref of variants) {
      const g = tf.grad((v: tf.Tensor) => tf.sum(activation(ref).apply(v, ctx)))(x);
      expect(Array.from(await g.data()).every(Number.isFinite), label(ref)).toBe(true);
      g.dispose();
    }
    x.dispose();
  });
});

const ALL_KEYS = [
  'cube', 'elu', 'gelu', 'hardsigmoid', 'hardtanh', 'identity', 'leakyrelu', 'mish', 'rationaltanh', 'rectifiedtanh', 'relu',
  'relu6', 'rrelu', 'selu', 'sigmoid', 'softmax', 'softplus', 'softsign', 'swish', 'tanh', 'thresholdedrelu',
].map((name) => `layers/${name}`);

describe('activation registry entries and configs', () => {
  it("registers DL4J's activations plus GELU and Mish, resolvable by DL4J's upper-case names", () => {
    expect(registry.keys('activation')).toEqual(['core/identity', ...ALL_KEYS]); // core's default is in every registry
    for (const key of ALL_KEYS) {
      expect(activation(key.slice('layers/'.length).toUpperCase()).key).toBe(key);
    }
    expect(activation({ type: 'LEAKYRELU', alpha: 0.2 }).config).toEqual({ type: 'layers/leakyrelu', alpha: 0.2 });
  });

  it('every config survives a JSON round trip through the registry and computes the same values', async () => {
    const configs: unknown[] = [
      ...ALL_KEYS,
      { type: 'layers/elu', alpha: 0.5 },
      { type: 'layers/gelu', approximate: false },
      { type: 'layers/leakyrelu', alpha: 0.2 },
      { type: 'layers/rrelu', l: 0.05, u: 0.5 },
      { type: 'layers/thresholdedrelu', theta: 0.25 },
    ];
    for (const ref of configs) {
      const original = activation(ref);
      const json = JSON.parse(JSON.stringify(original.config)) as unknown;
      const recreated = activation(json);
      expect(recreated.key).toBe(original.key);
      expect(recreated.config).toEqual(original.config);
      expect(Array.from(await run(json, [GRID]))).toEqual(Array.from(await run(original.config, [GRID])));
      const train = { training: true };
      expect(Array.from(await run(json, [GRID], { ...train, rng: new Rng(3) }))).toEqual(Array.from(await run(original.config, [GRID], { ...train, rng: new Rng(3) })));
    }
  });

  it('deterministic activations ignore the context: the same output in training and inference', async () => {
    for (const key of ALL_KEYS.filter((k) => k !== 'layers/rrelu')) {
      const train = await run(key, [GRID], { training: true, rng: new Rng(1) });
      const infer = await run(key, [GRID], { training: false });
      expect(Array.from(train), key).toEqual(Array.from(infer));
    }
  });

  it.each([
    [{ type: 'layers/leakyrelu', alpha: 'x' }, 'Activation "layers/leakyrelu": alpha must be a finite number, received "x"'],
    [{ type: 'layers/leakyrelu', alpha: Number.NaN }, 'alpha must be a finite number, received NaN'],
    [{ type: 'layers/elu', alpha: null }, 'Activation "layers/elu": alpha must be a finite number, received null'],
    [{ type: 'layers/thresholdedrelu', theta: Number.POSITIVE_INFINITY }, 'theta must be a finite number, received Infinity'],
    [{ type: 'layers/gelu', approximate: 'yes' }, 'Activation "layers/gelu": approximate must be one of true, false, received "yes"'],
    [{ type: 'layers/rrelu', l: 0.5, u: 0.2 }, 'Activation "layers/rrelu": needs 0 <= l < u, received l=0.5, u=0.2'],
    [{ type: 'layers/rrelu', l: -0.1 }, 'needs 0 <= l < u, received l=-0.1, u=0.3333333333333333'],
    [{ type: 'layers/rrelu', l: 0.25, u: 0.25 }, 'needs 0 <= l < u, received l=0.25, u=0.25'],
    [{ type: 'layers/rrelu', u: [1] }, 'u must be a finite number, received [1]'],
    [{ type: 'layers/relu', alpha: 0.1 }, 'Activation "layers/relu": unknown option "alpha"; it takes no options'],
    [{ type: 'layers/leakyrelu', alhpa: 0.2, beta: 1 }, 'unknown options "alhpa", "beta"; it takes "alpha"'],
  ])('rejects %j with a ConfigError naming what it received', (config, message) => {
    expect(() => activation(config)).toThrow(ConfigError);
    expect(() => activation(config)).toThrow(message);
  });

  it('types each config: options are checked by the compiler', () => {
    const ok: ComponentRef<'activation'>[] = [
      'relu',
      'LEAKYRELU',
      'layers/thresholdedrelu',
      { type: 'layers/relu' },
      { type: 'layers/leakyrelu', alpha: 0.2 },
      { type: 'LEAKYRELU' },
      { type: 'rrelu', l: 0.1, u: 0.2 },
      { type: 'layers/gelu', approximate: false },
    ];
    // @ts-expect-error alpha must be a number
    const wrongType: ComponentRef<'activation'> = { type: 'layers/leakyrelu', alpha: 'x' };
    // @ts-expect-error approximate is a boolean
    const wrongFlag: ComponentRef<'activation'> = { type: 'layers/gelu', approximate: 'tanh' };
    // @ts-expect-error no such activation
    const unknown: ComponentRef<'activation'> = 'leaky-relu-6';
    expect(ok.map((ref) => activation(ref).key)).toHaveLength(ok.length);
    void [wrongType, wrongFlag, unknown];
  });
});
