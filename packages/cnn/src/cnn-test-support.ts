// Shared by this package's tests only (not exported from index.ts).
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@dl4ts/core';
import type { Layer } from '@dl4ts/core';
import { buildLayer, initialValues, registryWith } from '@dl4ts/core/testing';
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
