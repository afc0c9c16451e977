// The browser build, imported directly (the tests run in Node, where exports resolve to the node build).
import { describe, expect, it } from 'vitest';
import { AUTO_PREFERENCE, ENVIRONMENT, autoBackends, selectAutoBackend } from './browser';

describe('the browser build', () => {
  it('prefers WebGPU, then wasm, then cpu, and offers no CUDA', () => {
    expect(ENVIRONMENT).toBe('browser');
    expect(AUTO_PREFERENCE).toEqual(['webgpu', 'wasm', 'cpu']);
    expect(autoBackends().map((b) => b.name)).toEqual(['webgpu', 'wasm', 'cpu']);
  });

  it('auto: skips WebGPU when navigator.gpu gives no adapter, with the reason, and chooses wasm', async () => {
    const gpu = { requestAdapter: () => Promise.resolve(null) };
    const chosen = await selectAutoBackend('auto', { webgpu: { gpu } });
    expect(chosen).toMatchObject({ name: 'wasm', environment: 'browser', preference: ['webgpu', 'wasm', 'cpu'] });
    expect(chosen.skipped).toEqual([{ name: 'webgpu', reason: expect.stringContaining('requestAdapter() returned no adapter') }]);
  });

  it('rejects gpu (CUDA), which browsers cannot run', async () => {
    await expect(selectAutoBackend('gpu')).rejects.toThrow('unknown backend "gpu"; expected "auto" or one of webgpu, wasm, cpu (browser)');
  });
});
