import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { HeapBackend } from './heap-access';
import { attrsOf, heapOf, shapeOnly } from './heap-access';

/**
 * `Slice` reading its input through a view of the wasm heap. The stock kernel starts with
 * `readSync`, which copies the whole input out of the heap, so each slice costs the size of its
 * input: unstacking T steps of a sequence copied the sequence T times (quadratic in T). This one
 * copies only the slice, one contiguous run at a time.
 */
export function viewSlice(stock: KernelFunc): KernelFunc {
  return (args) => {
    const x = args.inputs.x as TensorInfo;
    if (x.dtype === 'string' || x.shape.length === 0) return stock(args);
    const { begin, size } = attrsOf<{ begin: number | number[]; size?: number | number[] }>(args);
    const [b, s] = tf.slice_util.parseSliceParams(shapeOnly(x), begin as number[], size as number[]) as [number[], number[]];
    return copySlice(heapOf(args), x, b, s);
  };
}

/** `Unpack` (unstack) as slices through {@link viewSlice}'s copy, for the same reason. */
export function viewUnpack(stock: KernelFunc): KernelFunc {
  return (args) => {
    const value = args.inputs.value as TensorInfo;
    if (value.dtype === 'string') return stock(args);
    const rank = value.shape.length;
    const axis = (attrsOf<{ axis: number }>(args).axis + rank) % rank;
    const size = [...value.shape];
    size[axis] = 1;
    const outShape = value.shape.filter((_, i) => i !== axis);
    return Array.from({ length: value.shape[axis] as number }, (_, i) => {
      const begin = value.shape.map((_, d) => (d === axis ? i : 0));
      const out = copySlice(heapOf(args), value, begin, size);
      return { ...out, shape: outShape };
    });
  };
}

function copySlice(backend: HeapBackend, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  if (tf.util.sizeFromShape(size) === 0) return out;
  // Views after makeOutput: an allocation may grow the heap and detach earlier views.
  const from = backend.typedArrayFromHeap(x);
  const to = backend.typedArrayFromHeap(out);
  const rank = x.shape.length;
  const strides = [...tf.util.computeStrides(x.shape), 1];
  // Trailing axes taken whole merge into one contiguous run.
  let inner = rank - 1;
  let run = size[rank - 1] as number;
  while (inner > 0 && size[inner] === x.shape[inner]) {
    inner--;
    run *= size[inner] as number;
  }
  let written = 0;
  const copy = (axis: number, offset: number): void => {
    if (axis === inner) {
      const start = offset + (begin[axis] as number) * (strides[axis] as number);
      to.set(from.subarray(start, start + run), written);
      written += run;
      return;
    }
    for (let i = begin[axis] as number; i < (begin[axis] as number) + (size[axis] as number); i++) copy(axis + 1, offset + i * (strides[axis] as number));
  };
  copy(0, 0);
  return out;
}

/**
 * `GatherV2` copying whole rows through views of the wasm heap. The stock kernel walks every
 * element through its strides: gathering a 128-row minibatch of 784 features took as long as the
 * step's largest matrix product. This one copies each gathered slice (`sliceSize` contiguous
 * values) with one `set`, and checks the indices as the stock kernel does.
 */
export function viewGather(stock: KernelFunc): KernelFunc {
  return (args) => {
    const x = args.inputs.x as TensorInfo;
    const indices = args.inputs.indices as TensorInfo;
    if (x.dtype === 'string' || indices.dtype !== 'int32') return stock(args);
    const { axis, batchDims } = attrsOf<{ axis: number; batchDims: number }>(args);
    const parsedAxis = tf.util.parseAxisParam(axis, x.shape)[0] as number;
    const info = tf.backend_util.segment_util.collectGatherOpShapeInfo(shapeOnly(x), shapeOnly(indices), parsedAxis, batchDims);
    const backend = heapOf(args);
    const out = backend.makeOutput(info.outputShape, x.dtype);
    const perBatch = tf.util.sizeFromShape(indices.shape) / info.batchSize;
    // Views after makeOutput: an allocation may grow the heap and detach earlier views.
    const index = backend.typedArrayFromHeap(indices);
    const axisDim = x.shape[parsedAxis] as number;
    for (let i = 0; i < index.length; i++) {
      const value = index[i] as number;
      if (!(value >= 0 && value <= axisDim - 1)) throw new Error(`GatherV2: the index value ${value} is not in [0, ${axisDim - 1}]`);
    }
    if (tf.util.sizeFromShape(info.outputShape) === 0) return out;
    const from = backend.typedArrayFromHeap(x);
    const to = backend.typedArrayFromHeap(out);
    const { batchSize, outerSize, dimSize, sliceSize } = info;
    let written = 0;
    for (let b = 0; b < batchSize; b++) {
      for (let o = 0; o < outerSize; o++) {
        const base = (b * outerSize + o) * dimSize * sliceSize;
        for (let j = 0; j < perBatch; j++) {
          const start = base + (index[b * perBatch + j] as number) * sliceSize;
          to.set(from.subarray(start, start + sliceSize), written);
          written += sliceSize;
        }
      }
    }
    return out;
  };
}

/**
 * `UnsortedSegmentSum`, which tfjs-backend-wasm 4.22 lacks: the gradient of every `gather` (an
 * embedding lookup, for one) asks for it, so without it no embedding could train on wasm. Row `i`
 * of `x` (the trailing axes past those of `segmentIds`) is added into row `segmentIds[i]` of the
 * `[numSegments, ...]` output; ids outside `[0, numSegments)` are dropped, as TensorFlow does.
 */
export const unsortedSegmentSum: KernelFunc = (args) => {
  const x = args.inputs.x as TensorInfo;
  const segmentIds = args.inputs.segmentIds as TensorInfo;
  const { numSegments } = attrsOf<{ numSegments: number }>(args);
  if (x.dtype !== 'float32' && x.dtype !== 'int32') throw new Error(`UnsortedSegmentSum: received dtype ${x.dtype}; expected float32 or int32`);
  const ids = tf.util.sizeFromShape(segmentIds.shape);
  const rowSize = ids === 0 ? 0 : tf.util.sizeFromShape(x.shape) / ids;
  const backend = heapOf(args);
  const out = backend.makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], x.dtype);
  // Views after makeOutput: an allocation may grow the heap and detach earlier views.
  const to = backend.typedArrayFromHeap(out);
  to.fill(0);
  const from = backend.typedArrayFromHeap(x);
  const segment = backend.typedArrayFromHeap(segmentIds);
  for (let i = 0; i < ids; i++) {
    const s = segment[i] as number;
    if (!(s >= 0 && s < numSegments)) continue;
    const target = s * rowSize;
    const source = i * rowSize;
    for (let k = 0; k < rowSize; k++) (to[target + k] as number) += from[source + k] as number;
  }
  return out;
};
