// The adapter: options checked, availability and its reasons (no build, a failed build, a stale
// or foreign file), activation, which kernels run natively, and the threads option.
import { availableParallelism } from 'node:os';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackendError, selectBackend } from '@dl4ts/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { loadAddon } from './addon';
import { defaultNativeThreads, nativeBackend } from './native-backend';
import { nativeAvailable } from './test-support';

describe('nativeBackend', () => {
  it('describes itself under the current contract and registers nothing until activated', () => {
    expect(nativeBackend()).toMatchObject({ contractVersion: 1, name: 'native', tfjsName: 'native' });
    expect(tf.findBackendFactory('native')).toBeNull();
  });

  it('rejects bad options with a typed error naming what it received', () => {
    expect(() => nativeBackend({ threads: 0 })).toThrow(BackendError);
    expect(() => nativeBackend({ threads: 1.5 })).toThrow('threads must be an integer from 1 to 256, received 1.5');
    expect(() => nativeBackend({ parallelThreshold: -1 })).toThrow('parallelThreshold must be a non-negative integer, received -1');
    expect(() => nativeBackend({ thread: 2 } as never)).toThrow('unknown option "thread"; it takes threads, parallelThreshold, buildDir, retainMemory, blasCore');
    expect(() => nativeBackend({ retainMemory: 'yes' } as never)).toThrow('retainMemory must be a boolean, received "yes"');
  });

  it('is unavailable, saying why and how to fix it, where no addon was built', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'dl4ts-native-none-'));
    const availability = await nativeBackend({ buildDir: empty }).availability();
    expect(availability.available).toBe(false);
    expect((availability as { reason: string }).reason).toMatch(/dl4ts_native\.node does not exist \(it is built at install\); fix: pnpm --filter @dl4ts\/backend-native run build:addon/);
    await expect(selectBackend('native', [nativeBackend({ buildDir: empty })])).rejects.toThrow(/No backend from \[native\] could be activated/);
  });

  it("reports the install build's own reason from build/status.json", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dl4ts-native-failed-'));
    writeFileSync(join(dir, 'status.json'), JSON.stringify({ built: false, reason: 'no C++ compiler: `c++ --version` could not run (ENOENT)', fix: 'apt-get install build-essential libopenblas-dev' }));
    const availability = await nativeBackend({ buildDir: dir }).availability();
    expect(availability).toEqual({
      available: false,
      reason: 'the native addon was not built at install: no C++ compiler: `c++ --version` could not run (ENOENT); fix: apt-get install build-essential libopenblas-dev',
    });
  });

  it('refuses a file that is not a loadable module, without crashing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dl4ts-native-corrupt-'));
    mkdirSync(join(dir, 'Release'));
    writeFileSync(join(dir, 'Release', 'dl4ts_native.node'), 'not an ELF file');
    const load = loadAddon(dir);
    expect(load.addon).toBeUndefined();
    expect((load as { reason: string }).reason).toMatch(/could not be loaded \(.*\); fix:/);
  });

  it.runIf(nativeAvailable)('activates, runs the hot kernels natively and every other tfjs-backend-cpu kernel as fallback', async () => {
    const backend = nativeBackend({ threads: 2 });
    await expect(backend.availability()).resolves.toEqual({ available: true });
    const chosen = await selectBackend(['native', 'cpu'], [backend]);
    expect(chosen).toMatchObject({ name: 'native', tfjsName: 'native', skipped: [] });
    expect(tf.getBackend()).toBe('native');
    const kernels = backend.kernels();
    expect(kernels?.native).toEqual(expect.arrayContaining(['BatchMatMul', '_FusedMatMul', 'Add', 'Sum', 'Softmax', 'Transpose', 'GatherV2', 'Dl4tsUpdaterStep', 'Dl4tsLstmSequence']));
    // Every cpu kernel is here under one of the two.
    const all = new Set([...(kernels?.native ?? []), ...(kernels?.fallback ?? [])]);
    for (const k of tf.getKernelsForBackend('cpu')) expect(all.has(k.kernelName), k.kernelName).toBe(true);
    // A fallback kernel (Cumsum) gives tfjs-backend-cpu's answer.
    const cumsum = tf.tidy(() => tf.cumsum(tf.tensor1d([1, 2, 3, 4])));
    expect(Array.from(await cumsum.data())).toEqual([1, 3, 6, 10]);
    cumsum.dispose();
    expect(backend.addon()?.getThreads()).toMatchObject({ blas: 2, pool: 2 });
    expect(backend.addon()?.blasConfig()).toMatch(/OpenBLAS/);
    // Without the option: the machine's cores.
    await selectBackend('native', [nativeBackend({ threads: 1 })]);
    expect(backend.addon()?.getThreads()).toMatchObject({ blas: 1, pool: 1 });
    await selectBackend('native', [nativeBackend()]);
    expect(defaultNativeThreads()).toBe(availableParallelism());
    expect(backend.addon()?.getThreads()).toMatchObject({ blas: availableParallelism(), pool: availableParallelism() });
    await selectBackend('native', [nativeBackend({ threads: 2 })]);
  });
});
