import { backpropStrategy } from './backprop';
import { createBuildContext } from './build-context';
import { TRAINING_OPTIONS } from './config-keys';
import { ConfigError } from './errors';
import type { Layer, OutputLayer, ParamDeclaration, Shape } from './layer';
import { isOutputLayer } from './layer';
import type { NetworkConfig } from './network-config';
import { DEFAULT_SEED, activationLossWarning, checkNetworkConfig, inputShapeOf, resolveLayerConfig, strategyRefOf } from './network-config';
import { DEFAULT_UPDATER, ParamStore } from './param-store';
import { Rng } from './random';
import type { Registry } from './registry';
import type { TrainingStrategy } from './training-strategy';

/** Iterations (minibatches) and epochs trained so far; one object shared by a network and its model. */
export interface Counters {
  iteration: number;
  epoch: number;
}

/** A network's built state: what the forward pass, the fit loop and the update pipeline work on. */
export interface BuiltModel {
  readonly registry: Registry;
  readonly seed: number;
  readonly layers: readonly Layer[];
  /** `shapes[0]` is the input shape, `shapes[i + 1]` the output shape of layer `i`. */
  readonly shapes: readonly Shape[];
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

/**
 * Builds every layer of `config` through `registry` and validates the whole stack before any
 * tensor is allocated; then creates the parameters from the seed. `counters` is the network's.
 */
export function buildModel(config: NetworkConfig, registry: Registry, counters: Counters = { iteration: 0, epoch: 0 }): BuildResult {
  checkNetworkConfig(config);
  const seed = config.seed ?? DEFAULT_SEED;
  const shapes: Shape[] = [inputShapeOf(config)];
  const layers: Layer[] = [];
  const declared: ParamDeclaration[][] = [];
  const names = new Set<string>();
  config.layers.forEach((raw, index) => {
    const resolved = resolveLayerConfig(registry, config.defaults, raw, index);
    if (names.has(resolved.name)) throw new ConfigError(`Network: two layers are named "${resolved.name}"; layer names must be unique`);
    names.add(resolved.name);
    const layer = registry.definition('layer', resolved.type).create(resolved);
    const declarations: ParamDeclaration[] = [];
    shapes.push(layer.build(shapes[index] as Shape, createBuildContext(registry, declarations)));
    checkTrainingOptions(registry, resolved.type, declarations);
    declared.push(declarations);
    layers.push(layer);
  });
  const last = layers[layers.length - 1] as Layer;
  if (!isOutputLayer(last)) {
    throw new ConfigError(`Network: the last layer "${last.config.name}" (${last.key}) has no loss; end the network with an output layer such as "layers/output"`);
  }
  const strategyRef = strategyRefOf(config);
  const strategy = strategyRef === undefined ? backpropStrategy() : registry.create('strategy', strategyRef);
  const warning = activationLossWarning(last.config.name, last.activation.key, last.loss.key);
  const params = new ParamStore();
  try {
    const initRng = new Rng(seed);
    layers.forEach((layer, i) => params.create(layer, declared[i] as ParamDeclaration[], initRng, registry, DEFAULT_UPDATER));
  } catch (error) {
    params.dispose();
    strategy.dispose?.();
    throw error;
  }
  return { model: { registry, seed, layers, shapes, params, counters }, strategy, warnings: warning === undefined ? [] : [warning] };
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

/** The last layer, which {@link buildModel} checked is an output layer. */
export function outputLayerOf(model: BuiltModel): OutputLayer {
  return model.layers[model.layers.length - 1] as OutputLayer;
}

/** Per-example output shape. */
export function outputShapeOf(model: BuiltModel): Shape {
  return model.shapes[model.shapes.length - 1] as Shape;
}

/**
 * The shuffling stream of the current epoch, derived from the seed and the epoch counter alone,
 * so a run resumed from saved counters shuffles exactly as the uninterrupted run would.
 */
export function epochShuffleRng(seed: number, epoch: number): Rng {
  return new Rng(seed ^ 0x5bd1e995 ^ Math.imul(epoch + 1, 0x9e3779b1));
}
