// The `native` tfjs backend: tfjs-backend-cpu's storage (plain typed arrays, which the addon
// reads and writes in place) and every one of its kernels, with the hot ones replaced by native
// code. Every op tfjs has therefore runs from the first day; the native table only makes some faster.
import * as tf from '@tensorflow/tfjs-core';
import type { NativeAddon } from './addon';
import { bufferPool } from './buffer-pool';
import { binaryKernels } from './kernels/binary';
import { castKernels } from './kernels/cast';
import { convKernels } from './kernels/conv';
import { copyKernels } from './kernels/copy';
import { dropoutMaskKernels } from './kernels/dropout-mask';
import { fusedApplyKernels, registerSumSquaresGradient } from './kernels/fused-apply';
import { fusedLstmKernels } from './kernels/fused-lstm';
import { fusedUpdaterKernels } from './kernels/fused-updater';
import { type NativeKernel, type NativeKernelFunc, NATIVE_TFJS_NAME } from './kernels/kernel-util';
import { matMulKernels } from './kernels/matmul';
import { reduceKernels } from './kernels/reduce';
import { softmaxKernels } from './kernels/softmax';
import { stridedKernels } from './kernels/strided';
import { unaryKernels } from './kernels/unary';

/** Every native kernel, in registration order. */
export const NATIVE_KERNELS: readonly NativeKernel[] = [...matMulKernels, ...unaryKernels, ...binaryKernels, ...reduceKernels, ...softmaxKernels, ...stridedKernels, ...copyKernels, ...fusedUpdaterKernels, ...fusedApplyKernels, ...fusedLstmKernels, ...convKernels, ...dropoutMaskKernels, ...castKernels];

type CpuBackend = InstanceType<typeof import('@tensorflow/tfjs-backend-cpu').MathBackendCPU>;

/**
 * Routes the backend's storage through the buffer pool: every data id that takes values counts
 * as a holder of their buffer, a disposed id gives its holding back, and reads copy pooled
 * storage (see buffer-pool.ts).
 */
function poolStorage(backend: CpuBackend): void {
  const write = backend.write.bind(backend);
  const move = backend.move.bind(backend);
  const disposeData = backend.disposeData.bind(backend);
  const readSync = backend.readSync.bind(backend);
  backend.write = (values, shape, dtype) => {
    bufferPool.retain(values);
    return write(values, shape, dtype);
  };
  backend.move = (dataId, values, shape, dtype, refCount) => {
    const previous = backend.data.has(dataId) ? backend.data.get(dataId)?.values : undefined;
    bufferPool.retain(values);
    move(dataId, values, shape, dtype, refCount);
    if (previous !== undefined) bufferPool.release(previous);
  };
  backend.disposeData = (dataId, force = false) => {
    const values = backend.data.has(dataId) ? backend.data.get(dataId)?.values : undefined;
    const released = disposeData(dataId, force);
    if (values !== undefined && !backend.data.has(dataId)) bufferPool.release(values);
    return released;
  };
  backend.readSync = (dataId) => {
    const values = readSync(dataId);
    return bufferPool.owns(values) ? (values as Float32Array).slice() : values;
  };
  backend.read = (dataId) => Promise.resolve(backend.readSync(dataId));
}

let registered: { addon: NativeAddon; native: string[]; fallback: string[] } | undefined;

/**
 * Registers the `native` tfjs backend and its kernels once per process: every tfjs-backend-cpu
 * kernel under the new name, then the native ones over them. Returns the names of each kind.
 */
export async function registerNativeTfjsBackend(addon: NativeAddon): Promise<{ native: string[]; fallback: string[] }> {
  if (registered !== undefined) return registered;
  // Imported lazily, so that importing this package registers nothing ("sideEffects": false).
  // The module registers the `cpu` backend and its kernels, which are copied below.
  const { MathBackendCPU } = await import('@tensorflow/tfjs-backend-cpu');
  if (tf.findBackendFactory(NATIVE_TFJS_NAME) == null) {
    // Priority 0: never chosen by tfjs on its own, only by an explicit setBackend.
    tf.registerBackend(
      NATIVE_TFJS_NAME,
      () => {
        const backend = new MathBackendCPU();
        // Its first write prints advice to install tfjs-node; this is the faster path it means.
        // Cast: firstUse is a private field of tfjs's MathBackendCPU.
        (backend as unknown as { firstUse: boolean }).firstUse = false;
        poolStorage(backend);
        return backend;
      },
      0,
    );
  }
  const cpuKernels = new Map(tf.getKernelsForBackend('cpu').map((k) => [k.kernelName, k]));
  const overridden = new Set(NATIVE_KERNELS.map((k) => k.kernelName));
  const fallback: string[] = [];
  for (const [name, config] of cpuKernels) {
    if (overridden.has(name) || tf.getKernel(name, NATIVE_TFJS_NAME) !== undefined) continue;
    tf.registerKernel({ ...config, backendName: NATIVE_TFJS_NAME });
    fallback.push(name);
  }
  const native: string[] = [];
  for (const kernel of NATIVE_KERNELS) {
    if (tf.getKernel(kernel.kernelName, NATIVE_TFJS_NAME) !== undefined) continue;
    const cpu = cpuKernels.get(kernel.kernelName)?.kernelFunc as NativeKernelFunc | undefined;
    const kernelFunc = kernel.create(addon, cpu);
    tf.registerKernel({
      kernelName: kernel.kernelName,
      backendName: NATIVE_TFJS_NAME,
      kernelFunc: kernelFunc as tf.KernelFunc,
      ...(cpuKernels.get(kernel.kernelName)?.setupFunc === undefined ? {} : { setupFunc: cpuKernels.get(kernel.kernelName)?.setupFunc }),
    });
    native.push(kernel.kernelName);
  }
  registerSumSquaresGradient();
  registered = { addon, native, fallback };
  return registered;
}
