import { backpropStrategy } from './backprop';
import { createBuildContext } from './build-context';
import { TRAINING_OPTIONS } from './config-keys';
import { ConfigError } from './errors';
import type { Vertex } from './graph/vertex';
import type { Layer, OutputLayer, ParamDeclaration, ResolvedLayerConfig, Shape } from './layer';
import { isOutputLayer } from './layer';
import type { NetworkConfig } from './network-config';
import { DEFAULT_SEED, activationLossWarning, checkNetworkConfig, inputShapeOf, resolveLayerConfig, strategyRefOf } from './network-config';
import { DEFAULT_UPDATER, ParamStore } from './param-store';
import { Rng } from './random';
import type { ComponentRef, Registry } from './registry';
import type { TrainingStrategy } from './training-strategy';

/** Iterations (minibatches) and epochs trained so far; one object shared by a network and its model. */
export interface Counters {
  iteration: number;
  epoch: number;
}

/** One input of a built model: its name and the shape of one example. */
export interface ModelInput {
  readonly name: string;
  readonly shape: Shape;
}

/**
 * One node of a built model, a layer or a parameterless vertex. `inputs` are value indices:
 * `0 .. inputs.length - 1` are the model's inputs, `inputs.length + j` is node `j`'s output.
 */
export interface ModelNode {
  readonly name: string;
  readonly inputs: readonly number[];
  /** Output shape of one example. */
  readonly shape: Shape;
  readonly layer?: Layer;
  readonly vertex?: Vertex;
}

/** One output of a built model: an output layer's node, and the weight of its loss in the score. */
export interface ModelOutput {
  readonly node: number;
  readonly layer: OutputLayer;
  readonly weight: number;
}

/**
 * A model's built state, what the forward pass, the fit loop and the update pipeline work on: a
 * directed acyclic graph whose nodes are in an order where every node comes after its inputs. A
 * `Network` is the chain: one input, each layer taking the one before it, one output.
 */
export interface BuiltModel {
  readonly registry: Registry;
  readonly seed: number;
  readonly inputs: readonly ModelInput[];
  readonly nodes: readonly ModelNode[];
  readonly outputs: readonly ModelOutput[];
  /** Every layer, in node order (parameters are created and listed in this order). */
  readonly layers: readonly Layer[];
  readonly params: ParamStore;
  readonly counters: Counters;
}

/** What {@link buildModel} returns. */
export interface BuildResult {
  readonly model: BuiltModel;
  readonly strategy: TrainingStrategy;
  /** Configuration warnings (mismatched output activation and loss). */
  readonly warnings: readonly string[];
}

/** A node as planned by a model's builder: built, with the parameters its layer declared. */
export interface PlannedNode extends ModelNode {
  readonly declarations: readonly ParamDeclaration[];
}

/** What {@link assembleModel} takes: the planned graph, validated, and the training options. */
export interface ModelPlan {
  readonly registry: Registry;
  readonly seed: number;
  readonly inputs: readonly ModelInput[];
  readonly nodes: readonly PlannedNode[];
  readonly outputs: readonly ModelOutput[];
  readonly strategy: ComponentRef<'strategy'> | undefined;
  readonly counters: Counters;
}

/**
 * Builds every layer of `config` through `registry` and validates the whole stack before any
 * tensor is allocated; then creates the parameters from the seed. `counters` is the network's.
 */
export function buildModel(config: NetworkConfig, registry: Registry, counters: Counters = { iteration: 0, epoch: 0 }): BuildResult {
  return assembleModel(planNetwork(config, registry, counters));
}

/** A network's chain as a {@link ModelPlan}: one input named `input`, each layer on the one below. */
export function planNetwork(config: NetworkConfig, registry: Registry, counters: Counters = { iteration: 0, epoch: 0 }): ModelPlan {
  checkNetworkConfig(config);
  const inputShape = inputShapeOf(config);
  const nodes: PlannedNode[] = [];
  const names = new Set<string>();
  config.layers.forEach((raw, index) => {
    const resolved = resolveLayerConfig(registry, config.defaults, raw, index);
    if (names.has(resolved.name)) throw new ConfigError(`Network: two layers are named "${resolved.name}"; layer names must be unique`);
    names.add(resolved.name);
    const below = index === 0 ? inputShape : (nodes[index - 1] as PlannedNode).shape;
    nodes.push(buildLayerNode(registry, resolved, below, [index]));
  });
  const last = (nodes[nodes.length - 1] as PlannedNode).layer as Layer;
  if (!isOutputLayer(last)) {
    throw new ConfigError(`Network: the last layer "${last.config.name}" (${last.key}) has no loss; end the network with an output layer such as "layers/output"`);
  }
  return {
    registry,
    seed: config.seed ?? DEFAULT_SEED,
    inputs: [{ name: 'input', shape: inputShape }],
    nodes,
    outputs: [{ node: nodes.length - 1, layer: last, weight: 1 }],
    strategy: strategyRefOf(config),
    counters,
  };
}

/** Creates a layer from its resolved config and builds it on `inputShape`: a node with the parameters it declared. */
export function buildLayerNode(registry: Registry, resolved: ResolvedLayerConfig, inputShape: Shape, inputs: readonly number[]): PlannedNode {
  const layer = registry.definition('layer', resolved.type).create(resolved);
  const declarations: ParamDeclaration[] = [];
  const shape = layer.build(inputShape, createBuildContext(registry, declarations));
  checkTrainingOptions(registry, resolved.type, declarations);
  return { name: resolved.name, inputs, shape, layer, declarations };
}

/**
 * Turns a validated plan into a model: the strategy, then every layer's parameters from the seed,
 * in node order (a failure frees what was created), and the warnings of each output's activation
 * and loss.
 */
export function assembleModel(plan: ModelPlan): BuildResult {
  const { registry, seed, inputs, nodes, outputs, counters } = plan;
  const strategy = plan.strategy === undefined ? backpropStrategy() : registry.create('strategy', plan.strategy);
  const params = new ParamStore();
  try {
    const initRng = new Rng(seed);
    for (const node of nodes) if (node.layer !== undefined) params.create(node.layer, node.declarations, initRng, registry, DEFAULT_UPDATER);
  } catch (error) {
    params.dispose();
    strategy.dispose?.();
    throw error;
  }
  const warnings = outputs.map((o) => activationLossWarning(o.layer.config.name, o.layer.activation.key, o.layer.loss.key)).filter((w): w is string => w !== undefined);
  const layers = nodes.flatMap((n) => (n.layer === undefined ? [] : [n.layer]));
  const built: BuiltModel = { registry, seed, inputs, nodes: nodes.map(({ declarations: _, ...node }) => node), outputs, layers, params, counters };
  return { model: built, strategy, warnings };
}

/** The built model of every initialised network, for the testing kit's {@link modelOf}. */
const attached = new WeakMap<object, () => BuiltModel | undefined>();

/** Lets {@link modelOf} find `owner`'s built model; called by the network that owns it. */
export function attachModel(owner: object, model: () => BuiltModel | undefined): void {
  attached.set(owner, model);
}

/** The built model of an initialised network, or undefined when it has none (not built, or disposed). */
export function modelOf(owner: object): BuiltModel | undefined {
  return attached.get(owner)?.();
}

/**
 * A layer with trainable parameters must take the training options (updater, penalties), or its
 * parameters would silently train with core's default updater whatever the config says.
 */
function checkTrainingOptions(registry: Registry, type: string, declarations: readonly ParamDeclaration[]): void {
  if (!declarations.some((d) => d.role !== 'state')) return;
  const takes = registry.definition('layer', type).options ?? [];
  const missing = TRAINING_OPTIONS.filter((k) => !takes.includes(k));
  if (missing.length > 0) {
    throw new ConfigError(`Layer definition "${type}" declares trainable parameters but does not take ${missing.join(', ')}; add them to its options (spread LAYER_COMMON_OPTIONS into optionNames)`);
  }
}

/** The output layer of output `k` (the only one of a network). */
export function outputLayerOf(model: BuiltModel, k = 0): OutputLayer {
  return (model.outputs[k] as ModelOutput).layer;
}

/** Per-example shape of output `k`. */
export function outputShapeOf(model: BuiltModel, k = 0): Shape {
  return (model.nodes[(model.outputs[k] as ModelOutput).node] as ModelNode).shape;
}

/**
 * The shuffling stream of the current epoch, derived from the seed and the epoch counter alone,
 * so a run resumed from saved counters shuffles exactly as the uninterrupted run would.
 */
export function epochShuffleRng(seed: number, epoch: number): Rng {
  return new Rng(seed ^ 0x5bd1e995 ^ Math.imul(epoch + 1, 0x9e3779b1));
}
