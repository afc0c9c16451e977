import { DEFAULT_SEED } from '../network-config';
import { ConfigError } from '../errors';
import { ComputationGraph } from '../graph/computation-graph';
import type { GraphVertexConfig } from '../graph/graph-config';
import type { FineTuneConfig } from './transfer-common';
import { checkFineTune, copyParams, transferredLayer, withOptions } from './transfer-common';
import type { NOutReplaceOptions } from './transfer-learning';
import { checkNOut } from './transfer-learning';

/**
 * DL4J's `TransferLearning.GraphBuilder` for a {@link ComputationGraph}: the same operations as
 * `TransferLearning` on a network, by vertex name. `setFeatureExtractor` freezes the named
 * vertices and everything they depend on; vertices can be removed with their connections, layers
 * and vertices added with their inputs, and the outputs set anew.
 *
 * @example
 * ```ts fragment
 * const tuned = new GraphTransferLearning(trained)
 *   .setFeatureExtractor('trunk')
 *   .removeVertexAndConnections('out')
 *   .addLayer('newOut', { type: 'layers/output', nOut: 5, activation: 'softmax', loss: 'mcxent' }, 'trunk')
 *   .setOutputs('newOut')
 *   .build();
 * ```
 */
export class GraphTransferLearning {
  private fine: FineTuneConfig = {};
  private readonly extractors = new Set<string>();
  private readonly replaced = new Map<string, NOutReplaceOptions & { nOut: number }>();
  private readonly removed = new Set<string>();
  private readonly added: GraphVertexConfig[] = [];
  private outputs: string[] | undefined;

  constructor(private readonly source: ComputationGraph) {}

  /** Training options for the layers that stay trainable, and the new graph's seed. */
  fineTune(config: FineTuneConfig): this {
    checkFineTune(config);
    this.fine = structuredClone(config);
    return this;
  }

  /** Freezes the named vertices and every vertex they depend on. */
  setFeatureExtractor(...names: string[]): this {
    for (const name of names) this.vertex(name);
    for (const name of names) this.extractors.add(name);
    return this;
  }

  /** Gives a layer a new `nOut` and fresh parameters, and fresh parameters to the layers reading it. */
  nOutReplace(name: string, nOut: number, options: NOutReplaceOptions = {}): this {
    this.vertex(name);
    checkNOut('nOutReplace', nOut);
    this.replaced.set(name, { ...options, nOut });
    return this;
  }

  /** Removes a vertex, its name from every vertex's inputs, and from the outputs. */
  removeVertexAndConnections(name: string): this {
    this.vertex(name);
    this.removed.add(name);
    return this;
  }

  /** Adds a layer reading `inputs`, freshly initialised. */
  addLayer(name: string, config: Omit<GraphVertexConfig, 'name' | 'inputs'>, ...inputs: string[]): this {
    this.added.push(withOptions(structuredClone(config), { name, inputs }) as GraphVertexConfig);
    return this;
  }

  /** Adds a parameterless vertex reading `inputs`. */
  addVertex(name: string, config: Omit<GraphVertexConfig, 'name' | 'inputs'>, ...inputs: string[]): this {
    return this.addLayer(name, config, ...inputs);
  }

  /** The new graph's outputs, in order (default: the source's, less removed vertices). */
  setOutputs(...names: string[]): this {
    this.outputs = [...names];
    return this;
  }

  /** The new graph, initialised, its kept layers' parameters copied from the source. */
  build(): ComputationGraph {
    const { source } = this;
    const registry = source.registry;
    const kept = source.config.vertices.filter((v) => !this.removed.has(v.name)).map((v) => ({ ...structuredClone(v), inputs: v.inputs.filter((i) => !this.removed.has(i)) }) as GraphVertexConfig);
    const vertices = [...kept, ...this.added];
    for (const name of [...this.extractors, ...this.replaced.keys()]) if (this.removed.has(name)) throw new ConfigError(`GraphTransferLearning: vertex "${name}" is removed`);
    const byName = new Map(vertices.map((v) => [v.name, v]));
    const frozen = new Set<string>();
    const stack = [...this.extractors];
    while (stack.length > 0) {
      const name = stack.pop() as string;
      const v = byName.get(name);
      if (v === undefined || frozen.has(name)) continue;
      frozen.add(name);
      stack.push(...v.inputs);
    }
    const fresh = new Set(this.added.map((v) => v.name));
    for (const name of this.replaced.keys()) {
      fresh.add(name);
      for (const v of vertices) if (v.inputs.includes(name)) fresh.add(v.name);
    }
    const transferred = vertices.map((v) => {
      if (!registry.has('layer', v.type)) return v;
      const replacement = this.replaced.get(v.name);
      const config = replacement === undefined ? v : withOptions(v, { nOut: replacement.nOut, weightInit: replacement.weightInit });
      return transferredLayer(config, frozen.has(v.name), this.fine, registry);
    });
    const outputs = this.outputs ?? source.config.outputs.filter((o) => !this.removed.has(o));
    const weights = source.config.lossWeights === undefined ? undefined : Object.fromEntries(Object.entries(source.config.lossWeights).filter(([o]) => outputs.includes(o)));
    const graph = new ComputationGraph(
      { ...source.config, seed: this.fine.seed ?? source.config.seed ?? DEFAULT_SEED, vertices: transferred, outputs, ...(weights !== undefined && { lossWeights: weights }) },
      { registry, onWarning: source.onWarning },
    ).init();
    copyParams(source, graph, fresh);
    return graph;
  }

  private vertex(name: string): GraphVertexConfig {
    const found = this.source.config.vertices.find((v) => v.name === name);
    if (found === undefined) throw new ConfigError(`GraphTransferLearning: no vertex named "${name}"; vertices: ${this.source.config.vertices.map((v) => v.name).join(', ')}`);
    return found;
  }
}
