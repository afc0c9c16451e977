import { BACKEND_CONTRACT_VERSION, BackendError, activateTfjsBackend, type Availability, type Backend } from '@dl4ts/core';
import * as tf from '@tensorflow/tfjs-core';
import { throwOnDeviceErrors } from './webgpu-errors';
import { findAdapter, type AdapterSearch, type DawnAttempt, type DawnModule, type GpuAdapterLike, type GpuLike } from './webgpu-adapter';

/** The package holding tfjs's WebGPU kernels (a dependency of this one). */
export const TFJS_WEBGPU = '@tensorflow/tfjs-backend-webgpu';

const TFJS_NAME = 'webgpu';

type TfjsWebgpuModule = typeof import('@tensorflow/tfjs-backend-webgpu');

/** Options of {@link webgpuBackend}. Every field is optional. */
export interface WebGpuBackendOptions {
  /** A `GPU` object to use instead of `navigator.gpu` (or, in Node, Dawn's). */
  readonly gpu?: GpuLike;
  /** Passed to `requestAdapter`. Default `high-performance`. */
  readonly powerPreference?: 'low-power' | 'high-performance';
  /**
   * Node.js: how Dawn is asked for an adapter, in order. Default: Dawn's default backend (a real
   * GPU), then `backend=opengles` in compatibility mode (software, through Mesa, where no GPU is).
   * `[{ flags: ['backend=opengles'], featureLevel: 'compatibility' }]` skips the first attempt.
   */
  readonly dawnAttempts?: readonly DawnAttempt[];
  /** Node.js: loads the `webgpu` package (Dawn). Replace it to load Dawn from elsewhere, or in tests. */
  readonly loadDawn?: () => Promise<DawnModule>;
  /** Loads `@tensorflow/tfjs-backend-webgpu`. Replace it in tests. */
  readonly loadTfjsWebgpu?: () => Promise<TfjsWebgpuModule>;
  /**
   * tfjs's `WEBGPU_CPU_FORWARD`: run an op on the CPU when all its inputs are small (under 1000
   * values) and still on the host, which saves a round trip. Default: tfjs's (true). `false` makes
   * every op run as a WebGPU shader, as the conformance tests need.
   */
  readonly cpuForward?: boolean;
  /**
   * Default `throw`: a WebGPU device error (a failed command; tfjs ignores them and the result is
   * silently wrong) makes the next asynchronous read throw a BackendError naming it. `ignore`:
   * tfjs's behaviour (Dawn still logs them).
   */
  readonly deviceErrors?: 'throw' | 'ignore';
  /** Linux: folders searched for Mesa's libraries when explaining a missing adapter. */
  readonly libraryDirs?: readonly string[];
}

/** The WebGPU adapter: a {@link Backend} that can also describe the GPU adapter it found. */
export interface WebGpuBackend extends Backend {
  /** Vendor, architecture and description of the adapter, or undefined where none is available. */
  adapterInfo(): Promise<{ vendor: string; architecture: string; device: string; description: string } | undefined>;
}

/**
 * Backend adapter for WebGPU through `@tensorflow/tfjs-backend-webgpu`: `navigator.gpu` in browsers;
 * in Node.js, Dawn from the optional peer `webgpu`, on a real GPU where there is one and otherwise in
 * software through Mesa's OpenGL ES driver (Debian: libegl1 libegl-mesa0 libgl1-mesa-dri).
 * WebGPU cannot read tensors synchronously: use `await t.data()`, never `dataSync()`.
 *
 * @example
 * ```ts
 * const chosen = await selectBackend(['webgpu', 'wasm', 'cpu'], [webgpuBackend(), wasmBackend(), cpuBackend()]);
 * ```
 */
export function webgpuBackend(options: WebGpuBackendOptions = {}): WebGpuBackend {
  const loadTfjs = options.loadTfjsWebgpu ?? (() => import('@tensorflow/tfjs-backend-webgpu'));
  // Searched once per adapter object: the answer does not change, and Dawn instances are not free.
  let search: Promise<AdapterSearch> | undefined;
  const find = (): Promise<AdapterSearch> => (search ??= findAdapter(options));

  async function availability(): Promise<Availability> {
    try {
      await loadTfjs();
    } catch (error) {
      return { available: false, reason: `${TFJS_WEBGPU} failed to load: ${error instanceof Error ? error.message : String(error)}` };
    }
    const found = await find();
    return found.found ? { available: true } : { available: false, reason: found.reason };
  }

  return {
    contractVersion: BACKEND_CONTRACT_VERSION,
    name: 'webgpu',
    tfjsName: TFJS_NAME,
    availability,

    async adapterInfo() {
      const found = await find();
      if (!found.found) return undefined;
      const info = found.adapter.info ?? {};
      return { vendor: info.vendor ?? '', architecture: info.architecture ?? '', device: info.device ?? '', description: info.description ?? '' };
    },

    async activate() {
      const status = await availability();
      if (!status.available) throw new BackendError(`The webgpu backend is not available: ${status.reason}`);
      const found = (await find()) as Extract<AdapterSearch, { found: true }>;
      const module = await loadTfjs();
      if (options.cpuForward !== undefined) tf.env().set('WEBGPU_CPU_FORWARD', options.cpuForward);
      // Someone (the application, or an earlier activation) already runs a webgpu backend: keep it.
      if (tf.engine().registry[TFJS_NAME] === undefined) {
        if (found.dawn !== undefined) installDawnGlobals(found.dawn, found.gpu);
        // tfjs registers its own factory on import where navigator.gpu exists; it requests an adapter
        // without the compatibility fallback, so ours replaces it.
        if (tf.findBackendFactory(TFJS_NAME) != null) tf.removeBackend(TFJS_NAME);
        tf.registerBackend(TFJS_NAME, async () => {
          const backend = new module.WebGPUBackend((await requestDevice(found.adapter)) as never, found.adapter.info as never);
          return options.deviceErrors === 'ignore' ? backend : throwOnDeviceErrors(backend);
        });
      }
      await activateTfjsBackend(TFJS_NAME, () => {
        throw new BackendError(`${TFJS_WEBGPU} loaded, but no tfjs backend named "${TFJS_NAME}" is registered`);
      });
    },
  };
}

/** The device limits tfjs-backend-webgpu asks for: the adapter's own, so large tensors fit. */
const REQUIRED_LIMITS = [
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupSizeX',
  'maxComputeInvocationsPerWorkgroup',
] as const;

function requestDevice(adapter: GpuAdapterLike): Promise<unknown> {
  const requiredLimits: Record<string, number> = {};
  for (const name of REQUIRED_LIMITS) {
    const value = adapter.limits[name];
    if (typeof value === 'number') requiredLimits[name] = value;
  }
  return adapter.requestDevice({ requiredLimits });
}

/**
 * tfjs-backend-webgpu is written for browsers: it reads `navigator.gpu` and globals such as
 * `GPUBufferUsage` and `GPUBuffer`. Node has none of them; Dawn provides each. Existing globals are
 * left alone.
 */
function installDawnGlobals(dawn: DawnModule, gpu: GpuLike): void {
  const global = globalThis as Record<string, unknown>;
  for (const [name, value] of Object.entries(dawn.globals)) {
    if (global[name] === undefined) global[name] = value;
  }
  const existing = global.navigator as Record<string, unknown> | undefined;
  if (existing === undefined) {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  } else if (existing.gpu === undefined) {
    // Node 21+ has a navigator without gpu.
    Object.defineProperty(existing, 'gpu', { value: gpu, configurable: true });
  }
}
