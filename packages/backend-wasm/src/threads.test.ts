// Multithreaded WebAssembly in Node through dl4ts's own loader. This file runs in its own process
// (vitest isolates test files), so the wasm backend is first initialised here, with 2 threads.
import { selectBackend } from '@dl4ts/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { wasmBackend } from './wasm-backend';

interface ThreadedBackend {
  wasm: { tfjs: { getThreadsCount(): number }; PThread: { runningWorkers: unknown[] } };
}

/** A deterministic [rows, cols] matrix of values in [-1, 1). */
function matrix(rows: number, cols: number, seed: number): number[][] {
  let s = seed;
  const next = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  return Array.from({ length: rows }, () => Array.from({ length: cols }, next));
}

function product(a: number[][], b: number[][]): number[][] {
  return a.map((row) => (b[0] as number[]).map((_, j) => row.reduce((sum, x, k) => sum + x * ((b[k] as number[])[j] as number), 0)));
}

const transpose = (m: number[][]) => (m[0] as number[]).map((_, j) => m.map((row) => row[j] as number));

describe('wasmBackend({ threads }) in Node', () => {
  beforeAll(async () => {
    await selectBackend('wasm', [wasmBackend({ threads: 2 })]);
  });

  it('runs XNNPACK with the requested pool of 2 threads (tfjs alone never starts one in Node)', async () => {
    expect(tf.getBackend()).toBe('wasm');
    const backend = tf.backend() as unknown as ThreadedBackend;
    expect(backend.wasm.tfjs.getThreadsCount()).toBe(2);
    // The calling thread is one of the pool's threads: one worker runs beside it.
    expect(backend.wasm.PThread.runningWorkers.length).toBe(1);
    expect(await wasmBackend({ threads: 2 }).features()).toMatchObject({ simd: true, threads: true });
  });

  it('computes matrix products, plain and transposed, as float64 does', async () => {
    const a = matrix(150, 230, 1);
    const b = matrix(230, 170, 2);
    const want = product(a, b);
    const cases: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];
    for (const [ta, tb] of cases) {
      const got = tf.tidy(() => tf.matMul(tf.tensor2d(ta ? transpose(a) : a), tf.tensor2d(tb ? transpose(b) : b), ta, tb));
      const values = (await got.array()) as number[][];
      got.dispose();
      let worst = 0;
      values.forEach((row, i) => row.forEach((x, j) => (worst = Math.max(worst, Math.abs(x - (want[i] as number[])[j]!)))));
      expect(worst, `transposeA ${ta}, transposeB ${tb}`).toBeLessThan(1e-4);
    }
  });

  it('refuses another pool size once the backend runs, and accepts the same one', async () => {
    await expect(wasmBackend({ threads: 3 }).activate()).rejects.toThrow(/threads: 3 was requested, but the wasm backend of this process already runs with 2 thread/);
    await expect(wasmBackend({ threads: 2 }).activate()).resolves.toBeUndefined();
  });

  it('rejects thread counts tfjs-backend-wasm cannot run, naming the value', () => {
    for (const bad of [0, 9, 1.5, Number.NaN]) {
      expect(() => wasmBackend({ threads: bad })).toThrow(new RegExp(`integer from 1 to 8 .*received ${String(bad)}`));
    }
  });
});
