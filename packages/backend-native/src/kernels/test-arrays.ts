// Test inputs for the kernel tests: seeded values (comparisons are in ./error-bounds.ts).

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
