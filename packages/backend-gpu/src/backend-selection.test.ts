import { selectBackend } from '@dl4ts/core';
import { cpuBackend } from '@dl4ts/backend-cpu';
import { wasmBackend } from '@dl4ts/backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { TFJS_NODE_GPU, cudaBackend } from './cuda-backend';

describe('selectBackend over gpu, wasm and cpu', () => {
  it('skips gpu (tfjs-node-gpu is not installed here) with its reason and chooses wasm', async () => {
    const chosen = await selectBackend(['gpu', 'wasm', 'cpu'], [cudaBackend(), wasmBackend(), cpuBackend()]);
    expect(chosen.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(chosen.skipped.map((s) => s.name)).toEqual(['gpu']);
    expect(chosen.skipped[0]!.reason).toContain(`${TFJS_NODE_GPU} is not installed`);
  });
});
