import { selectBackend, type Backend } from '@dl4ts/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { WASM_BINARY_NAMES, wasmBackend } from './wasm-backend';

// Stand-ins for the other adapters, which this package does not depend on: a GPU adapter that is
// unavailable here, and a CPU adapter that must never be reached because wasm comes first.
const unavailableGpu: Backend = {
  contractVersion: 1,
  name: 'gpu',
  tfjsName: 'tensorflow',
  availability: () => Promise.resolve({ available: false, reason: '@tensorflow/tfjs-node-gpu is not installed' }),
  activate: () => Promise.reject(new Error('an unavailable backend must not be activated')),
};
const unreachedCpu: Backend = {
  contractVersion: 1,
  name: 'cpu',
  tfjsName: 'cpu',
  availability: () => Promise.reject(new Error('selection must stop at the first available backend')),
  activate: () => Promise.reject(new Error('selection must stop at the first available backend')),
};

describe('wasmBackend', () => {
  it('describes the tfjs WASM backend under the current contract', () => {
    expect(wasmBackend()).toMatchObject({ contractVersion: 1, name: 'wasm', tfjsName: 'wasm' });
  });

  it('registers nothing until it is used', () => {
    wasmBackend();
    // tfjs answers null (not undefined) for a backend name it has never seen.
    expect(tf.findBackendFactory('wasm')).toBeNull();
  });

  it('rejects a wasmPaths map that lacks a binary, naming the missing ones', () => {
    expect(() => wasmBackend({ wasmPaths: { 'tfjs-backend-wasm.wasm': '/a.wasm' } })).toThrow(
      /lacks tfjs-backend-wasm-simd\.wasm, tfjs-backend-wasm-threaded-simd\.wasm/,
    );
    const complete = Object.fromEntries(WASM_BINARY_NAMES.map((name) => [name, `/assets/${name}`]));
    expect(() => wasmBackend({ wasmPaths: complete })).not.toThrow();
  });

  it('is available in Node, which has WebAssembly', async () => {
    await expect(wasmBackend().availability()).resolves.toEqual({ available: true });
  });

  it('reports the WebAssembly features: SIMD in current Node, and threads (dl4ts loads the threaded binary itself)', async () => {
    const features = await wasmBackend().features();
    // tfjs's own flag says no threads in Node; dl4ts's loader needs only shared memory.
    expect(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')).toBe(false);
    expect(features.threads).toBe(true);
    // Node >= 16.4 (V8 9.1) validates SIMD modules; the repository requires Node >= 20.10.
    expect(features.simd).toBe(true);
  });

  it('reports threads as available in Node, where SharedArrayBuffer exists', async () => {
    expect(await wasmBackend({ threads: true }).availability()).toEqual({ available: true });
  });

  it('reports threads unavailable without shared memory, with the reason', async () => {
    const saved = globalThis.SharedArrayBuffer;
    try {
      // As in a browser page that is not cross-origin isolated.
      (globalThis as { SharedArrayBuffer?: unknown }).SharedArrayBuffer = undefined;
      const availability = await wasmBackend({ threads: 2 }).availability();
      expect(availability.available).toBe(false);
      expect(availability.available ? '' : availability.reason).toMatch(/threads: 2 was requested.*SharedArrayBuffer.*cross-origin isolated/s);
    } finally {
      globalThis.SharedArrayBuffer = saved;
    }
  });

  it('activates in Node with no path setup and computes a matrix product', async () => {
    await wasmBackend().activate();
    expect(tf.getBackend()).toBe('wasm');
    // The Emscripten glue's process listeners (they rethrow every uncaught error from inside
    // tf-backend-wasm.node.js) are removed: Node reports the application's errors itself.
    const glue = [...process.listeners('uncaughtException'), ...process.listeners('unhandledRejection')].filter((l) => /ExitStatus|throw reason/.test(String(l)));
    expect(glue).toEqual([]);

    const a = [
      [1, 2, 3],
      [4, 5, 6],
    ];
    const b = [
      [7, 8],
      [9, 10],
      [11, 12],
    ];
    // Reference product computed in plain JavaScript: c[i][j] = sum_k a[i][k] * b[k][j].
    const expected = a.map((row) => b[0]!.map((_, j) => row.reduce((sum, aik, k) => sum + aik * b[k]![j]!, 0)));
    const product = tf.matMul(tf.tensor2d(a), tf.tensor2d(b));
    expect(product.shape).toEqual([2, 2]);
    expect(await product.array()).toEqual(expected);
  });

  it('is chosen by selectBackend over an unavailable gpu, after which gradients work: d/dx sum(x^2) = 2x', async () => {
    const chosen = await selectBackend(['gpu', 'wasm', 'cpu'], [unavailableGpu, wasmBackend(), unreachedCpu]);
    expect(chosen.name).toBe('wasm');
    expect(chosen.tfjsName).toBe('wasm');
    expect(chosen.skipped).toEqual([{ name: 'gpu', reason: '@tensorflow/tfjs-node-gpu is not installed' }]);
    expect(tf.getBackend()).toBe('wasm');

    const x = [-1.5, 0, 2, 3.25];
    const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.square(t)))(tf.tensor1d(x));
    const got = Array.from(await dx.data());
    x.forEach((xi, i) => expect(got[i]).toBeCloseTo(2 * xi, 6));
  });
});
