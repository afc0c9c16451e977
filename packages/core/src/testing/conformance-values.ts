import * as tf from '@tensorflow/tfjs-core';
import type { ArrayValue } from './conformance-cases';
import { normals } from './conformance-cases';

/** Values computed on one backend: outputs, then gradients. */
export type Computed = { readonly outputs: Float32Array; readonly gradients: readonly Float32Array[] };

/** One component the suite computes on each backend. */
export type ConformanceCase = { readonly kind: 'activation' | 'loss' | 'layer' | 'vertex'; readonly name: string; readonly compute: () => Promise<Computed> };
/** Gradients of `sum(f(x) * w)` for a fixed random `w`, so every output contributes differently. */
export function weightedGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], outShape: readonly number[]): tf.Tensor[] {
  const w = tensorOf(normals(97, outShape));
  // The zero terms connect every input to the result: a parameter the forward pass does not use
  // (an RBM's visible bias) gets a zero gradient instead of an error from tf.grads.
  const grads = tf.grads((...xs: tf.Tensor[]) => tf.addN([tf.sum(tf.mul(f(...xs), w)), ...xs.map((x) => tf.mul(0, tf.sum(x)))]))(inputs);
  w.dispose();
  return grads;
}


export const tensorOf = (a: ArrayValue) => tf.tensor(a.values, [...a.shape], 'float32');

/** Reads outputs and gradients (asynchronously: WebGPU cannot read synchronously) and frees them. */
export async function read(outputs: tf.Tensor, gradients: readonly tf.Tensor[]): Promise<Computed> {
  const all = [outputs, ...gradients];
  const values = await Promise.all(all.map(async (t) => Float32Array.from((await t.data()) as Float32Array)));
  tf.dispose(all);
  return { outputs: values[0]!, gradients: values.slice(1) };
}

/** Worst absolute difference and whether every element is within tolerance (NaN or a length mismatch fails). */
export function difference(actual: Float32Array, expected: Float32Array, { atol, rtol }: { atol: number; rtol: number }): { ok: boolean; worst: number } {
  if (actual.length !== expected.length) return { ok: false, worst: Number.POSITIVE_INFINITY };
  let scale = 1;
  for (const e of expected) scale = Math.max(scale, Math.abs(e));
  let ok = true;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const error = Math.abs(actual[i]! - expected[i]!);
    // Written so that NaN fails: NaN <= x is false.
    if (!(error <= atol * scale + rtol * Math.abs(expected[i]!))) ok = false;
    if (!(error <= worst)) worst = error;
  }
  return { ok, worst };
}
