import { BACKEND_CONTRACT_VERSION, BackendError, ConfigError, activateTfjsBackend, type Availability, type Backend } from '@dl4ts/core';
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
   * `false`: always use the single-threaded binary. `true`: require the multithreaded binary and
   * report the backend unavailable where it cannot run. Unset: tfjs decides (threads when the page
   * is cross-origin isolated; never in Node).
   */
  readonly threads?: boolean;
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

  async function features(): Promise<WasmFeatures> {
    await loadWasm();
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
      if (threads === true && !(await features()).threads) {
        return {
          available: false,
          reason:
            'threads: true was requested, but multithreaded WebAssembly is not available here: tfjs needs a ' +
            'cross-origin isolated browser page (COOP/COEP headers, SharedArrayBuffer) and does not use threads in Node.js; ' +
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
      try {
        // loadWasm above has registered the backend (it must, before setWasmPaths); the callback is
        // only the contract's fallback.
        await activateTfjsBackend('wasm', async () => {
          await loadWasm();
        });
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
