import * as tf from '@tensorflow/tfjs-core';
import type { BuiltModel, Counters } from './built-model';
import { attachModel, buildModel, epochShuffleRng, outputShapeOf } from './built-model';
import type { ArrayInput, BatchSource } from './data-set';
import { DataSet } from './data-set';
import { ConfigError, Dl4tsError, ShapeError, formatShape } from './errors';
import type { FitOptions } from './fit-loop';
import { runFit } from './fit-loop';
import { forward, forwardContext, forwardOutput } from './forward-pass';
import { checkBatch, checkFeatures, checkMask } from './input-checks';
import type { Layer, RecurrentState, Shape } from './layer';
import type { FitResult } from './listener';
import type { NetworkConfig } from './network-config';
import { DEFAULT_SEED } from './network-config';
import { trainingTarget } from './network-target';
import { layerParams } from './param-store';
import type { PretrainOptions } from './pretrain';
import { pretrainLayer } from './pretrain';
import type { Rng } from './random';
import type { Registry } from './registry';
import { defaultRegistry } from './registry';
import { formatSummary } from './summary';
import type { Batch, RecurrentStates, TrainingStrategy } from './training-strategy';

export type { FitOptions } from './fit-loop';
export { DEFAULT_UPDATER } from './param-store';

/** Options of {@link Network}'s constructor. */
export interface NetworkOptions {
  registry?: Registry;
  /** Receives configuration warnings (mismatched output activation and loss). Default `console.warn`. */
  onWarning?: (message: string) => void;
}

/**
 * A feed-forward network: layers built from config through the registry, trained by a
 * {@link TrainingStrategy}. Parameters are tfjs variables owned by the network; call
 * {@link Network.dispose} when done.
 *
 * The class is the model users hold; each concern lives in its own module: building
 * (`built-model.ts`), the forward pass (`forward-pass.ts`), parameters and updater state
 * (`param-store.ts`), the update pipeline (`update-pipeline.ts`), what strategies see
 * (`network-target.ts`), the fit loop (`fit-loop.ts`), pretraining (`pretrain.ts`) and input
 * checks (`input-checks.ts`).
 */
export class Network {
  readonly config: NetworkConfig;
  readonly registry: Registry;
  /** Configuration warnings found by the last {@link Network.init}. */
  readonly warnings: string[] = [];
  /** Receives configuration warnings and training's (a diverged epoch). */
  readonly onWarning: (message: string) => void;
  private model: BuiltModel | undefined;
  private strategy: TrainingStrategy | undefined;
  private disposed = false;
  private readonly counters: Counters = { iteration: 0, epoch: 0 };

  constructor(config: NetworkConfig, options: NetworkOptions = {}) {
    if (config === null || typeof config !== 'object') throw new ConfigError(`Network: expected a config object, received ${String(config)}`);
    if (!Array.isArray(config.layers) || config.layers.length === 0) throw new ConfigError('Network: config.layers must be a non-empty array of layer configs');
    this.config = structuredClone(config);
    this.registry = options.registry ?? defaultRegistry;
    this.onWarning = options.onWarning ?? ((message) => console.warn(`dl4ts: ${message}`));
    attachModel(this, () => this.model);
  }

  /** Builds every layer and creates its parameters from the seed (or `seed`, if given). */
  init(seed?: number): this {
    if (seed !== undefined) this.config.seed = seed;
    this.dispose();
    this.counters.iteration = 0;
    this.counters.epoch = 0;
    const built = buildModel(this.config, this.registry, this.counters);
    this.model = built.model;
    this.strategy = built.strategy;
    this.disposed = false;
    this.warnings.length = 0;
    for (const warning of built.warnings) {
      this.warnings.push(warning);
      this.onWarning(warning);
    }
    return this;
  }

  /**
   * The shuffling stream of the current epoch, derived from the seed and the epoch counter alone,
   * so a run resumed from saved counters shuffles exactly as the uninterrupted run would. Public so
   * that other trainers (`@dl4ts/parallel`) deal minibatches in the order `fit` would use.
   */
  shuffleRng(): Rng {
    return epochShuffleRng(this.config.seed ?? DEFAULT_SEED, this.counters.epoch);
  }

  /** The built layers, in order. */
  get layers(): readonly Layer[] {
    return this.built().layers;
  }

  /** Per-example output shape. */
  get outputShape(): Shape {
    return outputShapeOf(this.built());
  }

  /** Iterations (minibatches) and epochs trained so far. */
  get iteration(): number {
    return this.counters.iteration;
  }
  get epoch(): number {
    return this.counters.epoch;
  }

  /**
   * Network output (after the output activation) for a batch `[n, ...input]`; sequences are
   * `[n, time, features]` with an optional `featuresMask` `[n, time]`. Caller disposes.
   */
  output(features: tf.Tensor, options: { training?: boolean; featuresMask?: tf.Tensor } = {}): tf.Tensor {
    const model = this.built();
    checkFeatures(model, features);
    checkMask(options.featuresMask, features, 'featuresMask');
    const params = model.params.current();
    const extras = { mask: options.featuresMask };
    return tf.tidy(() => (options.training === true ? forward(model, features, true, params, extras).output : forwardOutput(model, features, params, extras)));
  }

  /**
   * Inference output starting from the given recurrent `state` (by layer name; zeros for layers
   * not listed), and every recurrent layer's state after the last step. This is the primitive of
   * stateful stepping (`@dl4ts/rnn`'s `RnnStepper`). The caller disposes the output and the state.
   */
  outputWithState(features: tf.Tensor, options: { state?: RecurrentStates; featuresMask?: tf.Tensor } = {}): { output: tf.Tensor; state: Map<string, RecurrentState> } {
    const model = this.built();
    checkFeatures(model, features);
    checkMask(options.featuresMask, features, 'featuresMask');
    const collect = new Map<string, RecurrentState>();
    const output = tf.tidy(() => {
      const out = forward(model, features, false, model.params.current(), { mask: options.featuresMask, state: options.state, collect }).output;
      for (const state of collect.values()) for (const t of Object.values(state)) tf.keep(t);
      return out;
    });
    return { output, state: collect };
  }

  /** Output of every layer, in order (activations after each layer). Caller disposes. */
  feedForward(features: tf.Tensor): tf.Tensor[] {
    const model = this.built();
    checkFeatures(model, features);
    const params = model.params.current();
    const context = forwardContext(model, false);
    const outputs: tf.Tensor[] = [];
    let x = features;
    for (const layer of model.layers) {
      x = tf.tidy(() => layer.forward(x, layerParams(layer, params), context));
      outputs.push(x);
    }
    return outputs;
  }

  /** Predicted class index per example. Caller disposes. */
  predict(features: tf.Tensor): tf.Tensor1D {
    return tf.tidy(() => tf.argMax(this.output(features), 1) as tf.Tensor1D);
  }

  /** Mean loss plus regularisation on a batch (with optional sequence masks), read asynchronously. */
  async score(features: tf.Tensor, labels: tf.Tensor, masks: { featuresMask?: tf.Tensor; labelsMask?: tf.Tensor } = {}): Promise<number> {
    const model = this.built();
    const batch: Batch = { features, labels, ...masks };
    checkBatch(model, batch);
    const s = tf.tidy(() => trainingTarget(model).score(batch, false));
    const value = (await s.data())[0] as number;
    s.dispose();
    return value;
  }

  /**
   * Trains for `epochs` passes over the data, one strategy step per minibatch (see `fit-loop.ts`).
   * `data` is a {@link BatchSource} (a {@link DataSet}, a streaming source) or plain
   * `{ features, labels }` arrays, converted (and freed) here.
   */
  async fit(data: BatchSource | { features: ArrayInput; labels: ArrayInput }, options: FitOptions = {}): Promise<FitResult> {
    const model = this.built();
    if ('batches' in data) return runFit(this, model, this.strategy as TrainingStrategy, data, options);
    const owned = DataSet.from(data.features, data.labels);
    try {
      return await runFit(this, model, this.strategy as TrainingStrategy, owned, options);
    } finally {
      owned.dispose();
    }
  }

  /**
   * Greedy layer-wise pretraining of one pretrainable layer (an autoencoder, an RBM) on the
   * output of the layers below it, computed in inference mode. Only features are used. Returns the
   * mean unsupervised score of each epoch. State the layer proposes through `setState` is committed
   * after each step. A `frozen` layer is pretrained too: `frozen` only keeps it out of `fit`.
   */
  async pretrainLayer(layerName: string, data: BatchSource, options: PretrainOptions = {}): Promise<number[]> {
    return pretrainLayer(this.built(), layerName, data, options);
  }

  /** Parameter names, `<layer>/<param>`, in layer order. */
  paramNames(): string[] {
    return [...this.built().params.slots.keys()];
  }

  /** A copy of one parameter's values. Caller disposes. */
  getParam(name: string): tf.Tensor {
    return this.built().params.slot(name).variable.clone();
  }

  /** Replaces one parameter's values; the shape must match. */
  setParam(name: string, value: tf.Tensor): void {
    const slot = this.built().params.slot(name);
    if (!tf.util.arraysEqual(slot.variable.shape, value.shape)) {
      throw new ShapeError(`setParam("${name}"): received shape ${formatShape(value.shape)}, expected ${formatShape(slot.variable.shape)}`, value.shape, slot.variable.shape);
    }
    tf.tidy(() => slot.variable.assign(tf.cast(value, 'float32')));
  }

  /** Number of parameters, in total or for one layer (0 before {@link Network.init}). */
  numParams(layer?: string): number {
    return this.model?.params.count(layer) ?? 0;
  }

  /** A table of layers with their output shapes and parameter counts. */
  summary(): string {
    const model = this.built();
    return formatSummary(model.shapes, model.layers.map((layer) => ({ name: layer.config.name, type: layer.key, params: model.params.count(layer.config.name) })));
  }

  /**
   * Every updater's state as named tensors, keyed `<layer>/<param>/<state name>` (the model's own
   * tensors: do not dispose them). With {@link Network.setUpdaterState} and the counters, a run
   * resumes exactly.
   */
  updaterState(): Map<string, tf.Tensor> {
    return this.built().params.updaterState();
  }

  /**
   * Replaces updater state from {@link Network.updaterState}'s layout. Every key the model has must
   * be present with the same shape, and no other; values are copied.
   */
  setUpdaterState(values: ReadonlyMap<string, tf.Tensor>): void {
    this.built().params.setUpdaterState(values);
  }

  /** Sets the iteration and epoch counters (resuming a run, so schedules continue). */
  setCounters(counters: { iteration: number; epoch: number }): void {
    for (const [name, v] of Object.entries(counters)) {
      if (!Number.isInteger(v) || v < 0) throw new ConfigError(`setCounters: ${name} must be a non-negative integer, received ${String(v)}`);
    }
    this.counters.iteration = counters.iteration;
    this.counters.epoch = counters.epoch;
  }

  /** Frees parameters and updater state. The network can be initialised again. */
  dispose(): void {
    if (this.model !== undefined) {
      this.model.params.dispose();
      this.disposed = true;
    }
    this.strategy?.dispose?.();
    this.strategy = undefined;
    this.model = undefined;
  }

  /** The built model; a usage error saying what to do when there is none. */
  private built(): BuiltModel {
    if (this.model !== undefined) return this.model;
    if (this.disposed) throw new Dl4tsError('DL4TS_DISPOSED', 'Network: this network was disposed, so its parameters are gone; call init() to build it again from its config, or load a saved copy');
    throw new Dl4tsError('DL4TS_NOT_INITIALISED', 'Network: call init() before using the network');
  }
}
