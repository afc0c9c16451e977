import * as tf from '@tensorflow/tfjs-core';
import { BackendError } from './errors';
import { registerGradients } from './gradients';

/** Version of the {@link Backend} contract implemented by this core. */
export const BACKEND_CONTRACT_VERSION = 1;

/** Whether a backend can run here, and if not, why and how to fix it. */
export type Availability = { readonly available: true } | { readonly available: false; readonly reason: string };

/**
 * Adapts one tfjs backend. Backend packages export a factory for one of these; nothing registers
 * itself on import.
 */
export interface Backend {
  readonly contractVersion: number;
  /** dl4ts name: `cpu`, `wasm`, `gpu`. */
  readonly name: string;
  /** The tfjs backend name it activates (`cpu`, `wasm`, `tensorflow`, `webgpu`). */
  readonly tfjsName: string;
  /** Checks, without side effects on the active backend, whether it can run here. */
  availability(): Promise<Availability>;
  /** Registers the tfjs backend if needed and makes it the active one. */
  activate(): Promise<void>;
  /**
   * Optional: one line on what it runs on once active (the native backend: OpenBLAS's version and
   * kernel, why that kernel, threads), for logs. Added within contract version 1: hosts treat a
   * backend without it as having nothing to add.
   */
  describe?(): string | undefined;
}

/** The outcome of a backend selection. */
export interface BackendSelection {
  /** The dl4ts name of the backend now active. */
  readonly name: string;
  readonly tfjsName: string;
  /** Backends tried before it, and why each was skipped. */
  readonly skipped: readonly { readonly name: string; readonly reason: string }[];
  /** What the winner says of itself ({@link Backend.describe}), where it says anything. */
  readonly detail?: string;
}

/**
 * Activates the first available backend from a preference list and reports why the others were
 * skipped. Also registers gradients, so training works on whichever backend wins.
 *
 * @example
 * ```ts
 * const chosen = await selectBackend(['gpu', 'wasm', 'cpu'], [gpuBackend(), wasmBackend(), cpuBackend()]);
 * console.log(`${chosen.name}; skipped: ${chosen.skipped.map((s) => `${s.name} (${s.reason})`).join(', ')}`);
 * ```
 */
export async function selectBackend(preference: string | readonly string[], candidates: readonly Backend[]): Promise<BackendSelection> {
  const names = typeof preference === 'string' ? [preference] : preference;
  if (names.length === 0) throw new BackendError('selectBackend: the preference list is empty; expected names such as ["wasm", "cpu"]');
  const byName = new Map<string, Backend>();
  for (const backend of candidates) {
    if (backend.contractVersion !== BACKEND_CONTRACT_VERSION) {
      throw new BackendError(
        `Backend "${backend.name}" implements backend contract version ${backend.contractVersion}, this @dl4ts/core supports ${BACKEND_CONTRACT_VERSION}`,
      );
    }
    byName.set(backend.name, backend);
  }
  const skipped: { name: string; reason: string }[] = [];
  for (const name of names) {
    const backend = byName.get(name);
    if (backend === undefined) {
      const offered = [...byName.keys()].join(', ') || 'none';
      skipped.push({ name, reason: `no adapter for "${name}" was passed (adapters given: ${offered})` });
      continue;
    }
    const availability = await backend.availability();
    if (!availability.available) {
      skipped.push({ name, reason: availability.reason });
      continue;
    }
    try {
      await backend.activate();
    } catch (error) {
      skipped.push({ name, reason: `activation failed: ${error instanceof Error ? error.message : String(error)}` });
      continue;
    }
    await registerGradients();
    const detail = backend.describe?.();
    return { name: backend.name, tfjsName: backend.tfjsName, skipped, ...(detail === undefined ? {} : { detail }) };
  }
  const details = skipped.map((s) => `  - ${s.name}: ${s.reason}`).join('\n');
  throw new BackendError(`No backend from [${names.join(', ')}] could be activated:\n${details}`);
}

/** Makes a tfjs backend active: registers it if absent, then `setBackend` and waits until ready. */
export async function activateTfjsBackend(tfjsName: string, register: () => void | Promise<void>): Promise<void> {
  if (tf.findBackendFactory(tfjsName) == null) await register();
  const ok = await tf.setBackend(tfjsName);
  if (!ok) throw new BackendError(`tfjs could not initialise backend "${tfjsName}"`);
  await tf.ready();
}
