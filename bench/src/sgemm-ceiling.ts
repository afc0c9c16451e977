// The machine's own float32 product rate on the native backend's OpenBLAS, at a given thread
// count: the ceiling a training step's GFLOP/s is read against.
import type { NativeAddon } from '@dl4ts/backend-native';

/** GFLOP/s of an m x k by k x n sgemm through the addon on `threads` threads: the best of 5 timed runs of `repeat` products each. */
export function sgemmGflops(addon: NativeAddon, threads: number, [m, k, n]: readonly [number, number, number], repeat = 5): number {
  const before = addon.getThreads().blas;
  addon.setThreads(threads);
  try {
    const a = new Float32Array(m * k).fill(0.5);
    const b = new Float32Array(k * n).fill(0.25);
    const c = new Float32Array(m * n);
    const run = () => addon.matMul(a, b, c, 1, 1, m, n, k, false, false, null, 0, 0, 0);
    for (let i = 0; i < 2; i++) run();
    let best = Number.POSITIVE_INFINITY;
    for (let r = 0; r < 5; r++) {
      const started = performance.now();
      for (let i = 0; i < repeat; i++) run();
      best = Math.min(best, (performance.now() - started) / repeat);
    }
    return (2 * m * k * n) / (best / 1000) / 1e9;
  } finally {
    addon.setThreads(before);
  }
}
