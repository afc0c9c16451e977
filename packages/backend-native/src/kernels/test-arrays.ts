// Test inputs and comparisons for the kernel tests: seeded values, float64 references.
import { expect } from 'vitest';

/** `n` values uniform in [-2, 2) from a seeded generator (mulberry32), as float32. */
export function randomArray(n: number, seed: number, scale = 2): Float32Array {
  let state = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1) * scale;
  }
  return out;
}

/** Every element within `rtol` relative (or 1e-6 absolute) of the float64 reference; NaN where the reference is NaN. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, label = ''): void {
  expect(actual.length, `${label} length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const want = expected[i] as number;
    const got = actual[i] as number;
    if (Number.isNaN(want)) {
      expect(Number.isNaN(got), `${label}[${i}]: expected NaN, got ${got}`).toBe(true);
    } else if (!Number.isFinite(want)) {
      expect(got, `${label}[${i}]`).toBe(want);
    } else if (Math.abs(got - want) > rtol * Math.abs(want) + 1e-6) {
      expect.fail(`${label}[${i}]: got ${got}, expected ${want} (rtol ${rtol})`);
    }
  }
}
