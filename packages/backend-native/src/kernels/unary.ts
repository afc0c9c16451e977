// The element-wise unary kernels: one native loop (native/unary.cc) selected by op code.
import * as tf from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../addon';
import { type NativeKernel, type NativeKernelFunc, float32Of, needFallback, output, allocateFloat32 } from './kernel-util';
import { nativeCode } from './op-codes';

/** tfjs kernel name -> op code of native/unary.cc, and how its attributes give the op's parameters. */
const UNARY: readonly [string, number, ((attrs: tf.NamedAttrMap) => [number, number])?][] = [
  [tf.Abs, nativeCode('unary', 'Abs')],
  [tf.Neg, nativeCode('unary', 'Neg')],
  [tf.Square, nativeCode('unary', 'Square')],
  [tf.Sqrt, nativeCode('unary', 'Sqrt')],
  [tf.Rsqrt, nativeCode('unary', 'Rsqrt')],
  [tf.Reciprocal, nativeCode('unary', 'Reciprocal')],
  [tf.Exp, nativeCode('unary', 'Exp')],
  [tf.Expm1, nativeCode('unary', 'Expm1')],
  [tf.Log, nativeCode('unary', 'Log')],
  [tf.Log1p, nativeCode('unary', 'Log1p')],
  [tf.Relu, nativeCode('unary', 'Relu')],
  [tf.Relu6, nativeCode('unary', 'Relu6')],
  [tf.Elu, nativeCode('unary', 'Elu')],
  [tf.Selu, nativeCode('unary', 'Selu')],
  [tf.LeakyRelu, nativeCode('unary', 'LeakyRelu'), (attrs) => [attrs.alpha as number, 0]],
  [tf.Sigmoid, nativeCode('unary', 'Sigmoid')],
  [tf.Tanh, nativeCode('unary', 'Tanh')],
  [tf.Softplus, nativeCode('unary', 'Softplus')],
  [tf.Step, nativeCode('unary', 'Step'), (attrs) => [(attrs.alpha as number | undefined) ?? 0, 0]],
  [tf.Floor, nativeCode('unary', 'Floor')],
  [tf.Ceil, nativeCode('unary', 'Ceil')],
  [tf.Sin, nativeCode('unary', 'Sin')],
  [tf.Cos, nativeCode('unary', 'Cos')],
  [tf.ClipByValue, nativeCode('unary', 'Clip'), (attrs) => [attrs.clipValueMin as number, attrs.clipValueMax as number]],
  [tf.Erf, nativeCode('unary', 'Erf')],
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
