// Concat and GatherV2 as runs of copies (native/copy.cc), float32 and int32.
import * as tf from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../addon';
import { type NativeKernel, type NativeKernelFunc, allocate, needFallback, output, sizeOf, wordsOf } from './kernel-util';

function concat(addon: NativeAddon, fallback: NativeKernelFunc): NativeKernelFunc {
  return (args) => {
    // Empty inputs add nothing (tfjs-backend-cpu drops them too).
    const tensors = (Object.values(args.inputs) as tf.TensorInfo[]).filter((t) => sizeOf(t.shape) > 0);
    const { axis } = args.attrs as { axis: number | number[] };
    const first = tensors[0];
    if (first === undefined) return fallback(args);
    const rank = first.shape.length;
    const dtype = first.dtype;
    const $axis = tf.util.parseAxisParam(axis, first.shape)[0] as number;
    const arrays: (Float32Array | Int32Array)[] = [];
    const widths: number[] = [];
    for (const t of tensors) {
      const values = wordsOf(args.backend, t);
      if (values === undefined || t.dtype !== dtype || t.shape.length !== rank) return fallback(args);
      arrays.push(values);
      widths.push(sizeOf(t.shape.slice($axis)));
    }
    tf.backend_util.assertParamsConsistent(tensors.map((t) => t.shape), $axis);
    const outShape = tf.backend_util.computeOutShape(tensors.map((t) => t.shape), $axis);
    const out = allocate(dtype as 'float32' | 'int32', sizeOf(outShape));
    if (out.length > 0) addon.concat(arrays, out, sizeOf(first.shape.slice(0, $axis)), Int32Array.from(widths));
    return output(args.backend, outShape, dtype, out);
  };
}

function gather(addon: NativeAddon, fallback: NativeKernelFunc): NativeKernelFunc {
  return (args) => {
    const { x, indices } = args.inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
    const { axis, batchDims } = args.attrs as { axis: number; batchDims: number };
    const values = wordsOf(args.backend, x);
    const index = wordsOf(args.backend, indices);
    if (values === undefined || !(index instanceof Int32Array) || (batchDims ?? 0) !== 0) return fallback(args);
    const $axis = tf.util.parseAxisParam(axis, x.shape)[0] as number;
    const axisSize = x.shape[$axis] as number;
    const outShape = [...x.shape.slice(0, $axis), ...indices.shape, ...x.shape.slice($axis + 1)];
    const out = allocate(x.dtype as 'float32' | 'int32', sizeOf(outShape));
    const bad = addon.gather(values, index, out, sizeOf(x.shape.slice(0, $axis)), axisSize, sizeOf(x.shape.slice($axis + 1)));
    // tfjs-backend-cpu's message, so either backend fails the same way.
    if (bad >= 0) throw new Error(`GatherV2: the index value ${String(index[bad])} is not in [0, ${axisSize - 1}]`);
    return output(args.backend, outShape, x.dtype, out);
  };
}

export const copyKernels: NativeKernel[] = [
  { kernelName: tf.Concat, create: (addon, fallback) => concat(addon, needFallback(tf.Concat, fallback)) },
  { kernelName: tf.GatherV2, create: (addon, fallback) => gather(addon, needFallback(tf.GatherV2, fallback)) },
];
