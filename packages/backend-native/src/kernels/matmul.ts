// BatchMatMul and _FusedMatMul on OpenBLAS: transposes read in place, a batch of 1 broadcast, and
// the fused bias and activation applied in the product's own pass over the output.
import { FUSED_KERNELS, fusedKernelAttrs } from '@dl4ts/core';
import * as tf from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../addon';
import { type KernelArgs, type NativeKernel, type NativeKernelFunc, float32Of, needFallback, output, sizeOf, allocateFloat32 } from './kernel-util';
import { nativeCode } from './op-codes';

/** Activation codes of native/vmath.h; tfjs's names (the fused products and convolutions). */
export const ACTIVATIONS: Record<string, number> = {
  linear: nativeCode('activation', 'Linear'),
  relu: nativeCode('activation', 'Relu'),
  relu6: nativeCode('activation', 'Relu6'),
  elu: nativeCode('activation', 'Elu'),
  leakyrelu: nativeCode('activation', 'LeakyRelu'),
  sigmoid: nativeCode('activation', 'Sigmoid'),
  tanh: nativeCode('activation', 'Tanh'),
};

/** Bias modes of native/gemm.cc. */
export const Bias = {
  None: nativeCode('biasMode', 'NoBias'),
  Scalar: nativeCode('biasMode', 'ScalarBias'),
  Column: nativeCode('biasMode', 'ColumnBias'),
  Matrix: nativeCode('biasMode', 'MatrixBias'),
  Full: nativeCode('biasMode', 'FullBias'),
} as const;

interface Product {
  a: Float32Array;
  b: Float32Array;
  batchA: number;
  batchB: number;
  m: number;
  n: number;
  k: number;
  outShape: number[];
}

/** The product's shape, or undefined where the native path does not apply (dtypes, broadcasting). */
function plan(args: KernelArgs, a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean): Product | undefined {
  const av = float32Of(args.backend, a);
  const bv = float32Of(args.backend, b);
  if (av === undefined || bv === undefined || a.shape.length < 2 || b.shape.length < 2) return undefined;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transposeA ? (a.shape[ra - 1] as number) : (a.shape[ra - 2] as number);
  const k = transposeA ? (a.shape[ra - 2] as number) : (a.shape[ra - 1] as number);
  const kb = transposeB ? (b.shape[rb - 1] as number) : (b.shape[rb - 2] as number);
  const n = transposeB ? (b.shape[rb - 2] as number) : (b.shape[rb - 1] as number);
  if (k !== kb) return undefined; // The fallback raises tfjs's own message.
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = sizeOf(outerA);
  const batchB = sizeOf(outerB);
  // One side's batch of 1 broadcasts; otherwise the batch shapes must be equal.
  let outer: number[];
  if (batchA === 1 && batchB === 1) outer = outerA.length >= outerB.length ? outerA : outerB;
  else if (batchB === 1) outer = outerA.length >= outerB.length ? outerA : [...outerB.slice(0, outerB.length - outerA.length).map(() => 1), ...outerA];
  else if (batchA === 1) outer = outerB.length >= outerA.length ? outerB : [...outerA.slice(0, outerA.length - outerB.length).map(() => 1), ...outerB];
  else if (outerA.length === outerB.length && outerA.every((d, i) => d === outerB[i])) outer = outerA;
  else return undefined;
  return { a: av, b: bv, batchA, batchB, m, n, k, outShape: [...outer, m, n] };
}

function batchMatMul(addon: NativeAddon, fallback: NativeKernelFunc): NativeKernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    const p = plan(args, a, b, transposeA, transposeB);
    if (p === undefined) return fallback(args);
    const out = allocateFloat32(sizeOf(p.outShape));
    addon.matMul(p.a, p.b, out, p.batchA, p.batchB, p.m, p.n, p.k, transposeA, transposeB, null, Bias.None, 0, 0);
    return output(args.backend, p.outShape, 'float32', out);
  };
}

function fusedMatMul(addon: NativeAddon, fallback: NativeKernelFunc): NativeKernelFunc {
  return (args) => {
    const { a, b, bias, preluActivationWeights } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo; bias?: tf.TensorInfo; preluActivationWeights?: tf.TensorInfo };
    const { transposeA, transposeB, activation, leakyreluAlpha } = args.attrs as { transposeA: boolean; transposeB: boolean; activation: string; leakyreluAlpha?: number };
    const code = ACTIVATIONS[activation];
    if (code === undefined || preluActivationWeights != null) return fallback(args);
    const p = plan(args, a, b, transposeA, transposeB);
    if (p === undefined) return fallback(args);
    let biasValues: Float32Array | null = null;
    let mode = Bias.None;
    if (bias != null) {
      const values = float32Of(args.backend, bias);
      if (values === undefined) return fallback(args);
      const size = values.length === sizeOf(bias.shape) ? values.length : -1;
      const last = bias.shape[bias.shape.length - 1];
      if (size === 1) mode = Bias.Scalar;
      else if (size === p.n && (bias.shape.length === 1 || last === p.n)) mode = Bias.Column;
      else if (size === p.m * p.n && bias.shape.slice(-2).join() === `${p.m},${p.n}`) mode = Bias.Matrix;
      else if (size === sizeOf(p.outShape) && bias.shape.join() === p.outShape.join()) mode = Bias.Full;
      else return fallback(args);
      biasValues = values;
    }
    const out = allocateFloat32(sizeOf(p.outShape));
    addon.matMul(p.a, p.b, out, p.batchA, p.batchB, p.m, p.n, p.k, transposeA, transposeB, biasValues, mode, code, leakyreluAlpha ?? 0.2);
    return output(args.backend, p.outShape, 'float32', out);
  };
}

/** core's FUSED_KERNELS.dense: f(x w + b) for x [batch, nIn], w [nIn, nOut], b [nOut], f linear, relu, sigmoid or tanh in the product's epilogue, or softmax over each row right after it. */
function dense(addon: NativeAddon): NativeKernelFunc {
  return (args) => {
    const { x, w, b } = args.inputs as { x: tf.TensorInfo; w: tf.TensorInfo; b: tf.TensorInfo };
    const { activation } = fusedKernelAttrs(FUSED_KERNELS.dense, args.attrs);
    // softmax: the linear product, then the rows normalised in place.
    const softmax = activation === 'softmax';
    const code = softmax ? ACTIVATIONS.linear : ['linear', 'relu', 'sigmoid', 'tanh'].includes(activation) ? ACTIVATIONS[activation] : undefined;
    const fail = (message: string): never => {
      throw new Error(`@dl4ts/backend-native ${FUSED_KERNELS.dense}: ${message}`);
    };
    if (code === undefined) fail(`activation must be "linear", "relu", "sigmoid", "tanh" or "softmax", received ${JSON.stringify(activation)}`);
    const [m, k] = x.shape as [number, number];
    const n = w.shape[1] as number;
    if (x.shape.length !== 2 || w.shape.length !== 2 || b.shape.length !== 1 || w.shape[0] !== k || b.shape[0] !== n) {
      fail(`expected x [batch, nIn], w [nIn, nOut], b [nOut]; received x [${x.shape.join(', ')}], w [${w.shape.join(', ')}], b [${b.shape.join(', ')}]`);
    }
    const [xv, wv, bv] = [x, w, b].map((t) => float32Of(args.backend, t));
    if (xv === undefined || wv === undefined || bv === undefined) return fail(`x, w and b must be float32, received ${x.dtype}, ${w.dtype}, ${b.dtype}`);
    const out = allocateFloat32(m * n);
    addon.matMul(xv, wv, out, 1, 1, m, n, k, false, false, bv, Bias.Column, code as number, 0);
    if (softmax) addon.softmax(out, out, m, n, false);
    return output(args.backend, [m, n], 'float32', out);
  };
}

export const matMulKernels: NativeKernel[] = [
  { kernelName: tf.BatchMatMul, create: (addon, fallback) => batchMatMul(addon, needFallback(tf.BatchMatMul, fallback)) },
  { kernelName: tf._FusedMatMul, create: (addon, fallback) => fusedMatMul(addon, needFallback(tf._FusedMatMul, fallback)) },
  { kernelName: FUSED_KERNELS.dense, create: (addon) => dense(addon) },
];
