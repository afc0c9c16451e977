import { describe, expect, it } from 'vitest';
import { Rng } from './random';

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

  it('draws a dropout mask from its own stream: the draws nextUint32 would make, then the same state', () => {
    const a = new Rng(11);
    const b = new Rng(11);
    const keep = 0.3;
    const mask = a.bernoulliMask(100_001, keep, 1 / keep);
    // The same draws through nextUint32: value 1/keep where the draw is below keep * 2^32, else 0.
    const want = Float32Array.from({ length: 100_001 }, () => (b.nextUint32() < keep * 2 ** 32 ? 1 / keep : 0));
    expect(mask).toEqual(want);
    expect(a.nextUint32()).toBe(b.nextUint32()); // the generator goes on where the mask left it
    // Kept fraction: 0.3 +- 5 sigma (sigma = sqrt(0.3 * 0.7 / 100001) = 0.00145).
    const kept = mask.reduce((n, v) => n + (v > 0 ? 1 : 0), 0) / mask.length;
    expect(Math.abs(kept - keep)).toBeLessThan(0.0073);
  });

  it('rejects a non-finite seed', () => {
    expect(() => new Rng(Number.NaN)).toThrow('Rng seed must be a finite number, received NaN');
  });
});
