import { ConfigError, Registry, Rng } from '@dl4ts/core';
import type { WeightInit } from '@dl4ts/core';
import { describe, expect, it } from 'vitest';
import { registerLayers } from './register-layers';

const registry = registerLayers(new Registry());

function create(ref: unknown): WeightInit {
  return registry.create<WeightInit>('weightInit', ref);
}

function fill(ref: unknown, shape: number[], fanIn: number, fanOut: number, seed = 42): Float32Array {
  return create(ref).init({ shape, fanIn, fanOut, rng: new Rng(seed) });
}

/** Mean and (population) variance in float64. */
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

/** Fraction of values with |v| <= k * std. */
function within(values: ArrayLike<number>, bound: number): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (Math.abs(values[i] as number) <= bound) n++;
  return n / values.length;
}

// A large parameter: 400 x 600 = 240,000 draws. The relative standard error of a sample variance
// is sqrt(2 / n) ~ 0.3% for a normal and ~0.2% for a uniform, so 3% is a >10 sigma margin.
const FAN_IN = 400;
const FAN_OUT = 600;
const SHAPE = [FAN_IN, FAN_OUT];
const N = FAN_IN * FAN_OUT;
const RANDOM = ['xavier', 'xavier-uniform', 'relu', 'uniform'];

describe('constant initialisers are exact', () => {
  it('zero, ones and constant fill every entry with the exact value', () => {
    const shape = [3, 5];
    expect(Array.from(fill('zero', shape, 3, 5))).toEqual(new Array(15).fill(0));
    expect(Array.from(fill('ones', shape, 3, 5))).toEqual(new Array(15).fill(1));
    expect(Array.from(fill({ type: 'layers/constant', value: 0.25 }, shape, 3, 5))).toEqual(new Array(15).fill(0.25));
    expect(Array.from(fill({ type: 'layers/constant', value: -3 }, [7], 7, 1))).toEqual(new Array(7).fill(-3));
    // A value not representable in float32 is rounded to the nearest float32, no further.
    expect(Array.from(fill({ type: 'layers/constant', value: 0.1 }, [2], 2, 1))).toEqual([Math.fround(0.1), Math.fround(0.1)]);
  });

  it('constant rejects a value that is not a finite number with a ConfigError', () => {
    const context = { shape: [2, 2], fanIn: 2, fanOut: 2, rng: new Rng(1) };
    for (const value of ['0.5', null, undefined, Number.NaN, Number.POSITIVE_INFINITY, [1], { v: 1 }]) {
      expect(() => create({ type: 'layers/constant', value }).init(context), `value ${String(value)}`).toThrow(ConfigError);
    }
    expect(() => create({ type: 'layers/constant', value: 'abc' }).init(context)).toThrow(/value must be a finite number, received abc/);
  });
});

describe('random initialisers', () => {
  it.each(RANDOM)('%s returns product(shape) values, reproducible from the seed', (name) => {
    const a = fill(name, [7, 11], 7, 11, 123);
    const b = fill(name, [7, 11], 7, 11, 123);
    const c = fill(name, [7, 11], 7, 11, 124);
    expect(a).toBeInstanceOf(Float32Array);
    expect(a.length).toBe(77);
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(c)).not.toEqual(Array.from(a));
    expect(a.every(Number.isFinite)).toBe(true);
  });

  it('draws from the generator in order: one generator split across two calls continues the stream', () => {
    // Two consecutive draws from one Rng differ (the init consumes the stream, it does not reseed).
    const rng = new Rng(9);
    const init = create('xavier');
    const first = init.init({ shape: [50], fanIn: 5, fanOut: 10, rng });
    const second = init.init({ shape: [50], fanIn: 5, fanOut: 10, rng });
    expect(Array.from(second)).not.toEqual(Array.from(first));
  });

  it('xavier: normal, mean 0, variance 2 / (fanIn + fanOut)', () => {
    const values = fill('XAVIER', SHAPE, FAN_IN, FAN_OUT);
    const { mean, variance } = stats(values);
    const expected = 2 / (FAN_IN + FAN_OUT);
    const std = Math.sqrt(expected);
    expect(Math.abs(variance / expected - 1)).toBeLessThan(0.03);
    expect(Math.abs(mean)).toBeLessThan((5 * std) / Math.sqrt(N));
    // Gaussian, not uniform: P(|z| <= 1) = 0.6827, P(|z| <= 2) = 0.9545.
    expect(within(values, std)).toBeCloseTo(0.6827, 2);
    expect(within(values, 2 * std)).toBeCloseTo(0.9545, 2);
  });

  it('relu (He): normal, mean 0, variance 2 / fanIn', () => {
    const values = fill('RELU', SHAPE, FAN_IN, FAN_OUT);
    const { mean, variance } = stats(values);
    const expected = 2 / FAN_IN;
    const std = Math.sqrt(expected);
    expect(Math.abs(variance / expected - 1)).toBeLessThan(0.03);
    expect(Math.abs(mean)).toBeLessThan((5 * std) / Math.sqrt(N));
    expect(within(values, std)).toBeCloseTo(0.6827, 2);
  });

  it.each([
    ['xavier-uniform', Math.sqrt(6 / (FAN_IN + FAN_OUT))],
    ['uniform', 1 / Math.sqrt(FAN_IN)],
  ])('%s: uniform in [-limit, limit], variance limit^2 / 3', (name, limit) => {
    const values = fill(name, SHAPE, FAN_IN, FAN_OUT);
    const { mean, variance, min, max } = stats(values);
    // Bounds (float32 rounding of the limit allowed for).
    expect(min).toBeGreaterThanOrEqual(Math.fround(-limit));
    expect(max).toBeLessThanOrEqual(Math.fround(limit));
    // ... and the whole interval is used.
    expect(min).toBeLessThan(-0.999 * limit);
    expect(max).toBeGreaterThan(0.999 * limit);
    expect(Math.abs(variance / (limit ** 2 / 3) - 1)).toBeLessThan(0.03);
    expect(Math.abs(mean)).toBeLessThan((5 * limit) / Math.sqrt(3 * N));
    // Flat density: a quarter of the draws in each quarter of the interval.
    expect(within(values, limit / 2)).toBeCloseTo(0.5, 2);
  });

  it('uses fanIn and fanOut from the context, not the shape', () => {
    // Same shape, different fans: the spread follows the fans (10,000 draws: 8% is > 5 sigma).
    const narrow = stats(fill('xavier', [100, 100], 1000, 1000)).variance;
    const wide = stats(fill('xavier', [100, 100], 10, 10)).variance;
    expect(Math.abs(narrow / (2 / 2000) - 1)).toBeLessThan(0.08);
    expect(Math.abs(wide / (2 / 20) - 1)).toBeLessThan(0.08);
  });
});

describe('weight init registry entries', () => {
  it('registers the seven initialisers under layers/* and accepts DL4J spellings', () => {
    expect(registry.keys('weightInit')).toEqual(['layers/constant', 'layers/ones', 'layers/relu', 'layers/uniform', 'layers/xavier', 'layers/xavier-uniform', 'layers/zero']);
    expect(create('XAVIER_UNIFORM').key).toBe('layers/xavier-uniform');
    expect(create('ZERO').key).toBe('layers/zero');
    expect(create('ONES').key).toBe('layers/ones');
  });

  it('every initialiser config survives a JSON round trip and fills the same values', () => {
    const refs: unknown[] = ['zero', 'ones', { type: 'layers/constant', value: 1.5 }, ...RANDOM];
    for (const ref of refs) {
      const original = create(ref);
      const recreated = create(JSON.parse(JSON.stringify(original.config)));
      expect(recreated.key).toBe(original.key);
      expect(recreated.config).toEqual(original.config);
      const a = original.init({ shape: [4, 3], fanIn: 4, fanOut: 3, rng: new Rng(5) });
      const b = recreated.init({ shape: [4, 3], fanIn: 4, fanOut: 3, rng: new Rng(5) });
      expect(Array.from(b)).toEqual(Array.from(a));
    }
  });
});
