// What every native kernel shares: the backend's storage, its fallback, and the output tensor.
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../addon';
import { bufferPool } from '../buffer-pool';

/** The tfjs backend name under which the native kernels and the cpu fallbacks are registered. */
export const NATIVE_TFJS_NAME = 'native';

/** A kernel's function as tfjs calls it, with our backend. */
export type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: MathBackendCPU; attrs: tf.NamedAttrMap };
export type NativeKernelFunc = (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[];

/** A native kernel: its tfjs name and how to make its function from the module. */
export interface NativeKernel {
  readonly kernelName: string;
  create(addon: NativeAddon, fallback: NativeKernelFunc | undefined): NativeKernelFunc;
}

/** The typed array a tensor is stored in (tfjs-backend-cpu keeps plain typed arrays). */
export function valuesOf(backend: MathBackendCPU, t: tf.TensorInfo): tf.backend_util.BackendValues {
  return backend.data.get(t.dataId).values as tf.backend_util.BackendValues;
}

/** The Float32Array a float32 tensor is stored in, or undefined for any other storage. */
export function float32Of(backend: MathBackendCPU, t: tf.TensorInfo): Float32Array | undefined {
  if (t.dtype !== 'float32') return undefined;
  const values = backend.data.get(t.dataId).values;
  return values instanceof Float32Array ? values : undefined;
}

/** A float32 or int32 tensor's 4-byte storage, or undefined. */
export function wordsOf(backend: MathBackendCPU, t: tf.TensorInfo): Float32Array | Int32Array | undefined {
  const values = backend.data.get(t.dataId).values;
  if (t.dtype === 'float32' && values instanceof Float32Array) return values;
  if (t.dtype === 'int32' && values instanceof Int32Array) return values;
  return undefined;
}

/**
 * A Float32Array of `size` elements for a kernel that writes every one of them: from 4096 elements
 * up, storage from the backend's pool (a disposed output's, else a new unfilled buffer), which
 * saves an allocation and a pass over fresh memory per op on the large tensors.
 */
export function allocateFloat32(size: number): Float32Array {
  return bufferPool.allocateFloat32(size);
}

/**
 * Gives a kernel's scratch array from {@link allocateFloat32} back to the pool once the kernel is
 * done with it (it never became a tensor's storage), so the next call of the same size reuses it.
 */
export function releaseScratch(values: Float32Array): void {
  bufferPool.release(values);
}

/** A new array of the dtype's storage type. */
export function allocate(dtype: 'float32' | 'int32', size: number): Float32Array | Int32Array {
  return dtype === 'float32' ? allocateFloat32(size) : new Int32Array(size);
}

/** Wraps `values` (owned from now on by the backend) as the kernel's output. */
export function output(backend: MathBackendCPU, shape: number[], dtype: tf.DataType, values: tf.backend_util.BackendValues): tf.TensorInfo {
  return backend.makeTensorInfo(shape, dtype, values);
}

/** The fallback, or an error naming the kernel when a kernel has none (it always has one here). */
export function needFallback(kernelName: string, fallback: NativeKernelFunc | undefined): NativeKernelFunc {
  if (fallback === undefined) throw new Error(`@dl4ts/backend-native: no tfjs-backend-cpu kernel ${kernelName} to fall back to`);
  return fallback;
}

/** Contiguous row-major strides of `shape`. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = stride;
    stride *= shape[d] as number;
  }
  return strides;
}

/** The number of elements of `shape`. */
export function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}
