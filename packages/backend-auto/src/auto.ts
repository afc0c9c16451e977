import { BackendError, selectBackend, type Backend, type BackendSelection } from '@dl4ts/core';
import type { CudaBackendOptions, WebGpuBackendOptions } from '@dl4ts/backend-gpu';
import type { NativeBackendOptions } from '@dl4ts/backend-native';
import type { WasmBackendOptions } from '@dl4ts/backend-wasm';

/** Which build of this package was chosen by the `node` or `browser` exports condition. */
export type AutoEnvironment = 'node' | 'browser';

/** Options passed on to each adapter; the browser build ignores `native` and `cuda`. */
export interface AutoBackendOptions {
  readonly native?: NativeBackendOptions;
  readonly cuda?: CudaBackendOptions;
  readonly webgpu?: WebGpuBackendOptions;
  readonly wasm?: WasmBackendOptions;
}

/** A preference: `auto`, one backend name, or a list in which `auto` may appear. */
export type BackendPreference = 'auto' | (string & {}) | readonly string[];

/** Core's selection result, plus the environment and the preference list actually tried. */
export interface AutoSelection extends BackendSelection {
  readonly environment: AutoEnvironment;
  readonly preference: readonly string[];
}

/** Replaces `auto` by the environment's list and drops repeats: `['webgpu', 'auto']` -> `['webgpu', 'gpu', 'wasm', 'cpu']`. */
export function expandPreference(preference: BackendPreference, auto: readonly string[]): string[] {
  const names = typeof preference === 'string' ? [preference] : [...preference];
  const expanded = names.flatMap((name) => (name === 'auto' ? [...auto] : [name]));
  return [...new Set(expanded)];
}

/** Selects through core's {@link selectBackend}, checking the names first so a typo is named as such. */
export async function selectFrom(environment: AutoEnvironment, auto: readonly string[], candidates: readonly Backend[], preference: BackendPreference): Promise<AutoSelection> {
  const list = expandPreference(preference, auto);
  const known = candidates.map((c) => c.name);
  const unknown = list.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new BackendError(`selectAutoBackend: unknown backend ${unknown.map((n) => `"${n}"`).join(', ')}; expected "auto" or one of ${known.join(', ')} (${environment})`);
  }
  const selection = await selectBackend(list, candidates);
  return { ...selection, environment, preference: list };
}
