import { withoutAddedProcessHandlers } from './process-handlers';
import { BACKEND_CONTRACT_VERSION, BackendError, ConfigError, activateTfjsBackend, formatValue, type Availability, type Backend } from '@dl4ts/core';
import * as tf from '@tensorflow/tfjs-core';
import { installWasmKernelFixes } from './kernel-fixes';

/** The three binaries tfjs-backend-wasm chooses between; a `wasmPaths` map must name each. */
export const WASM_BINARY_NAMES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'] as const;

/** Options of {@link wasmBackend}. */
export interface WasmBackendOptions {
  /**
   * Where a browser fetches the `.wasm` binaries: a folder URL ending in `/`, or a map from each of
   * {@link WASM_BINARY_NAMES} to its URL. Not needed in Node, where the package reads its own files.
   */
  readonly wasmPaths?: string | Readonly<Record<string, string>>;
  /**
   * Threads of XNNPACK's pool (the `-threaded-simd` binary).
   * - unset: tfjs decides: threads in a cross-origin isolated browser page, never in Node;
   * - `false`: the single-threaded binary everywhere;
   * - a number `n` (1 to 8) or `true` (Node: all logical cores, at most 8): the multithreaded binary
   *   with `n` threads. In Node, where tfjs never loads it, dl4ts loads it itself (worker_threads);
   *   in a browser the page must be cross-origin isolated, else the backend reports itself
   *   unavailable. The pool is fixed when the backend first initialises in a process.
   */
  readonly threads?: boolean | number;
  /**
   * Default `true`: on activation, replace three tfjs-backend-wasm kernels whose stock versions
   * slow training down (transposed matrix products, Identity copies) with equivalents that compute
   * the same values faster; see {@link installWasmKernelFixes}. `false`: use (and restore) the
   * stock kernels.
   */
  readonly kernelFixes?: boolean;
}

/** What the WebAssembly engine here supports, as tfjs-backend-wasm detects it. */
export interface WasmFeatures {
  /** 128-bit SIMD instructions (the `-simd` binaries). */
  readonly simd: boolean;
  /** Threads through SharedArrayBuffer (the `-threaded-simd` binary). */
  readonly threads: boolean;
}

/** The WASM adapter: a {@link Backend} that can also report the detected WebAssembly features. */
export interface WasmBackend extends Backend {
  /** Detects SIMD and thread support; loads tfjs-backend-wasm but does not change the active backend. */
  features(): Promise<WasmFeatures>;
}

type WasmModule = typeof import('@tensorflow/tfjs-backend-wasm');

/** Loads tfjs-backend-wasm; its module registers the `wasm` backend, kernels and feature flags. */
function loadWasm(): Promise<WasmModule> {
  // Imported lazily, so that importing this package registers nothing ("sideEffects": false).
  return import('@tensorflow/tfjs-backend-wasm');
}

/**
 * Backend adapter for the tfjs WebAssembly backend (`@tensorflow/tfjs-backend-wasm`), with SIMD
 * where the engine supports it. In Node it needs no setup; in a browser, serve the `.wasm` files
 * and pass `wasmPaths`.
 *
 * @example
 * ```ts
 * const chosen = await selectBackend(['wasm', 'cpu'], [wasmBackend({ wasmPaths: '/assets/tfjs-wasm/' }), cpuBackend()]);
 * ```
 */
export function wasmBackend(options: WasmBackendOptions = {}): WasmBackend {
  const { wasmPaths, threads, kernelFixes = true } = options;
  checkWasmPaths(wasmPaths);
  checkThreads(threads);
  const nodeThreads = isNode() && threads !== undefined && threads !== false ? threads : undefined;

  async function features(): Promise<WasmFeatures> {
    await loadWasm();
    // tfjs's flag says "no threads" in Node; dl4ts's own loader runs them wherever shared memory works.
    if (isNode()) return { simd: (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true, threads: typeof SharedArrayBuffer === 'function' };
    const [simd, multithread] = await Promise.all([
      tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
      tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),
    ]);
    return { simd: simd === true, threads: multithread === true };
  }

  return {
    contractVersion: BACKEND_CONTRACT_VERSION,
    name: 'wasm',
    tfjsName: 'wasm',
    features,

    async availability(): Promise<Availability> {
      if (typeof WebAssembly !== 'object' || typeof WebAssembly.instantiate !== 'function') {
        return {
          available: false,
          reason: 'this JavaScript environment has no WebAssembly (it may be disabled by policy or flags such as --jitless); use the cpu backend',
        };
      }
      if (threads !== undefined && threads !== false && !(await features()).threads) {
        return {
          available: false,
          reason:
            `threads: ${String(threads)} was requested, but multithreaded WebAssembly is not available here: it needs ` +
            'SharedArrayBuffer, which a browser gives only to a cross-origin isolated page (COOP/COEP headers); ' +
            'omit the threads option to run single-threaded',
        };
      }
      return { available: true };
    },

    async activate() {
      const wasm = await loadWasm();
      // Both must be set before the backend initialises, which happens on its first setBackend.
      if (wasmPaths !== undefined) wasm.setWasmPaths(wasmPaths);
      if (threads === false) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      if (typeof threads === 'number' && !isNode()) wasm.setThreadsCount(threads);
      if (nodeThreads !== undefined) await registerNodeThreads(wasm, nodeThreads === true ? (await import('#node-threads')).nodeCores() : nodeThreads);
      try {
        // loadWasm above has registered the backend (it must, before setWasmPaths); the callback is
        // only the contract's fallback.
        await withoutAddedProcessHandlers(() =>
          activateTfjsBackend('wasm', async () => {
            await loadWasm();
          }),
        );
      } catch (error) {
        // tfjs only logs why the binary failed to load; say what usually fixes it.
        const where =
          wasmPaths === undefined
            ? 'in a browser, serve the .wasm files from @tensorflow/tfjs-backend-wasm/dist and pass wasmBackend({ wasmPaths: "<folder URL>/" })'
            : `check that the .wasm files are served at ${JSON.stringify(wasmPaths)}`;
        throw new BackendError(`${describeError(error)}; the WebAssembly binary could not be loaded: ${where}`, { cause: error });
      }
      const restore = installWasmKernelFixes();
      if (!kernelFixes) restore();
    },
  };
}

function isNode(): boolean {
  return typeof process === 'object' && typeof process.versions?.node === 'string';
}


function checkThreads(threads: WasmBackendOptions['threads']): void {
  if (threads === undefined || typeof threads === 'boolean') return;
  if (!Number.isInteger(threads) || threads < 1 || threads > 8) {
    throw new ConfigError(`wasmBackend: threads must be a boolean or an integer from 1 to 8 (the most tfjs-backend-wasm's pool allows), received ${formatValue(threads)}`);
  }
}

/**
 * Replaces the `wasm` backend's factory with one that builds the threaded module through dl4ts's
 * Node loader. The pool is fixed once the backend exists: asking for another size then is an error.
 */
async function registerNodeThreads(wasm: WasmModule, threads: number): Promise<void> {
  // Cast: the engine's backend registry is internal to tfjs-core.
  const engine = tf.engine() as unknown as { registry: Record<string, { wasm?: { tfjs?: { getThreadsCount?: () => number } } }> };
  const existing = engine.registry.wasm;
  if (existing !== undefined) {
    const running = existing.wasm?.tfjs?.getThreadsCount?.() ?? 1;
    if (running !== threads) {
      throw new BackendError(
        `wasmBackend: threads: ${threads} was requested, but the wasm backend of this process already runs with ${running} thread(s); ` +
          'the pool is fixed when the backend first initialises: pass the same threads option to every wasmBackend() in a process',
      );
    }
    return;
  }
  const { createThreadedWasmModule, unrefWorkers } = await import('#node-threads');
  tf.removeBackend('wasm');
  wasm.setThreadsCount(threads);
  tf.registerBackend(
    'wasm',
    async () => {
      const module = await createThreadedWasmModule(threads);
      // Cast: tfjs-backend-wasm does not export the type of the Emscripten module its constructor takes.
      const backend = new wasm.BackendWasm(module as unknown as ConstructorParameters<typeof wasm.BackendWasm>[0]);
      unrefWorkers(module);
      return backend;
    },
    2,
  );
}

/** Rejects a `wasmPaths` map that tfjs would reject later, naming what is missing. */
function checkWasmPaths(wasmPaths: WasmBackendOptions['wasmPaths']): void {
  if (wasmPaths === undefined || typeof wasmPaths === 'string') return;
  const missing = WASM_BINARY_NAMES.filter((name) => typeof wasmPaths[name] !== 'string');
  if (missing.length > 0) {
    throw new ConfigError(
      `wasmBackend: wasmPaths map lacks ${missing.join(', ')}; expected a URL for each of ${WASM_BINARY_NAMES.join(', ')}, or one folder URL string`,
    );
  }
}

/** tfjs rejects some promises with plain `{ message }` objects rather than Errors. */
function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') {
    return (error as { message: string }).message;
  }
  return String(error);
}
