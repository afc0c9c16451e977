import { availableParallelism } from 'node:os';
import { BACKEND_CONTRACT_VERSION, BackendError, activateTfjsBackend, formatValue, type Availability, type Backend } from '@dl4ts/core';
import { type BlasReport, type NativeAddon, defaultBuildDir, loadAddon } from './addon';
import { type BlasCoreOption, chooseBlasCore } from './blas-core';
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
  /**
   * OpenBLAS's kernel: `'auto'` (default) picks the best for this CPU from its flags (`SkylakeX` for
   * AVX-512, `Haswell` for AVX2 with FMA) unless `OPENBLAS_CORETYPE` is set, which wins;
   * `'library'` leaves it to OpenBLAS's own detection (which falls back to its slow generic kernel on
   * CPUs it does not know); a core name (`'Haswell'`) forces it. OpenBLAS takes it once, when it
   * loads: the first native backend to load in a process decides for the whole process.
   */
  blasCore?: BlasCoreOption;
}

/** What the native backend runs on, for reports (`info()`). */
export interface NativeInfo {
  /** The OpenBLAS kernel, its version and why it was chosen. */
  readonly blas: BlasReport;
  /** Threads of OpenBLAS and of the native loops, and the element count below which loops stay on one. */
  readonly threads: { readonly blas: number; readonly pool: number; readonly parallelThreshold: number };
  /** Where the addon was loaded from. */
  readonly addonPath: string;
}

/** One line for logs: `OpenBLAS 0.3.21, SkylakeX kernel (chosen for a CPU with AVX-512 (F, BW, DQ, VL)), 2 threads, <CPU model>`. */
export function describeNativeInfo(info: NativeInfo): string {
  const { blas, threads } = info;
  const why = blas.choice.source === 'detected' ? `chosen for ${blas.choice.reason}` : blas.choice.reason;
  const mismatch = blas.mismatch === undefined ? '' : `; note: ${blas.mismatch}`;
  return `OpenBLAS ${blas.version}, ${blas.core} kernel (${why}${mismatch}), ${threads.blas} thread${threads.blas === 1 ? '' : 's'}, ${blas.cpu}`;
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
  /** The OpenBLAS kernel and threads it runs with, once the addon has loaded (undefined where it cannot). */
  info(): NativeInfo | undefined;
}

function checkOptions(options: NativeBackendOptions): void {
  const { threads, parallelThreshold } = options;
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1 || threads > 256)) {
    throw new BackendError(`nativeBackend: threads must be an integer from 1 to 256, received ${formatValue(threads)}`);
  }
  if (options.retainMemory !== undefined && typeof options.retainMemory !== 'boolean') {
    throw new BackendError(`nativeBackend: retainMemory must be a boolean, received ${formatValue(options.retainMemory)}`);
  }
  if (parallelThreshold !== undefined && (!Number.isInteger(parallelThreshold) || parallelThreshold < 0)) {
    throw new BackendError(`nativeBackend: parallelThreshold must be a non-negative integer, received ${formatValue(parallelThreshold)}`);
  }
  for (const key of Object.keys(options)) {
    if (!['threads', 'parallelThreshold', 'buildDir', 'retainMemory', 'blasCore'].includes(key)) {
      throw new BackendError(`nativeBackend: unknown option "${key}"; it takes threads, parallelThreshold, buildDir, retainMemory, blasCore`);
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
  const blasCore = options.blasCore ?? 'auto';
  chooseBlasCore(undefined, {}, blasCore); // a malformed core name is a typed error now, not at load
  const load = () => loadAddon(buildDir, blasCore);
  let kernels: { native: string[]; fallback: string[] } | undefined;
  const info = (): NativeInfo | undefined => {
    const loaded = load();
    if (loaded.addon === undefined) return undefined;
    const { blas, pool, parallelThreshold } = loaded.addon.getThreads();
    return { blas: loaded.blas, threads: { blas, pool, parallelThreshold }, addonPath: loaded.path };
  };
  return {
    contractVersion: BACKEND_CONTRACT_VERSION,
    name: 'native',
    tfjsName: NATIVE_TFJS_NAME,
    availability(): Promise<Availability> {
      const loaded = load();
      return Promise.resolve(loaded.addon === undefined ? { available: false, reason: loaded.reason } : { available: true });
    },
    async activate() {
      const loaded = load();
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
    addon: () => load().addon,
    kernels: () => kernels,
    info,
    describe: () => {
      const current = info();
      return current === undefined ? undefined : describeNativeInfo(current);
    },
  };
}
