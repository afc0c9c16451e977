import { ConfigError } from '../errors';
import type { Shape } from '../layer';
import type { LayerConfig, LayerDefaults } from '../network-config';
import { checkDefaults, checkSeed, parseInputShape } from '../network-config';
import type { ComponentConfig, ComponentRef } from '../registry';
import { rejectUnknownKeys } from '../unknown-keys';
import type { VertexCommonOptions } from './vertex';

/** A vertex of a graph: any layer config, or a vertex config, with its name and its inputs. */
export type GraphVertexConfig = (LayerConfig | ComponentConfig<'vertex'>) & VertexCommonOptions;

/**
 * A computation graph as plain, JSON-compatible data (DL4J's `ComputationGraphConfiguration`):
 * named inputs, vertices that each name their inputs, and the output layers, with global
 * `defaults` overridden per layer as in a `NetworkConfig`.
 *
 * @example
 * ```ts fragment
 * const config: GraphConfig = {
 *   seed: 42,
 *   inputs: { features: 784 },
 *   defaults: { activation: 'relu', weightInit: 'relu', updater: { type: 'updaters/adam', learningRate: 1e-3 } },
 *   vertices: [
 *     { name: 'hidden', type: 'layers/dense', nOut: 256, inputs: ['features'] },
 *     { name: 'block', type: 'layers/dense', nOut: 256, inputs: ['hidden'] },
 *     { name: 'skip', type: 'core/elementwise', op: 'add', inputs: ['hidden', 'block'] },
 *     { name: 'out', type: 'layers/output', nOut: 10, activation: 'softmax', loss: 'mcxent', inputs: ['skip'] },
 *   ],
 *   outputs: ['out'],
 * };
 * ```
 */
export interface GraphConfig {
  /** Seed for weights, shuffling, dropout and stochastic layers. Default 12345 (DL4J's). */
  seed?: number;
  /**
   * The graph's inputs by name, each with the shape of one example as in `NetworkConfig.input`
   * (`784`, `[time, features]`, `[null, 3]`). Batches give features in this order.
   */
  inputs: Record<string, number | (number | null)[]>;
  defaults?: LayerDefaults;
  /** Layers and vertices, each naming its inputs (graph inputs or other vertices). Any order: the graph sorts them. */
  vertices: GraphVertexConfig[];
  /** The output layers, in the order batches give their labels and `output()` returns them. */
  outputs: string[];
  /** Weight of each output's loss in the score, by output name (default 1 each). */
  lossWeights?: Record<string, number>;
  /** How a minibatch becomes an update. Default: standard backprop (`core/backprop`). */
  strategy?: ComponentRef<'strategy'>;
  /** DL4J's name for the strategy (see `NetworkConfig.optimizationAlgo`). */
  optimizationAlgo?: string;
}

const GRAPH_KEYS: readonly (keyof GraphConfig)[] = ['seed', 'inputs', 'defaults', 'vertices', 'outputs', 'lossWeights', 'strategy', 'optimizationAlgo'];

const GRAPH_KEY_HINTS: Readonly<Record<string, string>> = {
  input: 'a graph names its inputs: inputs: { features: 784 }',
  layers: 'a graph lists its layers and vertices in vertices, each with a name and inputs',
  epochs: 'epochs, batchSize, shuffle and listeners are options of fit: graph.fit(data, { epochs: 10, batchSize: 32 })',
  batchSize: 'epochs, batchSize, shuffle and listeners are options of fit: graph.fit(data, { epochs: 10, batchSize: 32 })',
};

/** A name other entries can refer to: non-empty, without "/", not an integer (object keys that are integers lose their order). */
export function checkName(what: string, name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0 || name.includes('/') || /^\d+$/.test(name)) {
    throw new ConfigError(`${what}: name must be a non-empty string without "/" that is not an integer, received ${JSON.stringify(name)}`);
  }
}

/** The top level of a graph config: known keys, seed, defaults, inputs, vertices, outputs and loss weights, each checked. */
export function checkGraphConfig(config: GraphConfig): { inputs: { name: string; shape: Shape }[] } {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) throw new ConfigError(`ComputationGraph: expected a config object, received ${JSON.stringify(config)}`);
  rejectUnknownKeys('Graph config', config, GRAPH_KEYS, GRAPH_KEY_HINTS);
  checkSeed('ComputationGraph', config.seed);
  checkDefaults('ComputationGraph', config.defaults);
  const rawInputs: unknown = config.inputs;
  if (rawInputs === null || typeof rawInputs !== 'object' || Array.isArray(rawInputs) || Object.keys(rawInputs).length === 0) {
    throw new ConfigError(`ComputationGraph: inputs must be an object of input names to shapes, such as { features: 784 }, received ${JSON.stringify(rawInputs)}`);
  }
  const inputs = Object.entries(config.inputs).map(([name, raw]) => {
    checkName(`Graph input "${name}"`, name);
    return { name, shape: parseInputShape(raw, `ComputationGraph: input "${name}"`) };
  });
  if (!Array.isArray(config.vertices) || config.vertices.length === 0) throw new ConfigError('ComputationGraph: vertices must be a non-empty array of layer and vertex configs, each with a name and inputs');
  if (!Array.isArray(config.outputs) || config.outputs.length === 0 || !config.outputs.every((o) => typeof o === 'string')) {
    throw new ConfigError(`ComputationGraph: outputs must be a non-empty array of output layer names, received ${JSON.stringify(config.outputs)}`);
  }
  if (new Set(config.outputs).size !== config.outputs.length) throw new ConfigError(`ComputationGraph: outputs name a vertex twice: ${config.outputs.join(', ')}`);
  const weights: unknown = config.lossWeights;
  if (weights !== undefined) {
    if (weights === null || typeof weights !== 'object' || Array.isArray(weights)) throw new ConfigError(`ComputationGraph: lossWeights must be an object of output names to weights, received ${JSON.stringify(weights)}`);
    for (const [name, w] of Object.entries(weights)) {
      if (!config.outputs.includes(name)) throw new ConfigError(`ComputationGraph: lossWeights names "${name}", which is not an output; outputs: ${config.outputs.join(', ')}`);
      if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) throw new ConfigError(`ComputationGraph: lossWeights.${name} must be a finite number >= 0, received ${JSON.stringify(w)}`);
    }
  }
  return { inputs };
}
