// The two gradients of a depthwise convolution, which tfjs-backend-wasm 4.22 lacks (so no
// depthwise or separable convolution could train on wasm): loops over views of the heap, NHWC.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { attrsOf, heapOf } from './heap-access';

type Padding = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil';

/**
 * Calls `visit(x index, filter index, dy index)` for every product term of the depthwise
 * convolution: `y[n, i, j, c m + k] += x[n, i s + a d - top, j s + e d - left, c] W[a, e, c, k]`.
 */
function forEachTerm(info: tf.backend_util.Conv2DInfo, visit: (x: number, w: number, y: number) => void): void {
  const m = info.outChannels / info.inChannels;
  for (let n = 0; n < info.batchSize; n++) {
    for (let i = 0; i < info.outHeight; i++) {
      for (let j = 0; j < info.outWidth; j++) {
        const y0 = ((n * info.outHeight + i) * info.outWidth + j) * info.outChannels;
        for (let a = 0; a < info.filterHeight; a++) {
          const r = i * info.strideHeight + a * info.dilationHeight - info.padInfo.top;
          if (r < 0 || r >= info.inHeight) continue;
          for (let e = 0; e < info.filterWidth; e++) {
            const q = j * info.strideWidth + e * info.dilationWidth - info.padInfo.left;
            if (q < 0 || q >= info.inWidth) continue;
            const x0 = ((n * info.inHeight + r) * info.inWidth + q) * info.inChannels;
            const w0 = (a * info.filterWidth + e) * info.inChannels * m;
            for (let c = 0; c < info.inChannels; c++) for (let k = 0; k < m; k++) visit(x0 + c, w0 + c * m + k, y0 + c * m + k);
          }
        }
      }
    }
  }
}

/** The attributes both gradients share (tfjs's depthwise gradient attributes). */
interface DepthwiseAttrs {
  strides: number | [number, number];
  dilations: number | [number, number];
  pad: Padding;
  dimRoundingMode?: Rounding;
}

/** The depthwise convolution's geometry from the kernel call's attributes. */
function depthwiseInfo(args: Parameters<KernelFunc>[0], inputShape: [number, number, number, number], filterShape: [number, number, number, number]): tf.backend_util.Conv2DInfo {
  const { strides, dilations, pad, dimRoundingMode } = attrsOf<DepthwiseAttrs>(args);
  return tf.backend_util.computeConv2DInfo(inputShape, filterShape, strides, dilations, pad, dimRoundingMode, true);
}

/** `DepthwiseConv2dNativeBackpropInput`: `dx[x] = sum dy[y] W[w]` over the terms that read `x`. */
export const depthwiseBackpropInput: KernelFunc = (args) => {
  const backend = heapOf(args);
  const dy = args.inputs.dy as TensorInfo;
  const filter = args.inputs.filter as TensorInfo;
  const { inputShape } = attrsOf<{ inputShape: [number, number, number, number] }>(args);
  const info = depthwiseInfo(args, inputShape, filter.shape as [number, number, number, number]);
  const dx = backend.makeOutput([...inputShape], 'float32');
  const out = backend.typedArrayFromHeap(dx) as Float32Array;
  const [g, w] = [backend.typedArrayFromHeap(dy) as Float32Array, backend.typedArrayFromHeap(filter) as Float32Array];
  out.fill(0);
  forEachTerm(info, (xi, wi, yi) => (out[xi] = (out[xi] as number) + (g[yi] as number) * (w[wi] as number)));
  return dx;
};

/** `DepthwiseConv2dNativeBackpropFilter`: `dW[w] = sum x[x] dy[y]` over the terms that use `w`. */
export const depthwiseBackpropFilter: KernelFunc = (args) => {
  const backend = heapOf(args);
  const x = args.inputs.x as TensorInfo;
  const dy = args.inputs.dy as TensorInfo;
  const { filterShape } = attrsOf<{ filterShape: [number, number, number, number] }>(args);
  const info = depthwiseInfo(args, x.shape as [number, number, number, number], filterShape);
  const dw = backend.makeOutput([...filterShape], 'float32');
  const out = backend.typedArrayFromHeap(dw) as Float32Array;
  const [xs, g] = [backend.typedArrayFromHeap(x) as Float32Array, backend.typedArrayFromHeap(dy) as Float32Array];
  out.fill(0);
  forEachTerm(info, (xi, wi, yi) => (out[wi] = (out[wi] as number) + (xs[xi] as number) * (g[yi] as number)));
  return dw;
};
