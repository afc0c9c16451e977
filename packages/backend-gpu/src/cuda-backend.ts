import { BACKEND_CONTRACT_VERSION, BackendError, activateTfjsBackend, type Availability, type Backend } from '@dl4ts/core';
import * as tf from '@tensorflow/tfjs-core';

/** The optional peer package that provides the CUDA engine. */
export const TFJS_NODE_GPU = '@tensorflow/tfjs-node-gpu';

/** The tfjs backend name that `@tensorflow/tfjs-node-gpu` registers. */
const TFJS_NAME = 'tensorflow';

/** Options of {@link cudaBackend}. */
export interface CudaBackendOptions {
  /**
   * Loads `@tensorflow/tfjs-node-gpu`, whose module registers the `tensorflow` backend. The default
   * imports the package; replace it to load it from elsewhere, or in tests.
   */
  readonly load?: () => Promise<unknown>;
}

/** The subset of tfjs-node's NodeJSKernelBackend read here. */
interface NodeKernelBackend {
  /** False when TensorFlow found no CUDA device and silently runs on the CPU instead. */
  readonly isUsingGpuDevice?: unknown;
}

/**
 * Backend adapter for CUDA GPUs through TensorFlow's native library, via the optional peer
 * `@tensorflow/tfjs-node-gpu` (Node.js on Linux or Windows x64, NVIDIA driver, CUDA 11.2, cuDNN 8.1).
 * `availability()` explains how to install it, or how to repair it when its native addon is missing.
 * Loading the package makes tfjs switch to it; `availability()` switches back to the backend that
 * was active before, if one was.
 *
 * @example
 * ```ts
 * const chosen = await selectBackend(['gpu', 'wasm', 'cpu'], [cudaBackend(), wasmBackend(), cpuBackend()]);
 * ```
 */
export function cudaBackend(options: CudaBackendOptions = {}): Backend {
  const load = options.load ?? importTfjsNodeGpu;
  // Probed once per adapter: loading the package has side effects and does not change afterwards.
  let probe: Promise<Availability> | undefined;
  const availability = (): Promise<Availability> => (probe ??= probeCuda(load));

  return {
    contractVersion: BACKEND_CONTRACT_VERSION,
    name: 'gpu',
    tfjsName: TFJS_NAME,
    availability,
    async activate() {
      const status = await availability();
      if (!status.available) throw new BackendError(`The gpu backend is not available: ${status.reason}`);
      await activateTfjsBackend(TFJS_NAME, () => {
        throw new BackendError(`${TFJS_NODE_GPU} loaded, but no tfjs backend named "${TFJS_NAME}" is registered`);
      });
    },
  };
}

function importTfjsNodeGpu(): Promise<unknown> {
  // A variable specifier, so that bundlers and vitest do not try to resolve an optional peer that
  // is usually absent; it is resolved at run time, from where this package is installed.
  const specifier: string = TFJS_NODE_GPU;
  return import(/* @vite-ignore */ /* webpackIgnore: true */ specifier);
}

async function probeCuda(load: () => Promise<unknown>): Promise<Availability> {
  const previous = tf.engine().backendName as string | null | undefined;
  try {
    await load();
  } catch (error) {
    return { available: false, reason: explainLoadFailure(error) };
  }
  // tfjs-node-gpu calls setBackend('tensorflow') on import; a probe must not change the active backend.
  if (previous != null && tf.engine().backendName !== previous) await tf.setBackend(previous);

  if (tf.findBackendFactory(TFJS_NAME) == null) {
    return { available: false, reason: `${TFJS_NODE_GPU} loaded, but it registered no tfjs backend named "${TFJS_NAME}"` };
  }
  // Initialises the backend without making it active, so that its device can be checked.
  const instance = tf.findBackend(TFJS_NAME) as (tf.KernelBackend & NodeKernelBackend) | null;
  if (instance == null) {
    return { available: false, reason: `the "${TFJS_NAME}" backend of ${TFJS_NODE_GPU} failed to initialise (tfjs logged the cause as a warning)` };
  }
  if (instance.isUsingGpuDevice === false) {
    return {
      available: false,
      reason:
        `${TFJS_NODE_GPU} loaded, but TensorFlow found no usable CUDA GPU and would run on the CPU: check the NVIDIA driver ` +
        '(nvidia-smi) and that the CUDA 11.2 and cuDNN 8.1 libraries are on the library path (LD_LIBRARY_PATH on Linux)',
    };
  }
  return { available: true };
}

// The package itself cannot be resolved (Node, bundlers, vite), as opposed to one of its dependencies.
const NOT_INSTALLED = /(?:cannot find (?:package|module)|could not resolve|failed to resolve(?: import)?)\s+['"]@tensorflow\/tfjs-node-gpu['"]/i;
// tfjs-node's own check for its addon, a missing .node file, or libtensorflow failing to load.
const NATIVE_ADDON_MISSING = /native addon|can not be found|tfjs_binding|libtensorflow|cannot open shared object/i;

/** Turns the error from loading tfjs-node-gpu into a reason that says how to fix it. */
function explainLoadFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const detail = message.split('\n')[0]!.trim().replace(/\.+$/, '').slice(0, 300);
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (code === 'ERR_DLOPEN_FAILED' || NATIVE_ADDON_MISSING.test(message)) {
    return (
      `${TFJS_NODE_GPU} is installed, but its native addon is missing or cannot load (${detail}). ` +
      'Its install script downloads libtensorflow and the addon; run it again with "npm rebuild @tensorflow/tfjs-node-gpu" ' +
      '(pnpm: allow the script with "pnpm approve-builds", then "pnpm rebuild @tensorflow/tfjs-node-gpu"). ' +
      'Without internet access, point the download at a mirror with the TFJS_NODE_BASE_URI or TFJS_NODE_CDN_STORAGE ' +
      'environment variable (or .npmrc entry), or provide your own libtensorflow and addon through scripts/custom-binary.json ' +
      'in the package; to compile the addon locally, add --build-addon-from-source to the rebuild'
    );
  }
  if (NOT_INSTALLED.test(message)) {
    return (
      `${TFJS_NODE_GPU} is not installed; it is an optional peer of @dl4ts/backend-gpu. Install it with ` +
      '"pnpm add @tensorflow/tfjs-node-gpu" (or "npm install @tensorflow/tfjs-node-gpu") on Linux or Windows x64 with an ' +
      'NVIDIA driver, CUDA 11.2 and cuDNN 8.1; with pnpm, also allow its install script ("pnpm approve-builds")'
    );
  }
  return `${TFJS_NODE_GPU} failed to load: ${detail}`;
}
