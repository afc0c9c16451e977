// Element-wise binary kernels with broadcasting: the shapes are collapsed here into the fewest
// dims with per-operand strides (0 where broadcast), and native/binary.cc loops over them.
import * as tf from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../addon';
import { type NativeKernel, type NativeKernelFunc, float32Of, needFallback, output, sizeOf, stridesOf, allocateFloat32 } from './kernel-util';
import { nativeCode } from './op-codes';

/** tfjs kernel name -> op code of native/binary.cc; the comparisons return bool. */
const ARITHMETIC: readonly [string, number][] = [
  [tf.Add, nativeCode('binary', 'Add')],
  [tf.Sub, nativeCode('binary', 'Sub')],
  [tf.Multiply, nativeCode('binary', 'Mul')],
  [tf.RealDiv, nativeCode('binary', 'Div')],
  [tf.Maximum, nativeCode('binary', 'Maximum')],
  [tf.Minimum, nativeCode('binary', 'Minimum')],
  [tf.SquaredDifference, nativeCode('binary', 'SquaredDifference')],
  [tf.Pow, nativeCode('binary', 'Pow')],
];
const COMPARISONS: readonly [string, number][] = [
  [tf.Greater, nativeCode('binary', 'Greater')],
  [tf.GreaterEqual, nativeCode('binary', 'GreaterEqual')],
  [tf.Less, nativeCode('binary', 'Less')],
  [tf.LessEqual, nativeCode('binary', 'LessEqual')],
  [tf.Equal, nativeCode('binary', 'Equal')],
  [tf.NotEqual, nativeCode('binary', 'NotEqual')],
];

/** The broadcast of `a` and `b` as `[rank, dims..., aStrides..., bStrides...]`, or undefined when the shapes do not broadcast. */
export function broadcastMeta(a: readonly number[], b: readonly number[]): { outShape: number[]; meta: Int32Array } | undefined {
  const rank = Math.max(a.length, b.length);
  const pa = [...new Array<number>(rank - a.length).fill(1), ...a];
  const pb = [...new Array<number>(rank - b.length).fill(1), ...b];
  const outShape = new Array<number>(rank);
  for (let d = 0; d < rank; d++) {
    const x = pa[d] as number;
    const y = pb[d] as number;
    if (x !== y && x !== 1 && y !== 1) return undefined;
    outShape[d] = x === 1 ? y : x;
  }
  const sa = stridesOf(pa).map((s, d) => (pa[d] === 1 ? 0 : s));
  const sb = stridesOf(pb).map((s, d) => (pb[d] === 1 ? 0 : s));
  // Drop dims of 1, then merge neighbours that both operands walk as one run.
  const dims: number[] = [];
  const as: number[] = [];
  const bs: number[] = [];
  for (let d = 0; d < rank; d++) {
    const size = outShape[d] as number;
    if (size === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && as[last] === (sa[d] as number) * size && bs[last] === (sb[d] as number) * size) {
      dims[last] = (dims[last] as number) * size;
      as[last] = sa[d] as number;
      bs[last] = sb[d] as number;
    } else {
      dims.push(size);
      as.push(sa[d] as number);
      bs.push(sb[d] as number);
    }
  }
  if (dims.length === 0) {
    dims.push(1);
    as.push(0);
    bs.push(0);
  }
  if (dims.length > 8) return undefined;
  return { outShape, meta: Int32Array.from([dims.length, ...dims, ...as, ...bs]) };
}

function binary(addon: NativeAddon, op: number, comparison: boolean, fallback: NativeKernelFunc): NativeKernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const av = float32Of(args.backend, a);
    const bv = float32Of(args.backend, b);
    if (av === undefined || bv === undefined) return fallback(args);
    const plan = broadcastMeta(a.shape, b.shape);
    if (plan === undefined) return fallback(args); // tfjs's own message.
    const size = sizeOf(plan.outShape);
    if (comparison) {
      const out = new Uint8Array(size);
      if (size > 0) addon.compare(op, av, bv, out, plan.meta);
      return output(args.backend, plan.outShape, 'bool', out);
    }
    const out = allocateFloat32(size);
    if (size > 0) addon.binary(op, av, bv, out, plan.meta);
    return output(args.backend, plan.outShape, 'float32', out);
  };
}

export const binaryKernels: NativeKernel[] = [
  ...ARITHMETIC.map(([kernelName, op]): NativeKernel => ({ kernelName, create: (addon, fallback) => binary(addon, op, false, needFallback(kernelName, fallback)) })),
  ...COMPARISONS.map(([kernelName, op]): NativeKernel => ({ kernelName, create: (addon, fallback) => binary(addon, op, true, needFallback(kernelName, fallback)) })),
];
