// Shared by this package's tests only (not exported from index.ts).
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@dl4ts/core';
import type { Layer } from '@dl4ts/core';
import type { GradientCheckResult } from '@dl4ts/core/testing';
import { buildLayer, checkGradients, inferenceContext, initialValues, registryWith } from '@dl4ts/core/testing';
import { registerLosses } from '@dl4ts/losses';
import { registerUpdaters } from '@dl4ts/updaters';
import { registerCnn } from './register-cnn';

/** Every component the tests use: this package's layers, @dl4ts/layers, losses and updaters. */
export const testRegistry = registryWith(registerCnn, registerLosses, registerUpdaters);

/** Seeded `N(0, 1)` values. */
export function normalValues(seed: number, n: number): number[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => rng.normal());
}

/** A layer built on `inputShape`, with its declared parameters filled by their initialisers. */
export function builtLayer(config: Record<string, unknown>, inputShape: readonly number[]): { layer: Layer; outputShape: readonly number[]; params: Record<string, tf.Tensor> } {
  const { layer, outputShape, declarations } = buildLayer(testRegistry, { name: 'l', ...config }, inputShape);
  return { layer, outputShape, params: initialValues(declarations) };
}

/**
 * Finite differences against autodiff for the input and every parameter of a layer, on
 * `sum(forward(x, params) * r)` with `r` a seeded random projection (so that every output counts).
 * Disposes what it makes, not `x` or `params`.
 */
export async function layerGradientCheck(layer: Layer, x: tf.Tensor, params: Record<string, tf.Tensor> = {}, seed = 99): Promise<GradientCheckResult> {
  const names = Object.keys(params);
  const forward = (input: tf.Tensor, values: readonly tf.Tensor[]) => layer.forward(input, Object.fromEntries(names.map((n, i) => [n, values[i] as tf.Tensor])), inferenceContext());
  const y0 = tf.tidy(() => forward(x, names.map((n) => params[n] as tf.Tensor)));
  const projection = normalValues(seed, y0.size);
  const r = tf.tensor(projection, y0.shape);
  // Rounding noise of a float32 central difference: f sums terms of total magnitude S, each
  // evaluation off by up to about S u, so (f(x + h) - f(x - h)) / 2h by S u / h; a difference within
  // four times that is noise, not a wrong gradient.
  const magnitude = Array.from(await y0.data()).reduce((sum, y, i) => sum + Math.abs(y * (projection[i] as number)), 0);
  y0.dispose();
  const h = 1e-2;
  try {
    return await checkGradients(([input, ...values]) => tf.sum(tf.mul(forward(input as tf.Tensor, values), r)), [x, ...names.map((n) => params[n] as tf.Tensor)], { epsilon: h, absoluteTolerance: (4 * magnitude * 2 ** -24) / h });
  } finally {
    r.dispose();
  }
}
