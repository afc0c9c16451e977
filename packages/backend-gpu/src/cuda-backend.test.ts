import { BackendError, activateTfjsBackend, selectBackend, type Backend } from '@dl4ts/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TFJS_NODE_GPU, cudaBackend } from './cuda-backend';

// This package depends on no other backend, so the tests use a minimal tfjs backend as the one
// that is active (and as the fallback of a selection). It holds no kernels; none are run on it.
class BareBackend extends tf.KernelBackend {
  override dispose(): void {}
}
const registerFallback = (): void => void tf.registerBackend('fallback', () => new BareBackend());
const fallback: Backend = {
  contractVersion: 1,
  name: 'fallback',
  tfjsName: 'fallback',
  availability: () => Promise.resolve({ available: true }),
  async activate() {
    // Registered up front too: tfjs's findBackendFactory answers null for an unknown name, which
    // activateTfjsBackend in @dl4ts/core 0.0.0 does not treat as absent.
    if (tf.findBackendFactory('fallback') == null) registerFallback();
    await activateTfjsBackend('fallback', registerFallback);
  },
};

/** Stands in for importing tfjs-node-gpu: registers `tensorflow` and makes it active, as it does. */
function fakeTfjsNodeGpu(isUsingGpuDevice: boolean): () => Promise<unknown> {
  return async () => {
    tf.registerBackend('tensorflow', () => Object.assign(new BareBackend(), { isUsingGpuDevice }), 3);
    await tf.setBackend('tensorflow');
    return {};
  };
}

/** The error tfjs-node 4.22 throws when its addon was never downloaded or built. */
const addonMissing = new Error(
  'The Node.js native addon module (tfjs_binding.node) can not be found at path: ' +
    '/app/node_modules/@tensorflow/tfjs-node-gpu/lib/napi-v8/tfjs_binding.node. \n' +
    "Please run command 'npm rebuild @tensorflow/tfjs-node-gpu --build-addon-from-source' to rebuild the native addon module.",
);

function reasonOf(availability: { available: boolean; reason?: string }): string {
  expect(availability.available).toBe(false);
  return availability.reason ?? '';
}

beforeAll(async () => {
  await fallback.activate();
});

afterEach(async () => {
  if (tf.findBackendFactory('tensorflow') != null) tf.removeBackend('tensorflow');
  await tf.setBackend('fallback');
});

describe('cudaBackend', () => {
  it('describes the tfjs-node-gpu backend under the current contract', () => {
    expect(cudaBackend()).toMatchObject({ contractVersion: 1, name: 'gpu', tfjsName: 'tensorflow' });
  });

  it('is unavailable here, naming the package and how to install it (it really is not installed)', async () => {
    const reason = reasonOf(await cudaBackend().availability());
    expect(reason).toContain(`${TFJS_NODE_GPU} is not installed`);
    expect(reason).toContain('pnpm add @tensorflow/tfjs-node-gpu');
    expect(reason).toContain('npm install @tensorflow/tfjs-node-gpu');
  });

  it('explains a missing native addon: rebuild, TFJS_NODE_BASE_URI mirror, custom binary', async () => {
    const reason = reasonOf(await cudaBackend({ load: () => Promise.reject(addonMissing) }).availability());
    expect(reason).toContain('installed, but its native addon is missing');
    expect(reason).toContain('tfjs_binding.node) can not be found');
    expect(reason).toContain('npm rebuild @tensorflow/tfjs-node-gpu');
    expect(reason).toContain('TFJS_NODE_BASE_URI');
    expect(reason).toContain('custom-binary.json');
    expect(reason).not.toContain('is not installed');
  });

  it('gives the same advice when libtensorflow itself cannot be loaded', async () => {
    const dlopen = Object.assign(new Error('libtensorflow.so.2: cannot open shared object file: No such file or directory'), {
      code: 'ERR_DLOPEN_FAILED',
    });
    const reason = reasonOf(await cudaBackend({ load: () => Promise.reject(dlopen) }).availability());
    expect(reason).toContain('TFJS_NODE_BASE_URI');
    expect(reason).toContain('libtensorflow.so.2');
  });

  it('does not call a missing dependency of the package "not installed"', async () => {
    const missingDependency = Object.assign(
      new Error("Cannot find package '@mapbox/node-pre-gyp' imported from /app/node_modules/@tensorflow/tfjs-node-gpu/dist/index.js"),
      { code: 'ERR_MODULE_NOT_FOUND' },
    );
    const reason = reasonOf(await cudaBackend({ load: () => Promise.reject(missingDependency) }).availability());
    expect(reason).toBe(`${TFJS_NODE_GPU} failed to load: ${missingDependency.message}`);
  });

  it('is available when the package loads and TensorFlow uses a GPU, without changing the active backend', async () => {
    const backend = cudaBackend({ load: fakeTfjsNodeGpu(true) });
    await expect(backend.availability()).resolves.toEqual({ available: true });
    expect(tf.getBackend()).toBe('fallback');

    await backend.activate();
    expect(tf.getBackend()).toBe('tensorflow');
  });

  it('is unavailable when TensorFlow finds no CUDA device and would run on the CPU', async () => {
    const reason = reasonOf(await cudaBackend({ load: fakeTfjsNodeGpu(false) }).availability());
    expect(reason).toMatch(/no usable CUDA GPU.*CUDA 11\.2.*cuDNN 8\.1/);
    expect(tf.getBackend()).toBe('fallback');
  });

  it('is unavailable when the loaded module registers no tensorflow backend', async () => {
    const reason = reasonOf(await cudaBackend({ load: () => Promise.resolve({}) }).availability());
    expect(reason).toContain('registered no tfjs backend named "tensorflow"');
  });

  it('refuses to activate when unavailable, with the reason', async () => {
    const activation = cudaBackend({ load: () => Promise.reject(addonMissing) }).activate();
    await expect(activation).rejects.toBeInstanceOf(BackendError);
    await expect(activation).rejects.toThrow(/not available: .*TFJS_NODE_BASE_URI/s);
    expect(tf.getBackend()).toBe('fallback');
  });

  it('is skipped by selectBackend with its reason, and the next backend is chosen', async () => {
    const chosen = await selectBackend(['gpu', 'fallback'], [cudaBackend(), fallback]);
    expect(chosen.name).toBe('fallback');
    expect(chosen.skipped).toHaveLength(1);
    expect(chosen.skipped[0]!.name).toBe('gpu');
    expect(chosen.skipped[0]!.reason).toContain(`${TFJS_NODE_GPU} is not installed`);
  });
});
