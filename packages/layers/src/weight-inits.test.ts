import { ConfigError, Registry, Rng, ValueError } from '@dl4ts/core';
import type { ComponentRef, WeightInit } from '@dl4ts/core';
import { describe, expect, it } from 'vitest';
import { registerLayers } from './register-layers';

const registry = registerLayers(new Registry());

function create(ref: unknown): WeightInit {
  return registry.create('weightInit', ref);
}

function fill(ref: unknown, shape: number[], fanIn: number, fanOut: number, seed = 42): Float32Array {
  return create(ref).init({ shape, fanIn, fanOut, rng: new Rng(seed) });
}

/** Mean, (population) variance, min and max in float64. */
function stats(values: ArrayLike<number>): { mean: number; variance: number; min: number; max: number } {
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = sum / values.length;
  let sq = 0;
  for (let i = 0; i < values.length; i++) sq += ((values[i] as number) - mean) ** 2;
  return { mean, variance: sq / values.length, min, max };
}

/** Fraction of values with |v - center| <= bound. */
function within(values: ArrayLike<number>, center: number, bound: number): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (Math.abs((values[i] as number) - center) <= bound) n++;
  return n / values.length;
}

/** Integral of f over [a, b] by Simpson's rule (f smooth, error far below the tolerances used). */
function simpson(f: (t: number) => number, a: number, b: number, n = 20_000): number {
  const h = (b - a) / n;
  let s = 0;
  for (let i = 0; i <= n; i++) s += (i === 0 || i === n ? 1 : i % 2 === 1 ? 4 : 2) * f(a + i * h);
  return (s * h) / 3;
}

// Standard normal truncated to [-2, 2], computed here from the density: P(|Z| <= 2), its variance,
// and P(|Z| <= 1 | |Z| <= 2).
const density = (t: number): number => Math.exp((-t * t) / 2) / Math.sqrt(2 * Math.PI);
const MASS_2 = simpson(density, -2, 2);
const TRUNC_VAR = simpson((t) => t * t * density(t), -2, 2) / MASS_2;
const TRUNC_WITHIN_1 = simpson(density, -1, 1) / MASS_2;

// A large parameter: 400 x 600 = 240,000 draws. The relative standard error of a sample variance
// is sqrt(2 / n) ~ 0.3% for a normal and less for a uniform or truncated normal, so 3% is a >10
// sigma margin; means are checked to 5 standard errors.
const FAN_IN = 400;
const FAN_OUT = 600;
const SHAPE = [FAN_IN, FAN_OUT];
const N = FAN_IN * FAN_OUT;

type Expect =
  | { kind: 'normal'; mean: number; variance: number }
  | { kind: 'uniform'; lower: number; upper: number }
  | { kind: 'truncated'; mean: number; std: number };

/** Every random initialiser with the distribution it must produce for FAN_IN, FAN_OUT. */
const RANDOM: [ref: unknown, expected: Expect][] = [
  ['XAVIER', { kind: 'normal', mean: 0, variance: 2 / (FAN_IN + FAN_OUT) }],
  ['XAVIER_UNIFORM', { kind: 'uniform', lower: -Math.sqrt(6 / (FAN_IN + FAN_OUT)), upper: Math.sqrt(6 / (FAN_IN + FAN_OUT)) }],
  ['XAVIER_FAN_IN', { kind: 'normal', mean: 0, variance: 1 / FAN_IN }],
  ['RELU', { kind: 'normal', mean: 0, variance: 2 / FAN_IN }],
  ['RELU_UNIFORM', { kind: 'uniform', lower: -Math.sqrt(6 / FAN_IN), upper: Math.sqrt(6 / FAN_IN) }],
  ['LECUN_NORMAL', { kind: 'normal', mean: 0, variance: 1 / FAN_IN }],
  ['LECUN_UNIFORM', { kind: 'uniform', lower: -Math.sqrt(3 / FAN_IN), upper: Math.sqrt(3 / FAN_IN) }],
  ['NORMAL', { kind: 'normal', mean: 0, variance: 1 / FAN_IN }],
  ['UNIFORM', { kind: 'uniform', lower: -1 / Math.sqrt(FAN_IN), upper: 1 / Math.sqrt(FAN_IN) }],
  ['SIGMOID_UNIFORM', { kind: 'uniform', lower: -4 * Math.sqrt(6 / (FAN_IN + FAN_OUT)), upper: 4 * Math.sqrt(6 / (FAN_IN + FAN_OUT)) }],
  [{ type: 'DISTRIBUTION', distribution: { type: 'normal', mean: 0.5, std: 0.2 } }, { kind: 'normal', mean: 0.5, variance: 0.04 }],
  [{ type: 'DISTRIBUTION', distribution: { type: 'normal', std: 3 } }, { kind: 'normal', mean: 0, variance: 9 }],
  [{ type: 'DISTRIBUTION', distribution: { type: 'uniform', lower: -0.3, upper: 0.7 } }, { kind: 'uniform', lower: -0.3, upper: 0.7 }],
  [{ type: 'DISTRIBUTION', distribution: { type: 'truncated-normal', mean: 1, std: 0.5 } }, { kind: 'truncated', mean: 1, std: 0.5 }],
  // var-scaling: variance scale / n. Truncated, the underlying normal's std is sqrt(scale / n / TRUNC_VAR),
  // so that the variance after truncation is still scale / n.
  ['VAR_SCALING', { kind: 'truncated', mean: 0, std: Math.sqrt(1 / FAN_IN / TRUNC_VAR) }],
  [{ type: 'VAR_SCALING', scale: 2, mode: 'fan-out', distribution: 'normal' }, { kind: 'normal', mean: 0, variance: 2 / FAN_OUT }],
  [{ type: 'VAR_SCALING', mode: 'fan-avg', distribution: 'normal' }, { kind: 'normal', mean: 0, variance: 2 / (FAN_IN + FAN_OUT) }],
  [{ type: 'VAR_SCALING', scale: 3, distribution: 'uniform' }, { kind: 'uniform', lower: -Math.sqrt(9 / FAN_IN), upper: Math.sqrt(9 / FAN_IN) }],
  [{ type: 'VAR_SCALING', scale: 0.5, mode: 'fan-avg', distribution: 'truncated-normal' }, { kind: 'truncated', mean: 0, std: Math.sqrt(0.5 / 500 / TRUNC_VAR) }],
];

const label = (ref: unknown): string => (typeof ref === 'string' ? ref : JSON.stringify(ref));

describe('deterministic initialisers are exact', () => {
  it('zero, ones and constant fill every entry with the exact value', () => {
    const shape = [3, 5];
    expect(Array.from(fill('zero', shape, 3, 5))).toEqual(new Array(15).fill(0));
    expect(Array.from(fill('ONES', shape, 3, 5))).toEqual(new Array(15).fill(1));
    expect(Array.from(fill({ type: 'layers/constant', value: 0.25 }, shape, 3, 5))).toEqual(new Array(15).fill(0.25));
    expect(Array.from(fill({ type: 'layers/constant', value: -3 }, [7], 7, 1))).toEqual(new Array(7).fill(-3));
    // A value not representable in float32 is rounded to the nearest float32, no further.
    expect(Array.from(fill({ type: 'layers/constant', value: 0.1 }, [2], 2, 1))).toEqual([Math.fround(0.1), Math.fround(0.1)]);
  });

  it('constant rejects a value that is not a finite number with a ConfigError', () => {
    for (const value of ['0.5', null, undefined, Number.NaN, Number.POSITIVE_INFINITY, [1], { v: 1 }]) {
      expect(() => create({ type: 'layers/constant', value }), `value ${String(value)}`).toThrow(ConfigError);
    }
    expect(() => create({ type: 'layers/constant', value: 'abc' })).toThrow('Weight init "layers/constant": value must be a finite number, received "abc"');
  });

  it('identity is the identity matrix, row-major', () => {
    expect(Array.from(fill('IDENTITY', [3, 3], 3, 3))).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(Array.from(fill('identity', [1, 1], 1, 1))).toEqual([1]);
  });

  it.each([[[3, 4]], [[4]], [[2, 2, 2]], [[]]])('identity rejects shape %j with a ConfigError naming it', (shape) => {
    const init = create('layers/identity');
    const context = { shape, fanIn: 2, fanOut: 2, rng: new Rng(1) };
    expect(() => init.init(context)).toThrow(ConfigError);
    expect(() => init.init(context)).toThrow(`Weight init "layers/identity": needs a square 2-D parameter [n, n], received shape [${shape.join(', ')}]`);
  });
});

describe('random initialisers', () => {
  it.each(RANDOM.map(([ref]) => [label(ref), ref]))('%s returns product(shape) float32 values, reproducible from the seed', (_name, ref) => {
    const a = fill(ref, [7, 11], 7, 11, 123);
    expect(a).toBeInstanceOf(Float32Array);
    expect(a.length).toBe(77);
    expect(Array.from(fill(ref, [7, 11], 7, 11, 123))).toEqual(Array.from(a));
    expect(Array.from(fill(ref, [7, 11], 7, 11, 124))).not.toEqual(Array.from(a));
    expect(a.every(Number.isFinite)).toBe(true);
  });

  it('draws from the generator in order: one generator used twice continues the stream', () => {
    const rng = new Rng(9);
    for (const [ref] of RANDOM) {
      const init = create(ref);
      const first = init.init({ shape: [50], fanIn: 5, fanOut: 10, rng });
      const second = init.init({ shape: [50], fanIn: 5, fanOut: 10, rng });
      expect(Array.from(second), label(ref)).not.toEqual(Array.from(first));
    }
  });

  for (const [ref, expected] of RANDOM) {
    it(`${label(ref)}: ${JSON.stringify(expected)}`, () => {
      const values = fill(ref, SHAPE, FAN_IN, FAN_OUT);
      const { mean, variance, min, max } = stats(values);
      if (expected.kind === 'uniform') {
        const { lower, upper } = expected;
        const width = upper - lower;
        // Bounds (float32 rounding of the limits allowed for), and the whole interval is used.
        expect(min).toBeGreaterThanOrEqual(Math.fround(lower));
        expect(max).toBeLessThanOrEqual(Math.fround(upper));
        expect(min).toBeLessThan(lower + 0.001 * width);
        expect(max).toBeGreaterThan(upper - 0.001 * width);
        expect(Math.abs(variance / (width ** 2 / 12) - 1)).toBeLessThan(0.03);
        expect(Math.abs(mean - (lower + upper) / 2)).toBeLessThan((5 * width) / Math.sqrt(12 * N));
        // Flat density: half of the draws in the middle half of the interval.
        expect(within(values, (lower + upper) / 2, width / 4)).toBeCloseTo(0.5, 2);
      } else if (expected.kind === 'normal') {
        const std = Math.sqrt(expected.variance);
        expect(Math.abs(variance / expected.variance - 1)).toBeLessThan(0.03);
        expect(Math.abs(mean - expected.mean)).toBeLessThan((5 * std) / Math.sqrt(N));
        // Gaussian, untruncated: P(|z| <= 1) = 0.6827, P(|z| <= 2) = 0.9545, and tails beyond 4 std.
        expect(within(values, expected.mean, std)).toBeCloseTo(0.6827, 2);
        expect(within(values, expected.mean, 2 * std)).toBeCloseTo(MASS_2, 2);
        expect(Math.max(max - expected.mean, expected.mean - min)).toBeGreaterThan(4 * std);
      } else {
        const { std } = expected;
        // Every draw within mean +- 2 std (float32 rounding allowed for), and draws close to the edges.
        expect(min).toBeGreaterThanOrEqual(Math.fround(expected.mean - 2 * std) - 1e-6 * std);
        expect(max).toBeLessThanOrEqual(Math.fround(expected.mean + 2 * std) + 1e-6 * std);
        expect(min).toBeLessThan(expected.mean - 1.99 * std);
        expect(max).toBeGreaterThan(expected.mean + 1.99 * std);
        // Resampled, not clipped: no pile-up at the bounds, and the truncated normal's variance.
        expect(within(values, expected.mean, 1.999 * std)).toBeGreaterThan(0.999);
        expect(Math.abs(variance / (std ** 2 * TRUNC_VAR) - 1)).toBeLessThan(0.03);
        expect(Math.abs(mean - expected.mean)).toBeLessThan((5 * std) / Math.sqrt(N));
        expect(within(values, expected.mean, std)).toBeCloseTo(TRUNC_WITHIN_1, 2);
      }
    });
  }

  it('uses fanIn and fanOut from the context, not the shape', () => {
    // Same shape, different fans: the spread follows the fans (10,000 draws: 8% is > 5 sigma).
    const narrow = stats(fill('xavier', [100, 100], 1000, 1000)).variance;
    const wide = stats(fill('xavier', [100, 100], 10, 10)).variance;
    expect(Math.abs(narrow / (2 / 2000) - 1)).toBeLessThan(0.08);
    expect(Math.abs(wide / (2 / 20) - 1)).toBeLessThan(0.08);
  });

  it('a fan-based initialiser rejects a non-positive fan with a ValueError', () => {
    const context = { shape: [0, 3], fanIn: 0, fanOut: 3, rng: new Rng(1) };
    expect(() => create('relu').init(context)).toThrow(ValueError);
    expect(() => create('relu').init(context)).toThrow('Weight init "layers/relu": needs positive fans, received fanIn=0, fanOut=3 for a parameter of shape [0, 3]');
    expect(() => create({ type: 'layers/var-scaling', mode: 'fan-out' }).init({ ...context, fanIn: 3, fanOut: 0 })).toThrow(ValueError);
  });
});

const ALL_KEYS = [
  'constant', 'distribution', 'identity', 'lecun-normal', 'lecun-uniform', 'normal', 'ones', 'relu', 'relu-uniform', 'sigmoid-uniform',
  'uniform', 'var-scaling', 'xavier', 'xavier-fan-in', 'xavier-uniform', 'zero',
].map((name) => `layers/${name}`);

describe('weight init registry entries and configs', () => {
  it("registers DL4J's initialisers, resolvable by DL4J's upper-case names", () => {
    expect(registry.keys('weightInit')).toEqual(['core/xavier', ...ALL_KEYS]); // core's default is in every registry
    for (const key of ALL_KEYS) {
      expect(registry.resolve('weightInit', key.slice('layers/'.length).toUpperCase().replace(/-/g, '_')).type).toBe(key);
    }
  });

  it('every config survives a JSON round trip and fills the same values', () => {
    const refs: unknown[] = ['zero', 'ones', { type: 'layers/constant', value: 1.5 }, 'identity', ...RANDOM.map(([ref]) => ref)];
    for (const ref of refs) {
      const original = create(ref);
      const json = JSON.parse(JSON.stringify(original.config)) as unknown;
      const recreated = create(json);
      expect(recreated.key).toBe(original.key);
      expect(recreated.config).toEqual(original.config);
      const a = original.init({ shape: [4, 4], fanIn: 4, fanOut: 4, rng: new Rng(5) });
      const b = recreated.init({ shape: [4, 4], fanIn: 4, fanOut: 4, rng: new Rng(5) });
      expect(Array.from(b), label(ref)).toEqual(Array.from(a));
    }
  });

  const dist = (distribution: unknown) => ({ type: 'layers/distribution', distribution });
  it.each([
    [{ type: 'layers/xavier', gain: 2 }, 'Weight init "layers/xavier": unknown option "gain"; it takes no options'],
    [{ type: 'layers/distribution' }, 'Weight init "layers/distribution": distribution must be { type: \'normal\' | \'truncated-normal\', mean?, std } or { type: \'uniform\', lower, upper }, received undefined'],
    [dist('normal'), 'distribution must be { type: \'normal\' | \'truncated-normal\', mean?, std } or { type: \'uniform\', lower, upper }, received "normal"'],
    [dist({ type: 'gaussian', std: 1 }), 'distribution type must be "normal", "uniform" or "truncated-normal", received "gaussian"'],
    [dist({ type: 'normal' }), 'Weight init "layers/distribution", distribution "normal": std must be a positive finite number, received undefined'],
    [dist({ type: 'truncated-normal', mean: 0, std: 0 }), 'distribution "truncated-normal": std must be a positive finite number, received 0'],
    [dist({ type: 'normal', mean: '1', std: 1 }), 'mean must be a finite number, received "1"'],
    [dist({ type: 'uniform', lower: 1, upper: 1 }), 'distribution "uniform": needs lower < upper, received lower=1, upper=1'],
    [dist({ type: 'uniform', lower: 0 }), 'upper must be a finite number, received undefined'],
    [dist({ type: 'uniform', lower: 0, upper: 1, std: 1 }), 'distribution "uniform": unknown option "std"; it takes "lower", "upper"'],
    [{ type: 'layers/var-scaling', scale: 0 }, 'Weight init "layers/var-scaling": scale must be a positive finite number, received 0'],
    [{ type: 'layers/var-scaling', mode: 'fan_in' }, 'mode must be one of "fan-in", "fan-out", "fan-avg", received "fan_in"'],
    [{ type: 'layers/var-scaling', distribution: 'truncated_normal' }, 'distribution must be one of "normal", "uniform", "truncated-normal", received "truncated_normal"'],
  ])('rejects %j with a ConfigError naming what it received', (config, message) => {
    expect(() => create(config)).toThrow(ConfigError);
    expect(() => create(config)).toThrow(message);
  });

  it('types each config: options are checked by the compiler', () => {
    const ok: ComponentRef<'weightInit'>[] = [
      'XAVIER_FAN_IN',
      'relu-uniform',
      { type: 'layers/identity' },
      { type: 'CONSTANT', value: 0.5 },
      { type: 'layers/distribution', distribution: { type: 'uniform', lower: -1, upper: 1 } },
      { type: 'DISTRIBUTION', distribution: { type: 'truncated-normal', std: 0.1 } },
      { type: 'VAR_SCALING', scale: 2, mode: 'fan-avg', distribution: 'uniform' },
    ];
    // @ts-expect-error a uniform distribution has lower and upper, not std
    const wrongDistribution: ComponentRef<'weightInit'> = { type: 'layers/distribution', distribution: { type: 'uniform', std: 1 } };
    // @ts-expect-error mode is kebab case
    const wrongMode: ComponentRef<'weightInit'> = { type: 'layers/var-scaling', mode: 'fan_in' };
    // @ts-expect-error value is required
    const missing: ComponentRef<'weightInit'> = { type: 'layers/constant' };
    expect(ok.map((ref) => create(ref).key)).toHaveLength(ok.length);
    void [wrongDistribution, wrongMode, missing];
  });
});
