// Softmax over the last axis in one native pass per row (native/softmax.cc).
import * as tf from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../addon';
import { type NativeKernel, type NativeKernelFunc, float32Of, needFallback, output, allocateFloat32 } from './kernel-util';

function softmax(addon: NativeAddon, fallback: NativeKernelFunc): NativeKernelFunc {
  return (args) => {
    const { logits } = args.inputs as { logits: tf.TensorInfo };
    const { dim } = args.attrs as { dim: number };
    const values = float32Of(args.backend, logits);
    const rank = logits.shape.length;
    if (values === undefined || rank === 0 || (dim !== -1 && dim !== rank - 1)) return fallback(args);
    const cols = logits.shape[rank - 1] as number;
    const out = allocateFloat32(values.length);
    if (cols > 0) addon.softmax(values, out, values.length / cols, cols, false);
    return output(args.backend, logits.shape.slice(), 'float32', out);
  };
}

export const softmaxKernels: NativeKernel[] = [{ kernelName: tf.Softmax, create: (addon, fallback) => softmax(addon, needFallback(tf.Softmax, fallback)) }];
