import type { Counters, ModelNode, ModelOutput, ModelPlan, PlannedNode } from '../built-model';
import { buildLayerNode } from '../built-model';
import { ConfigError, UnknownKeyError } from '../errors';
import type { ResolvedLayerConfig, Shape } from '../layer';
import { isOutputLayer } from '../layer';
import type { LayerDefaults } from '../network-config';
import { DEFAULT_SEED, resolveLayerConfig, strategyRefOf } from '../network-config';
import type { Registry } from '../registry';
import { closestKey, rejectUnknownKeys } from '../unknown-keys';
import type { GraphConfig } from './graph-config';
import { checkGraphConfig, checkName } from './graph-config';
import type { ResolvedVertexConfig, Vertex } from './vertex';
import { vertexLabel } from './vertex';

/** A vertex config resolved: a layer to build on its input's shape, or a parameterless vertex. */
type Resolved = { readonly name: string; readonly inputs: readonly string[] } & ({ readonly layer: ResolvedLayerConfig } | { readonly vertex: Vertex });

/**
 * Validates a graph config and plans its model: every vertex resolved through the registry, the
 * order computed (every vertex after its inputs, config order where free), unknown inputs, cycles,
 * unused inputs and vertices that reach no output rejected naming them, and shapes inferred
 * through the graph, a mismatch naming the vertex and both shapes. No tensor is allocated.
 */
export function planGraph(config: GraphConfig, registry: Registry, counters: Counters = { iteration: 0, epoch: 0 }): ModelPlan {
  const { inputs } = checkGraphConfig(config);
  const resolved = config.vertices.map((raw, index) => resolveVertex(registry, config.defaults, raw, index));
  const names = new Map<string, number>(inputs.map((input, i) => [input.name, i]));
  resolved.forEach((v, i) => {
    if (names.has(v.name)) throw new ConfigError(`ComputationGraph: "${v.name}" names ${names.get(v.name) as number < inputs.length ? 'an input' : 'another vertex'} too; names must be unique`);
    names.set(v.name, inputs.length + i);
  });
  for (const v of resolved) {
    for (const input of v.inputs) {
      if (!names.has(input)) {
        const close = closestKey(input, [...names.keys()]);
        throw new ConfigError(`ComputationGraph: vertex "${v.name}" names input "${input}", which is neither a graph input nor a vertex${close === undefined ? '' : `; did you mean "${close}"?`}`);
      }
    }
  }
  for (const name of config.outputs) if (!names.has(name) || (names.get(name) as number) < inputs.length) throw new ConfigError(`ComputationGraph: output "${name}" is not a vertex; vertices: ${resolved.map((v) => v.name).join(', ')}`);
  const order = topologicalOrder(resolved, inputs.length, names);
  checkReachability(resolved, inputs, names, config.outputs);

  // Shapes through the graph, in order: value index -> shape.
  const shapes = new Map<number, Shape>(inputs.map((input, i) => [i, input.shape]));
  const position = new Map(order.map((r, j) => [r, j]));
  const valueOf = (name: string): number => {
    const v = names.get(name) as number;
    return v < inputs.length ? v : inputs.length + (position.get(v - inputs.length) as number);
  };
  const nodes: PlannedNode[] = [];
  for (const r of order) {
    const spec = resolved[r] as Resolved;
    const inputValues = spec.inputs.map(valueOf);
    const inputShapes = inputValues.map((v) => shapes.get(v) as Shape);
    let node: PlannedNode;
    if ('layer' in spec) {
      if (spec.inputs.length !== 1) {
        throw new ConfigError(`${label(spec)}: a layer takes one input, received ${spec.inputs.length} (${spec.inputs.join(', ')}); combine them first with a core/merge or core/elementwise vertex`);
      }
      node = buildLayerNode(registry, spec.layer, inputShapes[0] as Shape, inputValues);
    } else {
      node = { name: spec.name, inputs: inputValues, shape: spec.vertex.build(inputShapes), vertex: spec.vertex, declarations: [] };
    }
    shapes.set(inputs.length + nodes.length, node.shape);
    nodes.push(node);
  }
  const outputs: ModelOutput[] = config.outputs.map((name) => {
    const j = valueOf(name) - inputs.length;
    const layer = (nodes[j] as ModelNode).layer;
    if (layer === undefined || !isOutputLayer(layer)) {
      throw new ConfigError(`ComputationGraph: output "${name}" (${layer?.key ?? (nodes[j] as ModelNode).vertex?.key}) has no loss; each output is an output layer such as "layers/output"`);
    }
    return { node: j, layer, weight: config.lossWeights?.[name] ?? 1 };
  });
  return { registry, seed: config.seed ?? DEFAULT_SEED, inputs, nodes, outputs, strategy: strategyRefOf(config), counters };
}

function label(spec: Resolved): string {
  return `Vertex "${spec.name}" (${'layer' in spec ? spec.layer.type : spec.vertex.key})`;
}

/** A vertex config through the registry: a layer (defaults merged, options checked) or a vertex (options checked, created). */
function resolveVertex(registry: Registry, defaults: LayerDefaults | undefined, raw: unknown, index: number): Resolved {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`ComputationGraph: vertex ${index} must be a config object, received ${JSON.stringify(raw)}`);
  const { name, inputs, ...rest } = raw as Record<string, unknown>;
  checkName(`ComputationGraph: vertex ${index}`, name);
  if (!Array.isArray(inputs) || inputs.length === 0 || !inputs.every((i) => typeof i === 'string')) {
    throw new ConfigError(`ComputationGraph: vertex "${name}" must name its inputs, a non-empty array of input or vertex names, received ${JSON.stringify(inputs)}`);
  }
  const type = rest.type;
  if (typeof type !== 'string') throw new ConfigError(`ComputationGraph: vertex "${name}" needs a string type, a layer or vertex key, received ${JSON.stringify(type)}`);
  const isLayer = registry.has('layer', type);
  const isVertex = registry.has('vertex', type);
  if (isLayer && isVertex) {
    throw new ConfigError(`ComputationGraph: vertex "${name}": "${type}" names both layer ${registry.resolve('layer', type).type} and vertex ${registry.resolve('vertex', type).type}; use the full key`);
  }
  if (isLayer) return { name, inputs, layer: resolveLayerConfig(registry, defaults, { ...rest, name }, index) };
  if (!isVertex) {
    const known = [...registry.keys('layer'), ...registry.keys('vertex')];
    throw new UnknownKeyError(`ComputationGraph: vertex "${name}" has type "${type}", which is neither a registered layer nor a vertex. Known: ${known.join(', ')}`, type, known);
  }
  const config = { ...registry.resolve('vertex', rest), name, inputs: [...inputs] } as ResolvedVertexConfig;
  const definition = registry.definition('vertex', config.type);
  rejectUnknownKeys(vertexLabel(config), config, [...(definition.options ?? []), 'name', 'inputs']);
  return { name, inputs, vertex: definition.create(config) };
}

/**
 * Kahn's order over the vertices, taking the earliest ready vertex in config order, so that a
 * chain listed in order keeps its order. Vertices left over lie on a cycle or after one: the
 * error names a cycle.
 */
function topologicalOrder(resolved: readonly Resolved[], nInputs: number, names: ReadonlyMap<string, number>): number[] {
  const deps = resolved.map((v) => new Set(v.inputs.map((i) => (names.get(i) as number) - nInputs).filter((d) => d >= 0)));
  const done = new Set<number>();
  const order: number[] = [];
  while (order.length < resolved.length) {
    const next = resolved.findIndex((_, i) => !done.has(i) && [...(deps[i] as Set<number>)].every((d) => done.has(d)));
    if (next < 0) break;
    done.add(next);
    order.push(next);
  }
  if (order.length === resolved.length) return order;
  // Walk back through unfinished inputs from any unfinished vertex until a vertex repeats.
  const path: number[] = [];
  let at = resolved.findIndex((_, i) => !done.has(i));
  while (!path.includes(at)) {
    path.push(at);
    at = [...(deps[at] as Set<number>)].find((d) => !done.has(d)) as number;
  }
  const cycle = [...path.slice(path.indexOf(at)), at].reverse().map((i) => `"${(resolved[i] as Resolved).name}"`);
  throw new ConfigError(`ComputationGraph: the vertices form a cycle, ${cycle.join(' -> ')}; a graph must be acyclic`);
}

/** Every vertex must lead to an output and every input must be read on the way to one. */
function checkReachability(resolved: readonly Resolved[], inputs: readonly { name: string }[], names: ReadonlyMap<string, number>, outputs: readonly string[]): void {
  const reached = new Set<string>();
  const stack = [...outputs];
  while (stack.length > 0) {
    const name = stack.pop() as string;
    if (reached.has(name)) continue;
    reached.add(name);
    const v = names.get(name) as number;
    if (v >= inputs.length) stack.push(...(resolved[v - inputs.length] as Resolved).inputs);
  }
  const dead = resolved.filter((v) => !reached.has(v.name)).map((v) => `"${v.name}"`);
  if (dead.length > 0) throw new ConfigError(`ComputationGraph: vertex ${dead.join(', ')} reaches no output (outputs: ${outputs.join(', ')}); connect it or remove it`);
  const unused = inputs.filter((i) => !reached.has(i.name)).map((i) => `"${i.name}"`);
  if (unused.length > 0) throw new ConfigError(`ComputationGraph: input ${unused.join(', ')} is not read by any vertex on the way to an output; use it or remove it`);
}
