import { BACKEND_CONTRACT_VERSION, activateTfjsBackend, type Backend } from '@dl4ts/core';

/** Loads the tfjs CPU backend, whose module registers the `cpu` backend and its kernels. */
async function registerCpu(): Promise<void> {
  // Imported lazily, so that importing this package registers nothing ("sideEffects": false).
  await import('@tensorflow/tfjs-backend-cpu');
}

/**
 * Backend adapter for the pure-JavaScript tfjs CPU backend (`@tensorflow/tfjs-backend-cpu`).
 * Runs everywhere JavaScript runs, so it is the usual last entry of a preference list.
 *
 * @example
 * ```ts
 * const chosen = await selectBackend(['wasm', 'cpu'], [wasmBackend(), cpuBackend()]);
 * ```
 */
export function cpuBackend(): Backend {
  return {
    contractVersion: BACKEND_CONTRACT_VERSION,
    name: 'cpu',
    tfjsName: 'cpu',
    // Plain JavaScript kernels: nothing in the environment can be missing.
    availability: () => Promise.resolve({ available: true }),
    activate: () => activateTfjsBackend('cpu', registerCpu),
  };
}
