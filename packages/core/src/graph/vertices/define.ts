import type { Tensor } from '@tensorflow/tfjs-core';
import type { Shape } from '../../layer';
import type { ComponentDefinition } from '../../registry';
import type { ResolvedVertexConfig, Vertex, VertexContext } from '../vertex';
import { VERTEX_CONTRACT_VERSION } from '../vertex';

/** What a vertex computes, given its resolved config: {@link Vertex} without its key and config. */
export interface VertexBody {
  build(inputShapes: readonly Shape[]): Shape;
  forward(inputs: readonly Tensor[], context: VertexContext): Tensor;
  outputMask?(masks: readonly (Tensor | undefined)[]): Tensor | undefined;
}

/** A core vertex's registry definition: its key, options and what it computes. */
export function defineVertex(key: string, description: string, options: readonly string[], make: (config: ResolvedVertexConfig) => VertexBody): ComponentDefinition<'vertex', Vertex> {
  return {
    kind: 'vertex',
    key,
    contractVersion: VERTEX_CONTRACT_VERSION,
    provider: '@dl4ts/core',
    description,
    options,
    create: (config) => {
      const resolved = config as ResolvedVertexConfig;
      return { key, config: resolved, ...make(resolved) };
    },
  };
}
