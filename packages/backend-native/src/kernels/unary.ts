// The element-wise unary kernels: one native loop (native/unary.cc) selected by op code.
import * as tf from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../addon';
import { type NativeKernel, type NativeKernelFunc, float32Of, needFallback, output, allocateFloat32 } from './kernel-util';

/** tfjs kernel name -> op code of native/unary.cc, and how its attributes give the op's parameters. */
const UNARY: readonly [string, number, ((attrs: tf.NamedAttrMap) => [number, number])?][] = [
  [tf.Abs, 0],
  [tf.Neg, 1],
  [tf.Square, 2],
  [tf.Sqrt, 3],
  [tf.Rsqrt, 4],
  [tf.Reciprocal, 5],
  [tf.Exp, 6],
  [tf.Expm1, 7],
  [tf.Log, 8],
  [tf.Log1p, 9],
  [tf.Relu, 10],
  [tf.Relu6, 11],
  [tf.Elu, 12],
  [tf.Selu, 13],
  [tf.LeakyRelu, 14, (attrs) => [attrs.alpha as number, 0]],
  [tf.Sigmoid, 15],
  [tf.Tanh, 16],
  [tf.Softplus, 17],
  [tf.Step, 18, (attrs) => [(attrs.alpha as number | undefined) ?? 0, 0]],
  [tf.Floor, 19],
  [tf.Ceil, 20],
  [tf.Sin, 21],
  [tf.Cos, 22],
  [tf.ClipByValue, 23, (attrs) => [attrs.clipValueMin as number, attrs.clipValueMax as number]],
  [tf.Erf, 24],
];

/** The kernel names with a native unary loop. */
export const NATIVE_UNARY_KERNELS: readonly string[] = UNARY.map(([name]) => name);

function unary(addon: NativeAddon, op: number, params: ((attrs: tf.NamedAttrMap) => [number, number]) | undefined, fallback: NativeKernelFunc): NativeKernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const values = float32Of(args.backend, x);
    if (values === undefined) return fallback(args);
    const [p, q] = params === undefined ? [0, 0] : params(args.attrs);
    const out = allocateFloat32(values.length);
    addon.unary(op, values, out, p, q);
    return output(args.backend, x.shape.slice(), 'float32', out);
  };
}

export const unaryKernels: NativeKernel[] = UNARY.map(([kernelName, op, params]) => ({
  kernelName,
  create: (addon, fallback) => unary(addon, op, params, needFallback(kernelName, fallback)),
}));
