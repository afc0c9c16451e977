import type { Backend } from '@dl4ts/core';
import { cpuBackend } from '@dl4ts/backend-cpu';
import { cudaBackend, webgpuBackend } from '@dl4ts/backend-gpu';
import { nativeBackend } from '@dl4ts/backend-native';
import { wasmBackend } from '@dl4ts/backend-wasm';
import { selectFrom, type AutoBackendOptions, type AutoEnvironment, type AutoSelection, type BackendPreference } from './auto';

export type { AutoBackendOptions, AutoEnvironment, AutoSelection, BackendPreference } from './auto';
export { expandPreference } from './auto';

/** The build in use: `node` here (the `node` exports condition). */
export const ENVIRONMENT: AutoEnvironment = 'node';

/**
 * `auto` in Node.js: native (OpenBLAS and native kernels, where the addon was built at install),
 * then CUDA (tfjs-node-gpu), then wasm, then cpu. WebGPU (Dawn) is left to an explicit choice: on a
 * machine without a GPU it runs in software, slower than wasm.
 */
export const AUTO_PREFERENCE: readonly string[] = ['native', 'gpu', 'wasm', 'cpu'];

/** Every adapter this environment offers, `auto`'s first: native, gpu (CUDA), wasm, cpu, webgpu. */
export function autoBackends(options: AutoBackendOptions = {}): Backend[] {
  return [nativeBackend(options.native), cudaBackend(options.cuda), wasmBackend(options.wasm), cpuBackend(), webgpuBackend(options.webgpu)];
}

/**
 * Activates the first available backend of `preference` (default `auto`) and reports which one won
 * and why the others were skipped.
 *
 * @example
 * ```ts
 * const chosen = await selectAutoBackend(process.env.DL4TS_BACKEND ?? 'auto');
 * console.log(chosen.name, chosen.skipped); // wasm [{ name: 'gpu', reason: '@tensorflow/tfjs-node-gpu is not installed; ...' }]
 * ```
 */
export function selectAutoBackend(preference: BackendPreference = 'auto', options: AutoBackendOptions = {}): Promise<AutoSelection> {
  return selectFrom(ENVIRONMENT, AUTO_PREFERENCE, autoBackends(options), preference);
}
