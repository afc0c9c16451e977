// Shared by this package's tests only (not exported from index.ts).
import { Rng } from '@dl4ts/core';
import type { BuildContext, ForwardContext, ParamDeclaration, Registry } from '@dl4ts/core';
import { inferenceContext, recordingBuildContext } from '@dl4ts/core/testing';
import { exampleRegistry } from './example-model';

/** Core, `@dl4ts/layers` and this plugin, registered by explicit calls. */
export const registry: Registry = exampleRegistry();

/** A build context that records declarations, resolving components as Network does (core's testing kit). */
export function buildContext(): { context: BuildContext; declarations: ParamDeclaration[] } {
  return recordingBuildContext(registry);
}

/** An inference-mode forward context. */
export const inference: ForwardContext = inferenceContext();

export { values } from '@dl4ts/core/testing';

/** Logistic sigmoid in float64. */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Row-major matrix product of plain arrays, in float64. */
export function matMul(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): number[][] {
  return a.map((row) => (b[0] as readonly number[]).map((_, j) => row.reduce((sum, v, k) => sum + v * ((b[k] as readonly number[])[j] as number), 0)));
}

/**
 * Seeded values uniform in [low, high), as a plain matrix, rounded to float32 so that a tensor of
 * them and the float64 reference start from exactly the same numbers.
 */
export function randomMatrix(rows: number, cols: number, seed: number, low = -1, high = 1): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => Math.fround(rng.uniformRange(low, high))));
}
