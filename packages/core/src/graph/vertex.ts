import type { Tensor } from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError, formatShape } from '../errors';
import type { Shape } from '../layer';
import type { ResolvedConfig } from '../registry';

/** Version of the {@link Vertex} contract implemented by this core. */
export const VERTEX_CONTRACT_VERSION = 1;

/** A vertex config after resolution: the full registry key, the vertex's name and its inputs. */
export interface ResolvedVertexConfig extends ResolvedConfig {
  name: string;
  inputs: string[];
}

/** What every vertex of a graph takes besides its own options: its name and the names of its inputs, in order. */
export interface VertexCommonOptions {
  /** Unique in the graph; other vertices and `outputs` refer to it. */
  name: string;
  /** Graph inputs or vertices whose outputs this vertex receives, in order. */
  inputs: string[];
}

/** A vertex's resolved config typed by its options, what its definition's `create` receives. */
export type VertexConfigOf<Options> = Options & ResolvedVertexConfig;

/** Given to {@link Vertex.forward}. */
export interface VertexContext {
  readonly training: boolean;
  /** The mask `[batch, time]` travelling with each input (1 for a real step, 0 for padding), where one does. */
  readonly masks: readonly (Tensor | undefined)[];
}

/**
 * A parameterless node of a computation graph (DL4J's graph vertices): it combines or reshapes
 * its inputs. Layers are vertices too, but they hold parameters and are built as layers; a
 * `Vertex` holds none. Memory is handled by core around every call, as for layers.
 */
export interface Vertex {
  /** Registry key. */
  readonly key: string;
  /** The config that recreates this vertex. */
  readonly config: ResolvedVertexConfig;
  /**
   * Checks its inputs' shapes (without the batch dimension, -1 for a free dimension) and returns
   * its output shape; a {@link ShapeError} or {@link ConfigError} naming the vertex otherwise.
   */
  build(inputShapes: readonly Shape[]): Shape;
  /** Computes the output for a batch of each input. */
  forward(inputs: readonly Tensor[], context: VertexContext): Tensor;
  /**
   * The mask that travels with the output; by default the first input's that has one. Vertices
   * that remove the time axis return undefined; those that make one return the mask of the
   * sequence they take their length from.
   */
  outputMask?(masks: readonly (Tensor | undefined)[]): Tensor | undefined;
}

/** `Vertex "name" (key)`, how messages name a vertex. */
export function vertexLabel(config: ResolvedVertexConfig): string {
  return `Vertex "${config.name}" (${config.type})`;
}

/** Requires between `min` and `max` inputs; a {@link ConfigError} naming the vertex otherwise. */
export function expectInputCount(config: ResolvedVertexConfig, shapes: readonly Shape[], min: number, max = min): void {
  if (shapes.length >= min && shapes.length <= max) return;
  const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
  throw new ConfigError(`${vertexLabel(config)}: received ${shapes.length} input${shapes.length === 1 ? '' : 's'} (${config.inputs.join(', ')}), expected ${expected}`);
}

/** Two dimensions agree when equal or when either is free (-1). */
function sameDim(a: number, b: number): boolean {
  return a === b || a === -1 || b === -1;
}

/** Requires every input to have the first input's shape; a {@link ShapeError} naming both inputs and shapes. */
export function expectSameShapes(config: ResolvedVertexConfig, shapes: readonly Shape[]): Shape {
  const first = shapes[0] as Shape;
  shapes.forEach((shape, i) => {
    if (shape.length !== first.length || !shape.every((d, j) => sameDim(d, first[j] as number))) {
      throw new ShapeError(
        `${vertexLabel(config)}: input "${config.inputs[i]}" has shape ${formatShape(shape)}, but input "${config.inputs[0]}" has ${formatShape(first)}; the inputs of this vertex must have the same shape`,
        shape,
        first,
      );
    }
  });
  // A free dimension of the first input takes a fixed size from another, where one has it.
  return first.map((d, j) => (d !== -1 ? d : (shapes.map((s) => s[j] as number).find((x) => x !== -1) ?? -1)));
}

/** Requires a finite number (or an integer) option; a {@link ConfigError} naming the vertex otherwise. */
export function numberOption(config: ResolvedVertexConfig, key: string, options: { integer?: boolean; min?: number; fallback?: number } = {}): number {
  const value = config[key] ?? options.fallback;
  const ok = typeof value === 'number' && Number.isFinite(value) && (options.integer !== true || Number.isInteger(value)) && (options.min === undefined || value >= options.min);
  if (!ok) {
    const kind = options.integer === true ? 'an integer' : 'a finite number';
    const bound = options.min === undefined ? '' : ` >= ${options.min}`;
    throw new ConfigError(`${vertexLabel(config)}: ${key} must be ${kind}${bound}, received ${JSON.stringify(value)}`);
  }
  return value;
}
