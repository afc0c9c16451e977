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

/** Geometry fields the layout loops read (tfjs's `Conv2DInfo`). */
type Windows = Pick<tf.backend_util.Conv2DInfo, 'batchSize' | 'inHeight' | 'inWidth' | 'inChannels' | 'outHeight' | 'outWidth' | 'filterHeight' | 'filterWidth' | 'strideHeight' | 'strideWidth' | 'padInfo'>;

/**
 * Visits every tap of every window: `visit(row offset in the columns, input offset or -1 in the
 * padding)`, each covering `inChannels` contiguous values on both sides.
 */
function forEachTap(w: Windows, visit: (col: number, at: number) => void): void {
  const width = w.filterHeight * w.filterWidth * w.inChannels;
  let row = 0;
  for (let n = 0; n < w.batchSize; n++) {
    for (let i = 0; i < w.outHeight; i++) {
      for (let j = 0; j < w.outWidth; j++, row++) {
        let col = row * width;
        for (let a = 0; a < w.filterHeight; a++) {
          const r = i * w.strideHeight + a - w.padInfo.top;
          for (let e = 0; e < w.filterWidth; e++, col += w.inChannels) {
            const q = j * w.strideWidth + e - w.padInfo.left;
            visit(col, r < 0 || r >= w.inHeight || q < 0 || q >= w.inWidth ? -1 : ((n * w.inHeight + r) * w.inWidth + q) * w.inChannels);
          }
        }
      }
    }
  }
}

/** The input's windows as rows `[n oh ow, kh kw cIn]`, zeros for padding (im2col). */
function im2col(input: Float32Array, cols: Float32Array, w: Windows): void {
  const c = w.inChannels;
  // One channel (a first layer on grey images): element copies beat a subarray per tap.
  if (c === 1) forEachTap(w, (col, at) => (cols[col] = at < 0 ? 0 : (input[at] as number)));
  else forEachTap(w, (col, at) => (at < 0 ? cols.fill(0, col, col + c) : cols.set(input.subarray(at, at + c), col)));
}

/** Every row of the columns added back onto the input positions its window read (col2im), into a zeroed `dx`. */
function col2im(cols: Float32Array, dx: Float32Array, w: Windows): void {
  const c = w.inChannels;
  dx.fill(0);
  forEachTap(w, (col, at) => {
    if (at < 0) return;
    for (let k = 0; k < c; k++) dx[at + k] = (dx[at + k] as number) + (cols[col + k] as number);
  });
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
  const rows = info.batchSize * info.outHeight * info.outWidth;
  const width = info.filterHeight * info.filterWidth * info.inChannels;
  const cols = backend.makeOutput([1, rows, width], 'float32');
  // Views after every allocation: growing the heap detaches earlier ones.
  im2col(backend.typedArrayFromHeap(x) as Float32Array, backend.typedArrayFromHeap(cols) as Float32Array, info);
  const matMul = tf.getKernel('BatchMatMul', 'wasm');
  if (matMul === undefined) throw new Error('Conv2DBackpropFilter (wasm): the BatchMatMul kernel is not registered');
  const gradient = matMul.kernelFunc({
    inputs: { a: cols, b: { ...dy, shape: [1, rows, info.outChannels] } },
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

/** `Conv2DBackpropInput`'s attributes (tfjs's `Conv2DBackpropInputAttrs`). */
interface InputGradientAttrs {
  inputShape: [number, number, number, number];
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * `Conv2DBackpropInput` replacing tfjs-backend-wasm 4.22's, a direct loop that took 85 ms for one
 * 64-image minibatch of LeNet's second convolution: the output gradient `[n oh ow, cOut]` times the
 * kernel transposed (one XNNPACK product) gives each window's gradient, which col2im adds back onto
 * the image (10 ms). The stock kernel still runs NCHW data.
 */
export function conv2dBackpropInput(stock: KernelFunc): KernelFunc {
  return (args) => {
    const { inputShape, strides, pad, dataFormat, dimRoundingMode } = attrsOf<InputGradientAttrs>(args);
    if (dataFormat !== 'NHWC') return stock(args);
    const backend = heapOf(args);
    const dy = args.inputs.dy as TensorInfo;
    const filter = args.inputs.filter as TensorInfo;
    const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode);
    const rows = info.batchSize * info.outHeight * info.outWidth;
    const width = info.filterHeight * info.filterWidth * info.inChannels;
    const matMul = tf.getKernel('BatchMatMul', 'wasm');
    if (matMul === undefined) throw new Error('Conv2DBackpropInput (wasm): the BatchMatMul kernel is not registered');
    const cols = matMul.kernelFunc({
      inputs: { a: { ...dy, shape: [1, rows, info.outChannels] }, b: { ...filter, shape: [1, width, info.outChannels] } },
      attrs: { transposeA: false, transposeB: true },
      backend: args.backend,
    }) as TensorInfo;
    const dx = backend.makeOutput([...inputShape], 'float32');
    col2im(backend.typedArrayFromHeap(cols) as Float32Array, backend.typedArrayFromHeap(dx) as Float32Array, info);
    backend.disposeData(cols.dataId);
    return dx;
  };
}

/**
 * `AvgPoolGrad` replacing tfjs-backend-wasm 4.22's, which (as tfjs-backend-cpu's) divides each
 * window's gradient by the whole window even where `'same'` padding left part of it outside the
 * image, while the forward pass divides by the inputs inside: not the gradient of the forward pass
 * at the edges. This one spreads each window's gradient evenly over the inputs it averaged.
 */
export const avgPoolGrad: KernelFunc = (args) => {
  const backend = heapOf(args);
  const x = args.inputs.input as TensorInfo;
  const dy = args.inputs.dy as TensorInfo;
  const { filterSize, strides, pad, dimRoundingMode } = attrsOf<MaxPoolGradAttrs>(args);
  const info = tf.backend_util.computePool2DInfo(x.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const dx = backend.makeOutput([...x.shape], 'float32');
  const out = backend.typedArrayFromHeap(dx) as Float32Array;
  const gradient = backend.typedArrayFromHeap(dy) as Float32Array;
  out.fill(0);
  const c = info.inChannels;
  for (let n = 0; n < info.batchSize; n++) {
    for (let i = 0; i < info.outHeight; i++) {
      const r0 = Math.max(i * info.strideHeight - info.padInfo.top, 0);
      const r1 = Math.min(i * info.strideHeight - info.padInfo.top + info.filterHeight, info.inHeight);
      for (let j = 0; j < info.outWidth; j++) {
        const q0 = Math.max(j * info.strideWidth - info.padInfo.left, 0);
        const q1 = Math.min(j * info.strideWidth - info.padInfo.left + info.filterWidth, info.inWidth);
        const count = (r1 - r0) * (q1 - q0);
        if (count <= 0) continue;
        const g = ((n * info.outHeight + i) * info.outWidth + j) * c;
        for (let r = r0; r < r1; r++) {
          for (let q = q0; q < q1; q++) {
            const at = ((n * info.inHeight + r) * info.inWidth + q) * c;
            for (let k = 0; k < c; k++) out[at + k] = (out[at + k] as number) + (gradient[g + k] as number) / count;
          }
        }
      }
    }
  }
  return dx;
};
