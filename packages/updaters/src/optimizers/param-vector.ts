import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor1D } from '@tensorflow/tfjs-core';
import { ShapeError } from '@dl4ts/core';

/** How a map of parameters lays out as one flat vector: names in order, shapes and sizes. */
export interface ParamLayout {
  readonly names: readonly string[];
  readonly shapes: readonly (readonly number[])[];
  readonly sizes: readonly number[];
  /** Total number of elements. */
  readonly size: number;
}

/** The layout of a parameter map, in its iteration order. */
export function paramLayout(params: ReadonlyMap<string, Tensor>): ParamLayout {
  const names = [...params.keys()];
  const shapes = names.map((n) => [...(params.get(n) as Tensor).shape]);
  const sizes = names.map((n) => (params.get(n) as Tensor).size);
  return { names, shapes, sizes, size: sizes.reduce((a, b) => a + b, 0) };
}

/** Whether two layouts have the same names and shapes, in the same order. */
export function sameLayout(a: ParamLayout, b: ParamLayout): boolean {
  return a.names.length === b.names.length && a.names.every((n, i) => n === b.names[i] && tf.util.arraysEqual([...(a.shapes[i] as number[])], [...(b.shapes[i] as number[])]));
}

/** Concatenates the layout's tensors from `values` into one float32 vector. Caller disposes. */
export function flatten(layout: ParamLayout, values: ReadonlyMap<string, Tensor>): Tensor1D {
  return tf.tidy(() => {
    const parts = layout.names.map((name, i) => {
      const t = values.get(name);
      if (t === undefined) throw new ShapeError(`flatten: no value for parameter "${name}"`);
      if (t.size !== layout.sizes[i]) throw new ShapeError(`flatten: "${name}" has ${t.size} values, expected ${layout.sizes[i]}`, t.shape, layout.shapes[i]);
      return tf.reshape(tf.cast(t, 'float32'), [-1]);
    });
    return parts.length === 1 ? (tf.clone(parts[0] as Tensor) as Tensor1D) : (tf.concat(parts) as Tensor1D);
  });
}

/** Splits a flat vector back into parameter tensors of the layout's shapes. Caller disposes. */
export function unflatten(layout: ParamLayout, vector: Tensor1D): Map<string, Tensor> {
  const pieces = layout.names.length === 1 ? [tf.clone(vector)] : tf.split(vector, [...layout.sizes]);
  const result = new Map<string, Tensor>();
  layout.names.forEach((name, i) => {
    const piece = pieces[i] as Tensor;
    result.set(name, tf.reshape(piece, [...(layout.shapes[i] as number[])]));
    piece.dispose();
  });
  return result;
}

/** Reads a scalar tensor (a small synchronous read: line searches compare scores on the host). */
export function readScalar(t: Tensor): number {
  return t.dataSync()[0] as number;
}

/** `a'b` as a host number. */
export function dot(a: Tensor1D, b: Tensor1D): number {
  return tf.tidy(() => readScalar(tf.sum(tf.mul(a, b))));
}

/** `a'b` as a scalar tensor, without a device read. */
export function dotTensor(a: Tensor1D, b: Tensor1D): tf.Scalar {
  return tf.sum(tf.mul(a, b)) as tf.Scalar;
}

/** `w + step * d`. Caller disposes. */
export function axpy(w: Tensor1D, step: number, d: Tensor1D): Tensor1D {
  return tf.tidy(() => tf.add(w, tf.mul(d, step)) as Tensor1D);
}
