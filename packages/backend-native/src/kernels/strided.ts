// Transpose and Slice as strided copies (native/strided.cc), and PadV2 (Slice's gradient) as the reverse walk. A contiguous slice stays with
// tfjs-backend-cpu, whose kernel returns a view without copying.
import * as tf from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../addon';
import { type NativeKernel, type NativeKernelFunc, allocate, float32Of, needFallback, output, sizeOf, stridesOf, wordsOf, allocateFloat32 } from './kernel-util';

/** `[rank, dims..., strides...]` of an out shape walked with `strides` in the input, dims of 1 dropped and runs merged. */
export function stridedMeta(dims: readonly number[], strides: readonly number[]): Int32Array {
  const d: number[] = [];
  const s: number[] = [];
  for (let i = 0; i < dims.length; i++) {
    const size = dims[i] as number;
    if (size === 1) continue;
    const last = d.length - 1;
    if (last >= 0 && s[last] === (strides[i] as number) * size) {
      d[last] = (d[last] as number) * size;
      s[last] = strides[i] as number;
    } else {
      d.push(size);
      s.push(strides[i] as number);
    }
  }
  if (d.length === 0) {
    d.push(1);
    s.push(1);
  }
  return Int32Array.from([d.length, ...d, ...s]);
}

function transpose(addon: NativeAddon, fallback: NativeKernelFunc): NativeKernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { perm } = args.attrs as { perm: number[] };
    const values = wordsOf(args.backend, x);
    if (values === undefined || perm.length !== x.shape.length || perm.length > 8) return fallback(args);
    const xStrides = stridesOf(x.shape);
    const outShape = perm.map((p) => x.shape[p] as number);
    const out = allocate(x.dtype as 'float32' | 'int32', values.length);
    if (values.length > 0) addon.strided(values, out, stridedMeta(outShape, perm.map((p) => xStrides[p] as number)), 0);
    return output(args.backend, outShape, x.dtype, out);
  };
}

function slice(addon: NativeAddon, fallback: NativeKernelFunc): NativeKernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { begin, size } = args.attrs as { begin: number | number[]; size: number | number[] };
    const values = wordsOf(args.backend, x);
    if (values === undefined || x.shape.length > 8) return fallback(args);
    const [$begin, $size] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size) as [number[], number[]];
    tf.slice_util.assertParamsValid(x as tf.Tensor, $begin, $size);
    if (tf.slice_util.isSliceContinous(x.shape, $begin, $size)) return fallback(args);
    const xStrides = stridesOf(x.shape);
    const offset = $begin.reduce((sum, b, i) => sum + b * (xStrides[i] as number), 0);
    const out = allocate(x.dtype as 'float32' | 'int32', sizeOf($size));
    if (out.length > 0) addon.strided(values, out, stridedMeta($size, xStrides), offset);
    return output(args.backend, $size, x.dtype, out);
  };
}

function pad(addon: NativeAddon, fallback: NativeKernelFunc): NativeKernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { paddings, constantValue } = args.attrs as { paddings: [number, number][]; constantValue: number };
    const values = float32Of(args.backend, x);
    if (values === undefined || x.shape.length > 8 || paddings.length !== x.shape.length) return fallback(args);
    const outShape = x.shape.map((d, i) => (paddings[i] as [number, number])[0] + d + (paddings[i] as [number, number])[1]);
    const outStrides = stridesOf(outShape);
    const offset = paddings.reduce((sum, [before], i) => sum + before * (outStrides[i] as number), 0);
    const out = allocateFloat32(sizeOf(outShape));
    if (out.length > 0) addon.pad(values, out, stridedMeta(x.shape, outStrides), offset, constantValue);
    return output(args.backend, outShape, 'float32', out);
  };
}

export const stridedKernels: NativeKernel[] = [
  { kernelName: tf.PadV2, create: (addon, fallback) => pad(addon, needFallback(tf.PadV2, fallback)) },
  { kernelName: tf.Transpose, create: (addon, fallback) => transpose(addon, needFallback(tf.Transpose, fallback)) },
  { kernelName: tf.Slice, create: (addon, fallback) => slice(addon, needFallback(tf.Slice, fallback)) },
];
