import { BackendError } from '@dl4ts/core';
import { TFJS_NODE_GPU } from '@dl4ts/backend-gpu';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAddon } from '@dl4ts/backend-native';
import { AUTO_PREFERENCE, ENVIRONMENT, autoBackends, expandPreference, selectAutoBackend } from './node';

/** A build folder with no addon in it: the native backend is unavailable, as on a machine without a compiler. */
const noNative = { native: { buildDir: mkdtempSync(join(tmpdir(), 'dl4ts-no-native-')) } };
const nativeHere = loadAddon().addon !== undefined;

describe('the node build', () => {
  it('prefers native, then CUDA, then wasm, then cpu, and offers WebGPU by explicit choice', () => {
    expect(ENVIRONMENT).toBe('node');
    expect(AUTO_PREFERENCE).toEqual(['native', 'gpu', 'wasm', 'cpu']);
    expect(autoBackends().map((b) => b.name)).toEqual(['native', 'gpu', 'wasm', 'cpu', 'webgpu']);
  });

  it.runIf(nativeHere)('auto: chooses native where its addon was built', async () => {
    const chosen = await selectAutoBackend();
    expect(chosen).toMatchObject({ name: 'native', tfjsName: 'native', environment: 'node', skipped: [] });
    expect(tf.getBackend()).toBe('native');
    // The one line a log prints: which OpenBLAS kernel, why, and how many threads.
    expect(chosen.detail).toMatch(/^OpenBLAS \d+\.\d+\.\d+, \w+ kernel \(.+\), \d+ threads?, /);
  });

  it('auto without the native addon: skips native and CUDA (tfjs-node-gpu is not installed here), each with its reason, and chooses wasm', async () => {
    const chosen = await selectAutoBackend('auto', noNative);
    expect(chosen).toMatchObject({ name: 'wasm', tfjsName: 'wasm', environment: 'node', preference: ['native', 'gpu', 'wasm', 'cpu'] });
    expect(tf.getBackend()).toBe('wasm');
    expect(chosen.skipped.map((s) => s.name)).toEqual(['native', 'gpu']);
    expect(chosen.skipped[0]!.reason).toMatch(/dl4ts_native\.node does not exist \(it is built at install\); fix: /);
    expect(chosen.skipped[1]!.reason).toContain(`${TFJS_NODE_GPU} is not installed`);
  });

  it('takes one name, or a list with auto in it, and expands auto in place without repeats', async () => {
    expect(expandPreference(['webgpu', 'auto'], AUTO_PREFERENCE)).toEqual(['webgpu', 'native', 'gpu', 'wasm', 'cpu']);
    expect(expandPreference(['cpu', 'auto'], AUTO_PREFERENCE)).toEqual(['cpu', 'native', 'gpu', 'wasm']);
    const cpu = await selectAutoBackend('cpu');
    expect(cpu).toMatchObject({ name: 'cpu', preference: ['cpu'], skipped: [] });
    expect(tf.getBackend()).toBe('cpu');
  });

  it('falls through an explicit webgpu that finds no adapter, with the reason', async () => {
    const noAdapter = { create: () => ({ requestAdapter: () => Promise.resolve(null) }), globals: {} };
    const chosen = await selectAutoBackend(['webgpu', 'auto'], { ...noNative, webgpu: { loadDawn: () => Promise.resolve(noAdapter), libraryDirs: [] } });
    expect(chosen.name).toBe('wasm');
    expect(chosen.skipped.map((s) => s.name)).toEqual(['webgpu', 'native', 'gpu']);
    expect(chosen.skipped[0]!.reason).toContain('Dawn found no WebGPU adapter');
  });

  it('names an unknown backend as such, before trying any', async () => {
    await expect(selectAutoBackend(['wasm', 'cuda'])).rejects.toBeInstanceOf(BackendError);
    await expect(selectAutoBackend('cuda')).rejects.toThrow('unknown backend "cuda"; expected "auto" or one of native, gpu, wasm, cpu, webgpu (node)');
  });
});
