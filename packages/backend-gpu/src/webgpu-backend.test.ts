import { BackendError, selectBackend, type Backend } from '@dl4ts/core';
import { cpuBackend } from '@dl4ts/backend-cpu';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { MESA_APT_PACKAGES, missingMesaLibraries, type DawnModule, type GpuLike } from './webgpu-adapter';
import { webgpuBackend } from './webgpu-backend';
import { webgpuAvailable, webgpuRequired, webgpuUnavailableReason } from './webgpu-test-env';

/** A Dawn whose every instance finds no adapter, as on a machine without GPU or Mesa. */
const dawnWithoutAdapter: DawnModule = {
  create: () => ({ requestAdapter: () => Promise.resolve(null) }),
  globals: {},
};

async function reasonOf(backend: Backend): Promise<string> {
  const availability = await backend.availability();
  expect(availability.available).toBe(false);
  return availability.available ? '' : availability.reason;
}

describe('webgpuBackend when it cannot run', () => {
  it('describes the tfjs WebGPU backend under the current contract', () => {
    expect(webgpuBackend()).toMatchObject({ contractVersion: 1, name: 'webgpu', tfjsName: 'webgpu' });
  });

  it('names the webgpu package and how to install it when Dawn is missing in Node', async () => {
    const missing = Object.assign(new Error("Cannot find package 'webgpu' imported from /app/node_modules/@dl4ts/backend-gpu/dist/index.js"), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    const reason = await reasonOf(webgpuBackend({ loadDawn: () => Promise.reject(missing) }));
    expect(reason).toContain('"webgpu" package');
    expect(reason).toContain('is not installed');
    expect(reason).toContain('pnpm add webgpu');
  });

  it('passes on any other failure to load Dawn', async () => {
    const reason = await reasonOf(webgpuBackend({ loadDawn: () => Promise.reject(new Error('dawn.node: invalid ELF header')) }));
    expect(reason).toBe('the "webgpu" package (Dawn) failed to load: dawn.node: invalid ELF header');
  });

  it('names the missing Mesa libraries, their apt packages and EGL_PLATFORM when Dawn finds no adapter', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'dl4ts-no-mesa-'));
    const reason = await reasonOf(webgpuBackend({ loadDawn: () => Promise.resolve(dawnWithoutAdapter), libraryDirs: [empty] }));
    expect(reason).toContain('Dawn found no WebGPU adapter');
    expect(reason).toContain('libEGL.so.1 (libegl1), libEGL_mesa.so.0 (libegl-mesa0)');
    expect(reason).toContain(`apt-get install ${MESA_APT_PACKAGES.join(' ')}`);
    expect(reason).toContain('EGL_PLATFORM=surfaceless');
  });

  it('finds the Mesa libraries where they are', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dl4ts-mesa-'));
    writeFileSync(join(dir, 'libEGL.so.1'), '');
    expect(await missingMesaLibraries([dir])).toEqual(['libEGL_mesa.so.0 (libegl-mesa0)']);
    writeFileSync(join(dir, 'libEGL_mesa.so.0'), '');
    expect(await missingMesaLibraries([dir])).toEqual([]);
    const reason = await reasonOf(webgpuBackend({ loadDawn: () => Promise.resolve(dawnWithoutAdapter), libraryDirs: [dir] }));
    expect(reason).toContain('The Mesa libraries are present');
  });

  it('tries every Dawn attempt in order, core first, then compatibility', async () => {
    const asked: string[] = [];
    const dawn: DawnModule = {
      create: (flags) => ({
        requestAdapter: (options) => {
          asked.push(`${flags.join(',') || 'default'}:${options?.featureLevel ?? 'core'}`);
          return Promise.resolve(null);
        },
      }),
      globals: {},
    };
    await reasonOf(webgpuBackend({ loadDawn: () => Promise.resolve(dawn), libraryDirs: [] }));
    expect(asked).toEqual(['default:core', 'backend=opengles:compatibility']);
  });

  it('explains an explicit GPU object that gives no adapter, trying compatibility too', async () => {
    const levels: (string | undefined)[] = [];
    const gpu: GpuLike = {
      requestAdapter: (options) => {
        levels.push(options?.featureLevel);
        return Promise.resolve(null);
      },
    };
    const reason = await reasonOf(webgpuBackend({ gpu }));
    expect(reason).toContain('requestAdapter() returned no adapter');
    expect(levels).toEqual([undefined, 'compatibility']);
  });

  it('reports a tfjs-backend-webgpu that fails to load', async () => {
    const reason = await reasonOf(webgpuBackend({ loadTfjsWebgpu: () => Promise.reject(new Error('boom')) }));
    expect(reason).toBe('@tensorflow/tfjs-backend-webgpu failed to load: boom');
  });

  it('refuses to activate when unavailable, and selectBackend falls through to the next backend', async () => {
    const unavailable = webgpuBackend({ loadDawn: () => Promise.resolve(dawnWithoutAdapter), libraryDirs: [] });
    await expect(unavailable.activate()).rejects.toBeInstanceOf(BackendError);
    await expect(unavailable.activate()).rejects.toThrow(/webgpu backend is not available: Dawn found no WebGPU adapter/);
    const chosen = await selectBackend(['webgpu', 'cpu'], [unavailable, cpuBackend()]);
    expect(chosen.name).toBe('cpu');
    expect(chosen.skipped).toEqual([{ name: 'webgpu', reason: expect.stringContaining('Dawn found no WebGPU adapter') }]);
  });
});

describe.runIf(webgpuRequired && !webgpuAvailable)('WebGPU where CI requires it', () => {
  it('finds an adapter (DL4TS_REQUIRE_WEBGPU=1)', () => {
    expect.fail(`DL4TS_REQUIRE_WEBGPU=1, but WebGPU is unavailable: ${webgpuUnavailableReason}`);
  });
});

describe.runIf(webgpuAvailable)('webgpuBackend on the real WebGPU path (Dawn)', () => {
  it('activates through selectBackend, reports its adapter, and multiplies matrices', async () => {
    const backend = webgpuBackend();
    const chosen = await selectBackend(['webgpu'], [backend]);
    expect(chosen).toEqual({ name: 'webgpu', tfjsName: 'webgpu', skipped: [] });
    expect(tf.getBackend()).toBe('webgpu');
    expect((await backend.adapterInfo())?.description).not.toBe('');

    // c = a b, reference product in float64.
    const a = Array.from({ length: 6 * 5 }, (_, i) => Math.sin(i + 1));
    const b = Array.from({ length: 5 * 4 }, (_, i) => Math.cos(2 * i));
    const expected = Array.from({ length: 6 * 4 }, (_, k) => {
      const [i, j] = [Math.floor(k / 4), k % 4];
      return Array.from({ length: 5 }, (_, m) => a[i * 5 + m]! * b[m * 4 + j]!).reduce((s, v) => s + v, 0);
    });
    const got = await tf.matMul(tf.tensor2d(a, [6, 5]), tf.tensor2d(b, [5, 4])).data();
    expected.forEach((e, k) => expect(got[k]).toBeCloseTo(e, 5));
  });

  it('computes gradients: d/dx sum(tanh(x)) = 1 - tanh(x)^2', async () => {
    await selectBackend(['webgpu'], [webgpuBackend()]);
    const x = [-2, -0.5, 0, 0.75, 3];
    const got = await tf.grad((t: tf.Tensor) => tf.sum(tf.tanh(t)))(tf.tensor1d(x)).data();
    x.forEach((xi, i) => expect(got[i]).toBeCloseTo(1 - Math.tanh(xi) ** 2, 5));
  });

  it('cannot read a computed tensor synchronously in Node (why dl4ts reads asynchronously)', async () => {
    await selectBackend(['webgpu'], [webgpuBackend()]);
    // Large enough that tfjs runs it on the device rather than on its CPU shortcut for tiny tensors.
    const y = tf.add(tf.fill([64, 64], 1), tf.fill([64, 64], 2));
    expect(() => y.dataSync()).toThrow();
    expect(new Set(await y.data())).toEqual(new Set([3]));
  });

  it('turns a device error, which tfjs ignores (the result would be zeros), into a BackendError at the next read', async (context) => {
    await selectBackend(['webgpu'], [webgpuBackend()]);
    const limit = (tf.backend() as unknown as { device: { limits: { maxStorageBufferBindingSize: number } } }).device.limits.maxStorageBufferBindingSize;
    // Mesa allows 128 MiB; a real GPU's limit (often GiBs) would make this tensor too large to test with.
    if (limit > 2 ** 28) context.skip(`maxStorageBufferBindingSize is ${limit} bytes`);
    // One float32 more than the device can bind: the add shader's bind group is invalid.
    const big = tf.fill([limit / 4 + 16], 2);
    const y = tf.add(big, 1);
    await expect(y.data()).rejects.toThrow(/WebGPU reported \d+ device errors? since the last read.*maxStorageBufferBindingSize \(\d+ bytes here\)/);
    tf.dispose([big, y]);
    // Later reads work again.
    expect(Array.from(await tf.add(tf.fill([64, 64], 1), 1).data()).every((v) => v === 2)).toBe(true);
  });
});
