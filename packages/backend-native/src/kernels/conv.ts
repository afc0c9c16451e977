// Conv2D, _FusedConv2D, their two gradients, MaxPool, AvgPool and their gradients on NHWC images: a convolution
// is im2col (native/conv.cc) and one OpenBLAS product; its input gradient one product and col2im;
// its filter gradient im2col and one product. tfjs-backend-cpu's own loops took seconds per
// LeNet minibatch (its filter gradient 15 s for a 64-image batch of the second convolution).
import * as tf from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../addon';
import type { WindowArgs } from '../addon-api';
import { type NativeKernel, type NativeKernelFunc, allocateFloat32, float32Of, needFallback, output, releaseScratch, sizeOf } from './kernel-util';
import { ACTIVATIONS, Bias } from './matmul';

type Conv2DInfo = tf.backend_util.Conv2DInfo;
type Padding = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

/** The windows of a tfjs convolution or pooling geometry, as native/conv.cc reads them. */
function windows(info: Conv2DInfo): WindowArgs {
  return {
    batch: info.batchSize,
    height: info.inHeight,
    width: info.inWidth,
    channels: info.inChannels,
    kernelH: info.filterHeight,
    kernelW: info.filterWidth,
    strideH: info.strideHeight,
    strideW: info.strideWidth,
    dilationH: info.dilationHeight,
    dilationW: info.dilationWidth,
    outH: info.outHeight,
    outW: info.outWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/** A 1x1 kernel with stride 1 and no padding reads each pixel once: the input is already the rows. */
const isPointwise = (info: Conv2DInfo): boolean =>
  info.filterHeight === 1 && info.filterWidth === 1 && info.strideHeight === 1 && info.strideWidth === 1 && info.padInfo.top === 0 && info.padInfo.left === 0 && info.outHeight === info.inHeight && info.outWidth === info.inWidth;

/** The input's windows as rows `[batch outH outW, kh kw cIn]` (the input itself when pointwise). */
function columns(addon: NativeAddon, x: Float32Array, info: Conv2DInfo): Float32Array {
  if (isPointwise(info)) return x;
  const cols = allocateFloat32(info.batchSize * info.outHeight * info.outWidth * info.filterHeight * info.filterWidth * info.inChannels);
  addon.im2col({ ...windows(info), x, cols });
  return cols;
}

/**
 * Inputs of at most this many channels are convolved by plain loops (native/conv.cc's directConv):
 * their im2col rows are short (25 values for a 5x5 kernel on a grey image), and a product over
 * them ran at a fifth of the loops' speed (LeNet's first layer: 4.9 ms as im2col and sgemm).
 */
const DIRECT_MAX_CHANNELS = 4;
/** And at most this many filters (native/conv.cc keeps them in registers). */
const DIRECT_MAX_FILTERS = 32;

// Type aliases, not interfaces: an object type converts to tfjs's NamedAttrMap (an index signature).
type ConvAttrs = {
  strides: [number, number] | number;
  pad: Padding;
  dataFormat: 'NHWC' | 'NCHW';
  dilations: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation?: string;
  leakyreluAlpha?: number;
};

/** `act(conv(x, W) + bias)`: im2col, then the product with the bias and activation in its epilogue. */
function convolution(addon: NativeAddon, fallback: NativeKernelFunc, fused: boolean): NativeKernelFunc {
  return (args) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo; bias?: tf.TensorInfo; preluActivationWeights?: tf.TensorInfo };
    const attrs = args.attrs as ConvAttrs;
    const code = ACTIVATIONS[attrs.activation ?? 'linear'];
    const [xv, wv] = [float32Of(args.backend, x), float32Of(args.backend, filter)];
    const bv = bias == null ? null : (float32Of(args.backend, bias) ?? undefined);
    if (attrs.dataFormat !== 'NHWC' || xv === undefined || wv === undefined || bv === undefined || code === undefined || preluActivationWeights != null) return fallback(args);
    const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filter.shape as [number, number, number, number], attrs.strides, attrs.dilations, attrs.pad, attrs.dimRoundingMode);
    const rows = info.batchSize * info.outHeight * info.outWidth;
    if (bv !== null && bv.length !== info.outChannels) return fallback(args);
    const out = allocateFloat32(rows * info.outChannels);
    // Column bias mode of native/gemm.cc (one value per output channel), or none.
    const mode = bv === null ? Bias.None : Bias.Column;
    const activation = fused ? code : ACTIVATIONS.linear!;
    if (info.inChannels <= DIRECT_MAX_CHANNELS && info.outChannels <= DIRECT_MAX_FILTERS && !isPointwise(info)) {
      addon.directConv({ ...windows(info), outChannels: info.outChannels, x: xv, filter: wv, out });
      // The bias and activation as the product's epilogue would apply them.
      if (bv !== null || activation !== ACTIVATIONS.linear) addon.epilogue(out, rows, info.outChannels, bv, mode, activation, attrs.leakyreluAlpha ?? 0.2);
    } else {
      const cols = columns(addon, xv, info);
      addon.matMul(cols, wv, out, 1, 1, rows, info.outChannels, info.filterHeight * info.filterWidth * info.inChannels, false, false, bv, mode, activation, attrs.leakyreluAlpha ?? 0.2);
      if (cols !== xv) releaseScratch(cols);
    }
    return output(args.backend, [info.batchSize, info.outHeight, info.outWidth, info.outChannels], 'float32', out);
  };
}

/** dx = col2im(dy W^T): the product of the output gradient `[rows, cOut]` with the kernel as `[K, cOut]`, transposed. */
function inputGradient(addon: NativeAddon, fallback: NativeKernelFunc): NativeKernelFunc {
  return (args) => {
    const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const { inputShape, strides, pad, dataFormat, dimRoundingMode } = args.attrs as { inputShape: [number, number, number, number]; strides: [number, number] | number; pad: Padding; dataFormat: 'NHWC' | 'NCHW'; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
    const [dyv, wv] = [float32Of(args.backend, dy), float32Of(args.backend, filter)];
    if (dataFormat !== 'NHWC' || dyv === undefined || wv === undefined) return fallback(args);
    const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode);
    const rows = info.batchSize * info.outHeight * info.outWidth;
    const k = info.filterHeight * info.filterWidth * info.inChannels;
    const dx = allocateFloat32(sizeOf(inputShape));
    // A pointwise kernel's windows are the pixels: the product is dx itself.
    const cols = isPointwise(info) ? dx : allocateFloat32(rows * k);
    addon.matMul(dyv, wv, cols, 1, 1, rows, k, info.outChannels, false, true, null, Bias.None, ACTIVATIONS.linear!, 0);
    if (cols !== dx) {
      addon.col2im({ ...windows(info), cols, dx });
      releaseScratch(cols);
    }
    return output(args.backend, [...inputShape], 'float32', dx);
  };
}

/** dW = im2col(x)^T dy: `[K, rows] [rows, cOut]`, the kernel's own layout `[kh, kw, cIn, cOut]`. */
function filterGradient(addon: NativeAddon, fallback: NativeKernelFunc): NativeKernelFunc {
  return (args) => {
    const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs as { strides: [number, number] | number; pad: Padding; dataFormat: 'NHWC' | 'NCHW'; dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: [number, number, number, number] };
    const [xv, dyv] = [float32Of(args.backend, x), float32Of(args.backend, dy)];
    if (dataFormat !== 'NHWC' || xv === undefined || dyv === undefined) return fallback(args);
    const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode);
    const rows = info.batchSize * info.outHeight * info.outWidth;
    const k = info.filterHeight * info.filterWidth * info.inChannels;
    const dw = allocateFloat32(k * info.outChannels);
    if (info.inChannels <= DIRECT_MAX_CHANNELS && info.outChannels <= DIRECT_MAX_FILTERS && !isPointwise(info)) {
      addon.directConvFilterGrad({ ...windows(info), outChannels: info.outChannels, x: xv, dy: dyv, dw });
    } else {
      const cols = columns(addon, xv, info);
      addon.matMul(cols, dyv, dw, 1, 1, k, info.outChannels, rows, true, false, null, Bias.None, ACTIVATIONS.linear!, 0);
      if (cols !== xv) releaseScratch(cols);
    }
    return output(args.backend, [...filterShape], 'float32', dw);
  };
}

type PoolAttrs = {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: Padding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
};

function poolInfo(x: tf.TensorInfo, attrs: PoolAttrs): Conv2DInfo {
  return tf.backend_util.computePool2DInfo(x.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
}

/**
 * Where each window's maximum was, by the data id of the pooled input: the forward pass records
 * it, so the gradient (which tfjs calls with the same input and output) only scatters `dy`. A
 * gradient for another output of that input recomputes the maxima (native/conv.cc's maxPoolGrad).
 */
const argmaxOf = new WeakMap<object, { output: object; argmax: Int32Array }>();

/** MaxPool (recording where each maximum was, for its gradient) or AvgPool. */
function pool(addon: NativeAddon, fallback: NativeKernelFunc, kind: 'max' | 'avg'): NativeKernelFunc {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const xv = float32Of(args.backend, x);
    if (xv === undefined) return fallback(args);
    const info = poolInfo(x, args.attrs as PoolAttrs);
    const shape = [info.batchSize, info.outHeight, info.outWidth, info.inChannels];
    const out = allocateFloat32(sizeOf(shape));
    if (kind === 'avg') {
      addon.avgPool({ ...windows(info), x: xv, out });
      return output(args.backend, shape, 'float32', out);
    }
    const argmax = new Int32Array(out.length);
    addon.maxPool({ ...windows(info), x: xv, out, argmax });
    const result = output(args.backend, shape, 'float32', out);
    argmaxOf.set(x.dataId, { output: result.dataId, argmax });
    return result;
  };
}

function maxPoolGrad(addon: NativeAddon, fallback: NativeKernelFunc): NativeKernelFunc {
  return (args) => {
    const { dy, input, output: pooled } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo; output: tf.TensorInfo };
    const [xv, dyv] = [float32Of(args.backend, input), float32Of(args.backend, dy)];
    if (xv === undefined || dyv === undefined) return fallback(args);
    const dx = allocateFloat32(sizeOf(input.shape));
    const recorded = argmaxOf.get(input.dataId);
    if (recorded !== undefined && recorded.output === pooled.dataId && recorded.argmax.length === dyv.length) {
      dx.fill(0);
      const { argmax } = recorded;
      for (let i = 0; i < argmax.length; i++) {
        const at = argmax[i]!;
        if (at >= 0) dx[at] = dx[at]! + dyv[i]!;
      }
    } else {
      addon.maxPoolGrad({ ...windows(poolInfo(input, args.attrs as PoolAttrs)), x: xv, dy: dyv, dx });
    }
    return output(args.backend, [...input.shape], 'float32', dx);
  };
}

function avgPoolGrad(addon: NativeAddon, fallback: NativeKernelFunc): NativeKernelFunc {
  return (args) => {
    const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
    const dyv = float32Of(args.backend, dy);
    if (dyv === undefined) return fallback(args);
    const dx = allocateFloat32(sizeOf(input.shape));
    addon.avgPoolGrad({ ...windows(poolInfo(input, args.attrs as PoolAttrs)), dy: dyv, dx });
    return output(args.backend, [...input.shape], 'float32', dx);
  };
}

const kernel = (kernelName: string, make: (addon: NativeAddon, fallback: NativeKernelFunc) => NativeKernelFunc): NativeKernel => ({
  kernelName,
  create: (addon, fallback) => make(addon, needFallback(kernelName, fallback)),
});

export const convKernels: NativeKernel[] = [
  kernel(tf.Conv2D, (addon, fallback) => convolution(addon, fallback, false)),
  kernel(tf.FusedConv2D, (addon, fallback) => convolution(addon, fallback, true)),
  kernel(tf.Conv2DBackpropInput, inputGradient),
  kernel(tf.Conv2DBackpropFilter, filterGradient),
  kernel(tf.MaxPool, (addon, fallback) => pool(addon, fallback, 'max')),
  kernel(tf.MaxPoolGrad, maxPoolGrad),
  kernel(tf.AvgPool, (addon, fallback) => pool(addon, fallback, 'avg')),
  kernel(tf.AvgPoolGrad, avgPoolGrad),
];

