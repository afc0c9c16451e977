// Pooling gradients replacing tfjs-backend-wasm 4.22's, which are wrong: loops over heap views, NHWC.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelArgs } from './heap-access';
import { attrsOf, heapOf } from './heap-access';

/** The pooling gradients' attributes (tfjs's `MaxPoolGradAttrs`, `AvgPoolGradAttrs`). */
interface PoolGradAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** Views of the heap a pooling gradient reads and writes. */
interface Views {
  readonly dx: Float32Array;
  readonly x: Float32Array;
  readonly dy: Float32Array;
}

/**
 * A zeroed `dx` the shape of the pooled input, after `visit` has run for every window and channel
 * of the output: `g` its index in `dy`, and `inputs` the indices in `x` and `dx` of the values it
 * covers inside the image (padding left out).
 */
function eachWindow(args: KernelArgs, visit: (views: Views, g: number, inputs: number[]) => void): TensorInfo {
  const backend = heapOf(args);
  const input = args.inputs.input as TensorInfo;
  const dy = args.inputs.dy as TensorInfo;
  const { filterSize, strides, pad, dimRoundingMode } = attrsOf<PoolGradAttrs>(args);
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const dx = backend.makeOutput([...input.shape], 'float32');
  // Views after every allocation: growing the heap detaches earlier ones.
  const views: Views = { dx: backend.typedArrayFromHeap(dx) as Float32Array, x: backend.typedArrayFromHeap(input) as Float32Array, dy: backend.typedArrayFromHeap(dy) as Float32Array };
  views.dx.fill(0);
  const { inHeight, inWidth, inChannels } = info;
  const inputs: number[] = [];
  let g = 0;
  for (let n = 0; n < info.batchSize; n++) {
    for (let i = 0; i < info.outHeight; i++) {
      const top = i * info.strideHeight - info.padInfo.top;
      for (let j = 0; j < info.outWidth; j++) {
        const left = j * info.strideWidth - info.padInfo.left;
        for (let c = 0; c < inChannels; c++, g++) {
          inputs.length = 0;
          for (let r = Math.max(top, 0); r < Math.min(top + info.filterHeight, inHeight); r++) {
            for (let q = Math.max(left, 0); q < Math.min(left + info.filterWidth, inWidth); q++) inputs.push(((n * inHeight + r) * inWidth + q) * inChannels + c);
          }
          visit(views, g, inputs);
        }
      }
    }
  }
  return dx;
}

/**
 * `MaxPoolGrad` replacing tfjs-backend-wasm 4.22's, which drops gradient where windows meet the
 * input's last row or column in some shapes (found by the conformance suite: max pooling 2x2 of a
 * [2, 4, 6, 2] batch lost the last window's gradient). Each window's gradient goes to its first
 * maximum, as tfjs's cpu kernel does.
 */
export const maxPoolGrad: KernelFunc = (args) =>
  eachWindow(args, ({ dx, x, dy }, g, inputs) => {
    let best = -1;
    for (const k of inputs) if (best < 0 || (x[k] as number) > (x[best] as number)) best = k;
    if (best >= 0) dx[best] = (dx[best] as number) + (dy[g] as number);
  });

/**
 * `AvgPoolGrad` replacing tfjs-backend-wasm 4.22's, which (as tfjs-backend-cpu's) divides each
 * window's gradient by the whole window even where `'same'` padding left part of it outside the
 * image, while the forward pass divides by the inputs inside: not the gradient of the forward pass
 * at the edges. This one spreads each window's gradient evenly over the inputs it averaged.
 */
export const avgPoolGrad: KernelFunc = (args) =>
  eachWindow(args, ({ dx, dy }, g, inputs) => {
    const share = (dy[g] as number) / inputs.length;
    for (const k of inputs) dx[k] = (dx[k] as number) + share;
  });
