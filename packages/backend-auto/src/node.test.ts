import { BackendError } from '@dl4ts/core';
import { TFJS_NODE_GPU } from '@dl4ts/backend-gpu';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { AUTO_PREFERENCE, ENVIRONMENT, autoBackends, expandPreference, selectAutoBackend } from './node';

describe('the node build', () => {
  it('prefers CUDA, then wasm, then cpu, and offers WebGPU by explicit choice', () => {
    expect(ENVIRONMENT).toBe('node');
    expect(AUTO_PREFERENCE).toEqual(['gpu', 'wasm', 'cpu']);
    expect(autoBackends().map((b) => b.name)).toEqual(['gpu', 'wasm', 'cpu', 'webgpu']);
  });

  it('auto: skips CUDA (tfjs-node-gpu is not installed here) with its reason and chooses wasm', async () => {
    const chosen = await selectAutoBackend();
    expect(chosen).toMatchObject({ name: 'wasm', tfjsName: 'wasm', environment: 'node', preference: ['gpu', 'wasm', 'cpu'] });
    expect(tf.getBackend()).toBe('wasm');
    expect(chosen.skipped.map((s) => s.name)).toEqual(['gpu']);
    expect(chosen.skipped[0]!.reason).toContain(`${TFJS_NODE_GPU} is not installed`);
  });

  it('takes one name, or a list with auto in it, and expands auto in place without repeats', async () => {
    expect(expandPreference(['webgpu', 'auto'], AUTO_PREFERENCE)).toEqual(['webgpu', 'gpu', 'wasm', 'cpu']);
    expect(expandPreference(['cpu', 'auto'], AUTO_PREFERENCE)).toEqual(['cpu', 'gpu', 'wasm']);
    const cpu = await selectAutoBackend('cpu');
    expect(cpu).toMatchObject({ name: 'cpu', preference: ['cpu'], skipped: [] });
    expect(tf.getBackend()).toBe('cpu');
  });

  it('falls through an explicit webgpu that finds no adapter, with the reason', async () => {
    const noAdapter = { create: () => ({ requestAdapter: () => Promise.resolve(null) }), globals: {} };
    const chosen = await selectAutoBackend(['webgpu', 'auto'], { webgpu: { loadDawn: () => Promise.resolve(noAdapter), libraryDirs: [] } });
    expect(chosen.name).toBe('wasm');
    expect(chosen.skipped.map((s) => s.name)).toEqual(['webgpu', 'gpu']);
    expect(chosen.skipped[0]!.reason).toContain('Dawn found no WebGPU adapter');
  });

  it('names an unknown backend as such, before trying any', async () => {
    await expect(selectAutoBackend(['wasm', 'cuda'])).rejects.toBeInstanceOf(BackendError);
    await expect(selectAutoBackend('cuda')).rejects.toThrow('unknown backend "cuda"; expected "auto" or one of gpu, wasm, cpu, webgpu (node)');
  });
});
