// The graph vertices of the conformance suite: each of core's vertices on fixed inputs (with masks
// where a vertex reads them), its output and the gradients of every input compared across backends.
import * as tf from '@tensorflow/tfjs-core';
import type { Registry } from '../registry';
import { normals } from './conformance-cases';
import type { ConformanceCase } from './conformance-values';
import { read, tensorOf, weightedGrads } from './conformance-values';

/** One vertex checked by the conformance suite. */
export interface VertexCase {
  /** Shown in the report. */
  readonly name: string;
  /** The vertex's config without `name` and `inputs` (`type` is its registry key). */
  readonly vertex: { readonly type: string; readonly [option: string]: unknown };
  /** Each input's shape without the batch dimension. */
  readonly inputs: readonly (readonly number[])[];
  /** Rows in the batch. Default 3. */
  readonly batch?: number;
  /** A mask `[batch, time]` for each input that has one (rows of 1 for real steps, then 0). */
  readonly masks?: readonly (readonly (readonly number[])[] | undefined)[];
}

const PADDED = [
  [1, 1, 1, 0],
  [1, 1, 0, 0],
  [1, 1, 1, 1],
];

/** Every vertex core registers, with inputs that exercise it (masks for the sequence vertices). */
export const DEFAULT_VERTEX_CASES: readonly VertexCase[] = [
  { name: 'merge', vertex: { type: 'core/merge' }, inputs: [[3], [2]] },
  { name: 'merge (channels)', vertex: { type: 'core/merge' }, inputs: [[2, 2, 3], [2, 2, 1]] },
  ...(['add', 'subtract', 'product', 'average', 'max'] as const).map((op) => ({ name: `elementwise ${op}`, vertex: { type: 'core/elementwise', op }, inputs: [[4], [4]] })),
  { name: 'subset', vertex: { type: 'core/subset', from: 1, to: 3 }, inputs: [[5]] },
  { name: 'stack', vertex: { type: 'core/stack' }, inputs: [[4], [4]] },
  { name: 'unstack', vertex: { type: 'core/unstack', from: 1, stackSize: 2 }, inputs: [[4]], batch: 4 },
  { name: 'scale', vertex: { type: 'core/scale', scale: -1.5 }, inputs: [[4]] },
  { name: 'shift', vertex: { type: 'core/shift', shift: 0.25 }, inputs: [[4]] },
  { name: 'l2 distance', vertex: { type: 'core/l2' }, inputs: [[4], [4]] },
  { name: 'l2 normalize', vertex: { type: 'core/l2-normalize' }, inputs: [[2, 3]] },
  { name: 'reshape', vertex: { type: 'core/reshape', shape: [3, -1] }, inputs: [[6]] },
  { name: 'last time step (masked)', vertex: { type: 'core/last-time-step' }, inputs: [[4, 2]], masks: [PADDED] },
  { name: 'duplicate to time series', vertex: { type: 'core/duplicate-to-time-series' }, inputs: [[2], [4, 3]], masks: [undefined, PADDED] },
  { name: 'reverse time series (masked)', vertex: { type: 'core/reverse-time-series' }, inputs: [[4, 2]], masks: [PADDED] },
];

/** A vertex case: the output and the gradient of every input, on the active backend. */
export function vertexCase(registry: Registry, spec: VertexCase): ConformanceCase {
  const batch = spec.batch ?? 3;
  const inputs = spec.inputs.map((shape, k) => normals(131 + k, [batch, ...shape]));
  return {
    kind: 'vertex',
    name: spec.name,
    async compute() {
      const vertex = registry.create('vertex', { ...spec.vertex, name: spec.name, inputs: spec.inputs.map((_, k) => `in${k}`) });
      const outShape = vertex.build(spec.inputs);
      const xs = inputs.map(tensorOf);
      const masks = spec.inputs.map((_, k) => {
        const rows = spec.masks?.[k];
        return rows === undefined ? undefined : tf.tensor2d(rows.map((r) => [...r]));
      });
      const context = { training: false, masks };
      const outputs = tf.tidy(() => vertex.forward(xs, context));
      // The batch of the output, which stacking changes: the shape of one example is the vertex's.
      const gradients = tf.tidy(() => weightedGrads((...values) => vertex.forward(values, context), xs, [outputs.shape[0] as number, ...outShape]));
      const result = await read(outputs, gradients);
      tf.dispose([...xs, ...masks.filter((m): m is tf.Tensor2D => m !== undefined)]);
      return result;
    },
  };
}
