import { describe, expect, it } from 'vitest';
import { Rng, dropoutMaskValues } from './random';

describe('Rng', () => {
  it('repeats its stream for the same seed and differs for another seed', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const sa = Array.from({ length: 8 }, () => a.nextUint32());
    expect(Array.from({ length: 8 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 8 }, () => c.nextUint32())).not.toEqual(sa);
    expect(sa.every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32)).toBe(true);
  });

  it('draws uniforms with mean 1/2 and variance 1/12, normals with mean 0 and variance 1', () => {
    const rng = new Rng(7);
    const n = 200_000;
    const u = Array.from({ length: n }, () => rng.uniform());
    const z = Array.from({ length: n }, () => rng.normal());
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = (xs: number[]) => {
      const m = mean(xs);
      return xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
    };
    // Standard errors: uniform mean 0.00065, normal mean 0.0022; 5 sigma bounds.
    expect(Math.abs(mean(u) - 0.5)).toBeLessThan(0.0033);
    expect(Math.abs(variance(u) - 1 / 12)).toBeLessThan(0.002);
    expect(u.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(Math.abs(mean(z))).toBeLessThan(0.011);
    expect(Math.abs(variance(z) - 1)).toBeLessThan(0.016);
  });

  it('shuffles into a permutation, every position equally likely', () => {
    const rng = new Rng(3);
    const counts = new Array<number>(5).fill(0);
    for (let t = 0; t < 5000; t++) {
      const p = rng.permutation(5);
      expect([...p].sort()).toEqual([0, 1, 2, 3, 4]);
      counts[p[0] as number]! += 1;
    }
    // Each of 5 values lands first with probability 1/5: 1000 +- 5 sigma (sigma = 28).
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(142);
  });

  it('draws dropout masks by counter: the documented formula, the kept fraction, unrelated seeds', () => {
    // The documented generator, written out in BigInt arithmetic as an independent reference.
    const M = 2n ** 32n;
    const mix = (h: bigint): bigint => {
      h = ((h ^ (h >> 16n)) * 0x85ebca6bn) % M;
      h = ((h ^ (h >> 13n)) * 0xc2b2ae35n) % M;
      return h ^ (h >> 16n);
    };
    const seed = 123_456_789;
    const keep = 0.3;
    const key = mix(BigInt(seed) ^ 0x9e3779b9n);
    const mask = dropoutMaskValues(seed, 100_001, keep, 1 / keep);
    for (let i = 0; i < 2000; i++) {
      const draw = mix(((BigInt(i + 1) * 0x9e3779b9n) % M) ^ key);
      expect(mask[i]).toBe(Number(draw) < keep * 2 ** 32 ? Math.fround(1 / keep) : 0);
    }
    // Kept fraction: 0.3 +- 5 sigma (sigma = sqrt(0.3 * 0.7 / 100001) = 0.00145).
    const kept = (m: Float32Array) => m.reduce((n, v) => n + (v > 0 ? 1 : 0), 0) / m.length;
    expect(Math.abs(kept(mask) - keep)).toBeLessThan(0.0073);
    // Two seeds agree where independent masks would: P(both kept) + P(both dropped) = 0.58, +- 5 sigma.
    const other = dropoutMaskValues(seed + 1, 100_001, keep, 1 / keep);
    const agree = mask.reduce((n, v, i) => n + (v === other[i] ? 1 : 0), 0) / mask.length;
    expect(Math.abs(agree - 0.58)).toBeLessThan(5 * Math.sqrt((0.58 * 0.42) / 100_001));
    expect(dropoutMaskValues(seed, 10, 1, 1)).toEqual(new Float32Array(10).fill(1)); // keep 1 keeps all
    expect(() => dropoutMaskValues(-1, 10, 0.5, 2)).toThrow('dropout mask: seed must be a 32-bit unsigned integer, received -1');
    expect(() => dropoutMaskValues(1, 10, 0, 2)).toThrow('dropout mask: keep must be in (0, 1], received 0');
  });

  it('rejects a non-finite seed', () => {
    expect(() => new Rng(Number.NaN)).toThrow('Rng seed must be a finite number, received NaN');
  });
});
