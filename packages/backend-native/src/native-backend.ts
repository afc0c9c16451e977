import { availableParallelism } from 'node:os';
import { BACKEND_CONTRACT_VERSION, BackendError, activateTfjsBackend, type Availability, type Backend } from '@dl4ts/core';
import { type NativeAddon, defaultBuildDir, loadAddon } from './addon';
import { bufferPool } from './buffer-pool';
import { NATIVE_TFJS_NAME } from './kernels/kernel-util';
import { registerNativeTfjsBackend } from './register';

/** Options of {@link nativeBackend}. */
export interface NativeBackendOptions {
  /**
   * Threads for OpenBLAS's products and for the element-wise and reduction loops (the calling
   * thread included). Default: {@link defaultNativeThreads}, the machine's cores. Products below
   * 4 million multiply-adds (one-row products, narrow output layers) always run on the calling
   * thread: waking the others costs more than they save there.
   */
  threads?: number;
  /** Elements below which an element-wise loop stays on one thread. Default 131,072. */
  parallelThreshold?: number;
  /** Where the addon was built (`build/`, holding `Release/dl4ts_native.node`). Default: the package's own. */
  buildDir?: string;
  /**
   * Reuse the storage of disposed tensors for the next outputs of the same size (up to 256 MiB of
   * free storage in the backend's pool; reads hand out copies, so no array a user holds is ever
   * rewritten), and keep memory freed by malloc in the process's heap (glibc's mmap threshold
   * raised to 256 MiB, its trim threshold to 1 GiB, for the whole process). Default true: a fresh
   * 1.5 MB array otherwise costs about 1 ms of allocation, page faults and garbage collection, more
   * than the op that fills it. The cost: RSS stays near the peak working set.
   */
  retainMemory?: boolean;
}

/** The default thread count: the machine's cores (`os.availableParallelism()`). */
export function defaultNativeThreads(): number {
  return availableParallelism();
}

/** The native backend adapter, with what it reports of itself once active. */
export interface NativeBackend extends Backend {
  /** The loaded module, once available (for benches and tests that call kernels directly). */
  addon(): NativeAddon | undefined;
  /** The kernels it runs natively and those it takes from tfjs-backend-cpu, after `activate()`. */
  kernels(): { native: readonly string[]; fallback: readonly string[] } | undefined;
}

function checkOptions(options: NativeBackendOptions): void {
  const { threads, parallelThreshold } = options;
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1 || threads > 256)) {
    throw new BackendError(`nativeBackend: threads must be an integer from 1 to 256, received ${String(threads)}`);
  }
  if (options.retainMemory !== undefined && typeof options.retainMemory !== 'boolean') {
    throw new BackendError(`nativeBackend: retainMemory must be a boolean, received ${String(options.retainMemory)}`);
  }
  if (parallelThreshold !== undefined && (!Number.isInteger(parallelThreshold) || parallelThreshold < 0)) {
    throw new BackendError(`nativeBackend: parallelThreshold must be a non-negative integer, received ${String(parallelThreshold)}`);
  }
  for (const key of Object.keys(options)) {
    if (!['threads', 'parallelThreshold', 'buildDir', 'retainMemory'].includes(key)) {
      throw new BackendError(`nativeBackend: unknown option "${key}"; it takes threads, parallelThreshold, buildDir, retainMemory`);
    }
  }
}

/**
 * Backend adapter for Node.js on the CPU: tfjs-backend-cpu's storage and kernels, with matrix
 * products on OpenBLAS and the element-wise, reduction, softmax, transpose, slice, concat and
 * gather kernels (and dl4ts's fused LSTM, loss and updater kernels) in native code. Available where
 * the addon was built at install (Linux x64 with a C++ compiler and OpenBLAS); otherwise
 * `availability()` says why and how to fix it, and `selectBackend` moves on to the next choice.
 *
 * @example
 * ```ts
 * const chosen = await selectBackend(['native', 'wasm', 'cpu'], [nativeBackend({ threads: 2 }), wasmBackend(), cpuBackend()]);
 * ```
 */
export function nativeBackend(options: NativeBackendOptions = {}): NativeBackend {
  checkOptions(options);
  const buildDir = options.buildDir ?? defaultBuildDir();
  let kernels: { native: string[]; fallback: string[] } | undefined;
  return {
    contractVersion: BACKEND_CONTRACT_VERSION,
    name: 'native',
    tfjsName: NATIVE_TFJS_NAME,
    availability(): Promise<Availability> {
      const loaded = loadAddon(buildDir);
      return Promise.resolve(loaded.addon === undefined ? { available: false, reason: loaded.reason } : { available: true });
    },
    async activate() {
      const loaded = loadAddon(buildDir);
      if (loaded.addon === undefined) throw new BackendError(`The native backend cannot run here: ${loaded.reason}`);
      const addon = loaded.addon;
      addon.setThreads(options.threads ?? defaultNativeThreads());
      if (options.parallelThreshold !== undefined) addon.setParallelThreshold(options.parallelThreshold);
      if (options.retainMemory !== false) addon.retainMemory(256 * 1024 * 1024, 1024 * 1024 * 1024);
      bufferPool.maxFreeBytes = options.retainMemory === false ? 0 : 256 * 1024 * 1024;
      if (options.retainMemory === false) bufferPool.clear();
      kernels = await registerNativeTfjsBackend(addon);
      await activateTfjsBackend(NATIVE_TFJS_NAME, () => undefined);
    },
    addon: () => loadAddon(buildDir).addon,
    kernels: () => kernels,
  };
}
