// Cast to float32 as a Float32Array copy. tfjs-backend-cpu's Cast from bool or int32 to float32
// keeps the input's Uint8Array or Int32Array as the result's storage (no encoding loss, it reasons),
// and every native kernel a float32 tensor stored so reaches falls back to tfjs-backend-cpu's
// JavaScript: a CD-1 step written with tfjs ops, whose sampled hidden units are
// `cast(less(u, p), 'float32')`, spent 100 ms in one such product. Other casts go to tfjs-backend-cpu.
import type * as tf from '@tensorflow/tfjs-core';
import { type NativeKernel, type NativeKernelFunc, allocateFloat32, needFallback, output, valuesOf } from './kernel-util';

function cast(fallback: NativeKernelFunc): NativeKernelFunc {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const { dtype } = args.attrs as { dtype: tf.DataType };
    if (dtype !== 'float32' || (x.dtype !== 'bool' && x.dtype !== 'int32')) return fallback(args);
    const values = valuesOf(args.backend, x) as Uint8Array | Int32Array;
    const out = allocateFloat32(values.length);
    out.set(values);
    return output(args.backend, [...x.shape], 'float32', out);
  };
}

export const castKernels: NativeKernel[] = [{ kernelName: 'Cast', create: (_addon, fallback) => cast(needFallback('Cast', fallback)) }];
