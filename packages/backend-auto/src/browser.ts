import type { Backend } from '@dl4ts/core';
import { cpuBackend } from '@dl4ts/backend-cpu';
import { webgpuBackend } from '@dl4ts/backend-gpu';
import { wasmBackend } from '@dl4ts/backend-wasm';
import { selectFrom, type AutoBackendOptions, type AutoEnvironment, type AutoSelection, type BackendPreference } from './auto';

export type { AutoBackendOptions, AutoEnvironment, AutoSelection, BackendPreference } from './auto';
export { expandPreference } from './auto';

/** The build in use: `browser` here (the `browser` exports condition, and the default). */
export const ENVIRONMENT: AutoEnvironment = 'browser';

/** `auto` in browsers: WebGPU (`navigator.gpu`), then wasm, then cpu. CUDA does not exist there. */
export const AUTO_PREFERENCE: readonly string[] = ['webgpu', 'wasm', 'cpu'];

/** Every adapter this environment offers: webgpu, wasm, cpu. */
export function autoBackends(options: AutoBackendOptions = {}): Backend[] {
  return [webgpuBackend(options.webgpu), wasmBackend(options.wasm), cpuBackend()];
}

/**
 * Activates the first available backend of `preference` (default `auto`) and reports which one won
 * and why the others were skipped. In a browser, pass `wasm: { wasmPaths }` so the wasm fallback
 * finds its binaries.
 *
 * @example
 * ```ts
 * const chosen = await selectAutoBackend('auto', { wasm: { wasmPaths: '/assets/tfjs-wasm/' } });
 * ```
 */
export function selectAutoBackend(preference: BackendPreference = 'auto', options: AutoBackendOptions = {}): Promise<AutoSelection> {
  return selectFrom(ENVIRONMENT, AUTO_PREFERENCE, autoBackends(options), preference);
}
