import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { attrsOf, heapOf } from './heap-access';

/** `Conv2DBackpropFilter`'s attributes (tfjs's `Conv2DBackpropFilterAttrs`). */
interface FilterGradientAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

/**
 * `Conv2DBackpropFilter`, which tfjs-backend-wasm 4.22 lacks (so no convolution could train on
 * wasm): the gradient of a convolution's filter, `dW[a, e, c, o] = sum_{n, i, j} x[n, i s + a - top,
 * j s + e - left, c] dy[n, i, j, o]`, as one matrix product: the input's windows laid out as rows
 * (im2col, `[n oh ow, kh kw cIn]`, zeros for padding), transposed, times `dy` as
 * `[n oh ow, cOut]`, through the backend's own `BatchMatMul` (XNNPACK). NHWC, dilation 1 (what
 * tfjs's convolution gradients call it with).
 */
export const conv2dBackpropFilter: KernelFunc = (args) => {
  const backend = heapOf(args);
  const x = args.inputs.x as TensorInfo;
  const dy = args.inputs.dy as TensorInfo;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrsOf<FilterGradientAttrs>(args);
  if (dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropFilter (wasm, @dl4ts/backend-wasm): data format ${dataFormat}, only NHWC is implemented`);
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  const rows = batchSize * outHeight * outWidth;
  const width = filterHeight * filterWidth * inChannels;
  const cols = backend.makeOutput([1, rows, width], 'float32');
  // Views after every allocation: growing the heap detaches earlier ones.
  const out = backend.typedArrayFromHeap(cols) as Float32Array;
  const input = backend.typedArrayFromHeap(x) as Float32Array;
  let row = 0;
  for (let n = 0; n < batchSize; n++) {
    for (let i = 0; i < outHeight; i++) {
      for (let j = 0; j < outWidth; j++, row++) {
        let at = row * width;
        for (let a = 0; a < filterHeight; a++) {
          const r = i * strideHeight + a - padInfo.top;
          if (r < 0 || r >= inHeight) {
            out.fill(0, at, at + filterWidth * inChannels);
            at += filterWidth * inChannels;
            continue;
          }
          for (let e = 0; e < filterWidth; e++, at += inChannels) {
            const q = j * strideWidth + e - padInfo.left;
            if (q < 0 || q >= inWidth) out.fill(0, at, at + inChannels);
            else {
              const from = ((n * inHeight + r) * inWidth + q) * inChannels;
              out.set(input.subarray(from, from + inChannels), at);
            }
          }
        }
      }
    }
  }
  const matMul = tf.getKernel('BatchMatMul', 'wasm');
  if (matMul === undefined) throw new Error('Conv2DBackpropFilter (wasm): the BatchMatMul kernel is not registered');
  const gradient = matMul.kernelFunc({
    inputs: { a: cols, b: { ...dy, shape: [1, rows, outChannels] } },
    attrs: { transposeA: true, transposeB: false },
    backend: args.backend,
  }) as TensorInfo;
  backend.disposeData(cols.dataId);
  return { ...gradient, shape: [...filterShape] };
};

/** `MaxPoolGrad`'s attributes (tfjs's `MaxPoolGradAttrs`). */
interface MaxPoolGradAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * `MaxPoolGrad` replacing tfjs-backend-wasm 4.22's, which drops gradient where windows meet the
 * input's last row or column in some shapes (found by the conformance suite: max pooling 2x2 of a
 * [2, 4, 6, 2] batch lost the last window's gradient). Each window's gradient goes to its first
 * maximum, as tfjs's cpu kernel does, read through views of the heap.
 */
export const maxPoolGrad: KernelFunc = (args) => {
  const backend = heapOf(args);
  const x = args.inputs.input as TensorInfo;
  const dy = args.inputs.dy as TensorInfo;
  const { filterSize, strides, pad, dimRoundingMode } = attrsOf<MaxPoolGradAttrs>(args);
  const info = tf.backend_util.computePool2DInfo(x.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  const dx = backend.makeOutput([...x.shape], 'float32');
  const out = backend.typedArrayFromHeap(dx) as Float32Array;
  const input = backend.typedArrayFromHeap(x) as Float32Array;
  const gradient = backend.typedArrayFromHeap(dy) as Float32Array;
  out.fill(0);
  let g = 0;
  for (let n = 0; n < batchSize; n++) {
    for (let i = 0; i < outHeight; i++) {
      for (let j = 0; j < outWidth; j++) {
        for (let c = 0; c < inChannels; c++, g++) {
          let best = -Infinity;
          let at = -1;
          for (let a = 0; a < filterHeight; a++) {
            const r = i * strideHeight + a - padInfo.top;
            if (r < 0 || r >= inHeight) continue;
            for (let e = 0; e < filterWidth; e++) {
              const q = j * strideWidth + e - padInfo.left;
              if (q < 0 || q >= inWidth) continue;
              const k = ((n * inHeight + r) * inWidth + q) * inChannels + c;
              if ((input[k] as number) > best || at < 0) {
                best = input[k] as number;
                at = k;
              }
            }
          }
          if (at >= 0) out[at] = (out[at] as number) + (gradient[g] as number);
        }
      }
    }
  }
  return dx;
};
