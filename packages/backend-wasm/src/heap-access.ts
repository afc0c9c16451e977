// Access to tfjs-backend-wasm's heap from kernels written here: its BackendWasm does not export
// the members they use, and tfjs types kernel attributes generically.
import type * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

/** What the replacement and added kernels need from tfjs-backend-wasm's `BackendWasm`. */
export interface HeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: object, force?: boolean): boolean;
}

export type KernelArgs = Parameters<KernelFunc>[0];

/** The wasm backend running a kernel call (tfjs types it as the abstract backend). */
export function heapOf(args: KernelArgs): HeapBackend {
  // Cast: tfjs-backend-wasm does not export BackendWasm's heap members.
  return args.backend as unknown as HeapBackend;
}

/** A kernel's attributes as that kernel's own type (tfjs types them as a generic attribute map). */
export function attrsOf<T>(args: KernelArgs): T {
  // Cast: tfjs types every kernel's attributes as one generic map.
  return args.attrs as unknown as T;
}

/** tfjs's shape helpers take a Tensor but read only its shape and rank, which a TensorInfo has. */
export function shapeOnly(t: TensorInfo): tf.Tensor {
  return { shape: t.shape, rank: t.shape.length } as tf.Tensor;
}

