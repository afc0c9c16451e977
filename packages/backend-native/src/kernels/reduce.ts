// Sum, Mean, Max, Min and Prod over a contiguous block of axes (native/reduce.cc). Other axis sets
// (rare in training) go to tfjs-backend-cpu's kernels.
import * as tf from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../addon';
import { type NativeKernel, type NativeKernelFunc, float32Of, needFallback, output, sizeOf, allocateFloat32 } from './kernel-util';
import { nativeCode } from './op-codes';

const REDUCTIONS: readonly [string, number][] = [
  [tf.Sum, nativeCode('reduce', 'Sum')],
  [tf.Mean, nativeCode('reduce', 'Mean')],
  [tf.Max, nativeCode('reduce', 'Max')],
  [tf.Min, nativeCode('reduce', 'Min')],
  [tf.Prod, nativeCode('reduce', 'Prod')],
];

/** `[outer, size, inner]` of reducing `shape` over `axes`, or undefined when the axes are not one block. */
export function reductionPlan(shape: readonly number[], axis: number | number[] | undefined, keepDims: boolean): { outer: number; size: number; inner: number; outShape: number[] } | undefined {
  const rank = shape.length;
  const list = axis === undefined || axis === null ? shape.map((_, i) => i) : typeof axis === 'number' ? [axis] : axis;
  const axes = [...new Set(list.map((a) => (a < 0 ? a + rank : a)))].sort((x, y) => x - y);
  if (axes.some((a) => a < 0 || a >= rank)) return undefined;
  if (axes.length === 0) return { outer: sizeOf(shape), size: 1, inner: 1, outShape: shape.slice() };
  const lo = axes[0] as number;
  const hi = axes[axes.length - 1] as number;
  if (hi - lo + 1 !== axes.length) return undefined;
  const outShape = keepDims ? shape.map((d, i) => (i >= lo && i <= hi ? 1 : d)) : shape.filter((_, i) => i < lo || i > hi);
  return { outer: sizeOf(shape.slice(0, lo)), size: sizeOf(shape.slice(lo, hi + 1)), inner: sizeOf(shape.slice(hi + 1)), outShape };
}

function reduce(addon: NativeAddon, op: number, fallback: NativeKernelFunc): NativeKernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    // Max names its axes reductionIndices; the others axis.
    const { axis, reductionIndices, keepDims } = args.attrs as { axis?: number | number[]; reductionIndices?: number | number[]; keepDims?: boolean };
    const values = float32Of(args.backend, x);
    if (values === undefined) return fallback(args);
    const plan = reductionPlan(x.shape, axis ?? reductionIndices, keepDims === true);
    if (plan === undefined) return fallback(args);
    const out = allocateFloat32(plan.outer * plan.inner);
    addon.reduce(op, values, out, plan.outer, plan.size, plan.inner);
    return output(args.backend, plan.outShape, 'float32', out);
  };
}

export const reduceKernels: NativeKernel[] = REDUCTIONS.map(([kernelName, op]) => ({ kernelName, create: (addon, fallback) => reduce(addon, op, needFallback(kernelName, fallback)) }));
