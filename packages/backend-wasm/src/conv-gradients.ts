import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelArgs } from './heap-access';
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

/** `op(a) op(b)` through the wasm backend's registered `BatchMatMul` (XNNPACK, with dl4ts's transpose fix). */
function product(args: KernelArgs, a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): TensorInfo {
  const matMul = tf.getKernel('BatchMatMul', 'wasm');
  if (matMul === undefined) throw new Error('@dl4ts/backend-wasm convolution gradients: the BatchMatMul kernel is not registered');
  return matMul.kernelFunc({ inputs: { a, b }, attrs: { transposeA, transposeB }, backend: args.backend }) as TensorInfo;
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
  const gradient = product(args, cols, { ...dy, shape: [1, rows, info.outChannels] }, true, false);
  backend.disposeData(cols.dataId);
  return { ...gradient, shape: [...filterShape] };
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
    const cols = product(args, { ...dy, shape: [1, rows, info.outChannels] }, { ...filter, shape: [1, width, info.outChannels] }, false, true);
    const dx = backend.makeOutput([...inputShape], 'float32');
    col2im(backend.typedArrayFromHeap(cols) as Float32Array, backend.typedArrayFromHeap(dx) as Float32Array, info);
    backend.disposeData(cols.dataId);
    return dx;
  };
}
