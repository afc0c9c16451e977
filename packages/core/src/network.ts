import * as tf from '@tensorflow/tfjs-core';
import { fusedApplyUpdate, scaledAdd, sumOfSquares } from './fused-kernels';
import type { Activation } from './activation';
import { backpropStrategy } from './backprop';
import type { ArrayInput, BatchSource } from './data-set';
import { DataSet } from './data-set';
import { ConfigError, Dl4tsError, ShapeError, formatShape } from './errors';
import type { BuildContext, ForwardContext, Layer, LayerCommonOptions, OutputLayer, ParamDeclaration, ParamMap, ParamRole, PretrainableLayer, RecurrentState, Shape } from './layer';
import { isOutputLayer, isPretrainable, isRecurrent } from './layer';
import type { EpochInfo, FitResult, IterationInfo, TrainingListener } from './listener';
import type { Loss } from './loss';
import type { NetworkConfig } from './network-config';
import { DEFAULT_SEED, activationLossWarning, inputShapeOf, resolveLayerConfig } from './network-config';
import { Rng } from './random';
import type { Registry, ResolvedConfig } from './registry';
import { defaultRegistry } from './registry';
import type { Batch, RecurrentStates, TrainingStrategy, TrainingTarget } from './training-strategy';
import type { Updater, UpdaterState } from './updater';
import type { WeightInit } from './weight-init';

/** Options of {@link Network.fit}. */
export interface FitOptions {
  epochs?: number;
  /** Default 32. */
  batchSize?: number;
  /** Shuffle each epoch with the network's seeded generator. Default true. */
  shuffle?: boolean;
  listeners?: readonly TrainingListener[];
  /** Stops training after the running iteration once aborted; the reason is reported in the result. */
  signal?: AbortSignal;
}

/** Options of {@link Network}'s constructor. */
export interface NetworkOptions {
  registry?: Registry;
  /** Receives configuration warnings (mismatched output activation and loss). Default `console.warn`. */
  onWarning?: (message: string) => void;
}

interface ParamSlot {
  readonly layer: string;
  readonly name: string;
  readonly role: ParamRole;
  /** Set by the layer's `frozen` option: left out of gradient training, still pretrainable. */
  readonly frozen: boolean;
  readonly variable: tf.Variable;
  readonly updater: Updater | undefined;
  state: UpdaterState;
  readonly l1: number;
  readonly l2: number;
  readonly weightDecay: number;
  readonly weightDecayApplyLR: boolean;
}

/** The updater of a trainable layer whose config names none (DL4J's SGD default). */
export const DEFAULT_UPDATER = { type: 'updaters/sgd', learningRate: 1e-3 };

/** What a forward pass may take besides features: the features mask and recurrent state. */
interface ForwardExtras {
  readonly mask?: tf.Tensor | undefined;
  /** Initial state of recurrent layers, by layer name. */
  readonly state?: RecurrentStates | undefined;
  /** When given, receives every recurrent layer's final state. */
  readonly collect?: Map<string, RecurrentState>;
}

/** Calls one hook on every listener in order, awaiting those that return a promise. */
async function notify(listeners: readonly TrainingListener[], call: (listener: TrainingListener) => void | Promise<void> | undefined): Promise<void> {
  for (const listener of listeners) {
    const pending = call(listener);
    if (pending !== undefined) await pending;
  }
}

function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason.message;
  return typeof reason === 'string' ? reason : 'aborted';
}

function disposeBatch(batch: Batch): void {
  tf.dispose([batch.features, batch.labels]);
  if (batch.featuresMask !== undefined) batch.featuresMask.dispose();
  if (batch.labelsMask !== undefined) batch.labelsMask.dispose();
}

/**
 * A feed-forward network: layers built from config through the registry, trained by a
 * {@link TrainingStrategy}. Parameters are tfjs variables owned by the network; call
 * {@link Network.dispose} when done.
 */
export class Network {
  readonly config: NetworkConfig;
  readonly registry: Registry;
  /** Configuration warnings found by the last {@link Network.init}. */
  readonly warnings: string[] = [];
  private readonly onWarning: (message: string) => void;
  private layerList: Layer[] = [];
  private slots = new Map<string, ParamSlot>();
  private shapes: Shape[] = [];
  private strategy: TrainingStrategy | undefined;
  private counters = { iteration: 0, epoch: 0 };
  /** State values proposed by layers during the current training step (e.g. running means). */
  private pendingState = new Map<string, tf.Tensor>();

  constructor(config: NetworkConfig, options: NetworkOptions = {}) {
    if (config === null || typeof config !== 'object') throw new ConfigError(`Network: expected a config object, received ${String(config)}`);
    if (!Array.isArray(config.layers) || config.layers.length === 0) throw new ConfigError('Network: config.layers must be a non-empty array of layer configs');
    this.config = structuredClone(config);
    this.registry = options.registry ?? defaultRegistry;
    this.onWarning = options.onWarning ?? ((message) => console.warn(`dl4ts: ${message}`));
  }

  private get seed(): number {
    return this.config.seed ?? DEFAULT_SEED;
  }

  /** Builds every layer and creates its parameters from the seed (or `seed`, if given). */
  init(seed?: number): this {
    if (seed !== undefined) this.config.seed = seed;
    this.dispose();
    const inputShape = inputShapeOf(this.config);
    // Build every layer and validate the whole stack before any tensor is allocated.
    this.shapes = [inputShape];
    const layers: Layer[] = [];
    const declared: ParamDeclaration[][] = [];
    const names = new Set<string>();
    this.config.layers.forEach((raw, index) => {
      const config = resolveLayerConfig(this.registry, this.config.defaults, raw, index);
      if (names.has(config.name)) throw new ConfigError(`Network: two layers are named "${config.name}"; layer names must be unique`);
      names.add(config.name);
      const layer = this.registry.definition('layer', config.type).create(config) as Layer;
      const declarations: ParamDeclaration[] = [];
      this.shapes.push(layer.build(this.shapes[index] as Shape, this.buildContext(declarations)));
      declared.push(declarations);
      layers.push(layer);
    });
    const last = layers[layers.length - 1] as Layer;
    if (!isOutputLayer(last)) {
      throw new ConfigError(`Network: the last layer "${last.config.name}" (${last.key}) has no loss; end the network with an output layer such as "layers/output"`);
    }
    const strategyRef = this.strategyRef();
    const strategy = strategyRef === undefined ? backpropStrategy() : this.registry.create<TrainingStrategy>('strategy', strategyRef);
    this.warnings.length = 0;
    const warning = activationLossWarning(last.config.name, last.activation.key, last.loss.key);
    if (warning !== undefined) {
      this.warnings.push(warning);
      this.onWarning(warning);
    }
    this.layerList = layers;
    this.strategy = strategy;
    this.counters = { iteration: 0, epoch: 0 };
    try {
      const initRng = new Rng(this.seed);
      layers.forEach((layer, i) => this.createParams(layer, declared[i] as ParamDeclaration[], initRng));
    } catch (error) {
      this.dispose();
      throw error;
    }
    return this;
  }

  /**
   * The shuffling stream of the current epoch, derived from the seed and the epoch counter alone,
   * so a run resumed from saved counters shuffles exactly as the uninterrupted run would. Public so
   * that other trainers (`@dl4ts/parallel`) deal minibatches in the order `fit` would use.
   */
  shuffleRng(): Rng {
    return new Rng(this.seed ^ 0x5bd1e995 ^ Math.imul(this.counters.epoch + 1, 0x9e3779b1));
  }

  /** `strategy`, or the DL4J `optimizationAlgo` it stands for; undefined means backprop. */
  private strategyRef(): NetworkConfig['strategy'] {
    const { strategy, optimizationAlgo } = this.config;
    if (optimizationAlgo === undefined) return strategy;
    if (strategy !== undefined) throw new ConfigError('Network: set either strategy or optimizationAlgo (its DL4J name), not both');
    if (typeof optimizationAlgo !== 'string') throw new ConfigError(`Network: optimizationAlgo must be a string such as "LBFGS", received ${JSON.stringify(optimizationAlgo)}`);
    const folded = optimizationAlgo.toLowerCase().replace(/[-_]/g, '');
    return folded === 'stochasticgradientdescent' || folded === 'backprop' ? undefined : (optimizationAlgo as NetworkConfig['strategy']);
  }

  /** The built layers, in order. */
  get layers(): readonly Layer[] {
    this.assertBuilt();
    return this.layerList;
  }

  /** Per-example output shape. */
  get outputShape(): Shape {
    this.assertBuilt();
    return this.shapes[this.shapes.length - 1] as Shape;
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
    this.assertBuilt();
    this.checkFeatures(features);
    this.checkMask(options.featuresMask, features, 'featuresMask');
    const params = this.currentParams();
    const extras = { mask: options.featuresMask };
    return tf.tidy(() => (options.training === true ? this.forward(features, true, params, extras).output : this.forwardOutput(features, params, extras)));
  }

  /**
   * Inference output starting from the given recurrent `state` (by layer name; zeros for layers
   * not listed), and every recurrent layer's state after the last step. This is the primitive of
   * stateful stepping (`@dl4ts/rnn`'s `RnnStepper`). The caller disposes the output and the state.
   */
  outputWithState(features: tf.Tensor, options: { state?: RecurrentStates; featuresMask?: tf.Tensor } = {}): { output: tf.Tensor; state: Map<string, RecurrentState> } {
    this.assertBuilt();
    this.checkFeatures(features);
    this.checkMask(options.featuresMask, features, 'featuresMask');
    const collect = new Map<string, RecurrentState>();
    const output = tf.tidy(() => {
      const out = this.forward(features, false, this.currentParams(), { mask: options.featuresMask, state: options.state, collect }).output;
      for (const state of collect.values()) for (const t of Object.values(state)) tf.keep(t);
      return out;
    });
    return { output, state: collect };
  }

  /** Output of every layer, in order (activations after each layer). Caller disposes. */
  feedForward(features: tf.Tensor): tf.Tensor[] {
    this.assertBuilt();
    this.checkFeatures(features);
    const params = this.currentParams();
    const context = this.context(false);
    const outputs: tf.Tensor[] = [];
    let x = features;
    for (const layer of this.layerList) {
      x = tf.tidy(() => layer.forward(x, this.layerParams(layer, params), context));
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
    this.assertBuilt();
    const batch: Batch = { features, labels, ...masks };
    this.checkBatch(batch);
    const s = tf.tidy(() => this.target().score(batch, false));
    const value = (await s.data())[0] as number;
    s.dispose();
    return value;
  }

  /**
   * Trains for `epochs` passes over the data, one strategy step per minibatch. The mean score of
   * each epoch is read once, at its end; nothing is read synchronously inside the loop.
   *
   * `data` is a {@link BatchSource} (a {@link DataSet}, a streaming source) or plain
   * `{ features, labels }` arrays, converted (and freed) here.
   */
  async fit(data: BatchSource | { features: ArrayInput; labels: ArrayInput }, options: FitOptions = {}): Promise<FitResult> {
    this.assertBuilt();
    if (!('batches' in data)) {
      const owned = DataSet.from(data.features, data.labels);
      try {
        return await this.fit(owned, options);
      } finally {
        owned.dispose();
      }
    }
    const epochs = options.epochs ?? 1;
    const batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(epochs) || epochs < 0) throw new ConfigError(`fit: epochs must be a non-negative integer, received ${epochs}`);
    if (!Number.isInteger(batchSize) || batchSize <= 0) throw new ConfigError(`fit: batchSize must be a positive integer, received ${batchSize}`);
    if (data instanceof DataSet) {
      await data.check();
      this.checkFeatures(data.features);
      this.checkLabelShape(data.labels, data.features.shape[0] as number);
      await this.outputLayer().loss.checkLabels?.(data.labels, this.outputWidth());
    }
    const strategy = this.strategy as TrainingStrategy;
    const target = this.target();
    const listeners = options.listeners ?? [];
    const meanScores: number[] = [];
    let stopReason: string | undefined;
    const stop = (reason: string): void => {
      stopReason ??= reason;
    };
    const checkSignal = (): void => {
      if (options.signal?.aborted === true) stop(abortReason(options.signal));
    };
    const size = data.size;
    await notify(listeners, (l) => l.onFitStart?.({
      network: this,
      epochs,
      batchSize,
      startEpoch: this.counters.epoch,
      startIteration: this.counters.iteration,
      examplesPerEpoch: size,
      batchesPerEpoch: size === undefined ? undefined : Math.ceil(size / batchSize),
    }));
    checkSignal();
    for (let e = 0; e < epochs && stopReason === undefined; e++) {
      let sum: tf.Tensor = tf.scalar(0);
      let batches = 0;
      let examples = 0;
      try {
        for await (const batch of data.batches(batchSize, options.shuffle === false ? undefined : this.shuffleRng())) {
          let score: tf.Tensor;
          const count = batch.features.shape[0] as number;
          try {
            this.checkBatch(batch);
            score = strategy.step(target, batch);
            this.commitState();
            const next = tf.add(sum, score);
            sum.dispose();
            sum = next;
            batches++;
            examples += count;
            this.counters.iteration++;
          } finally {
            this.discardState();
            disposeBatch(batch);
          }
          if (listeners.length > 0) {
            const held = score;
            const info: IterationInfo = {
              network: this,
              epoch: this.counters.epoch,
              iteration: this.counters.iteration,
              batchInEpoch: batches,
              examples: count,
              score: async () => {
                if (held.isDisposed) throw new Dl4tsError('DL4TS_USAGE', 'IterationInfo.score() was called after the listener call returned; read it during the call');
                return (await held.data())[0] as number;
              },
              stop,
            };
            try {
              await notify(listeners, (l) => l.onIterationEnd?.(info));
            } finally {
              held.dispose();
            }
          } else {
            score.dispose();
          }
          checkSignal();
          if (stopReason !== undefined) break;
        }
      } catch (error) {
        sum.dispose();
        throw error;
      }
      const meanScore = batches === 0 ? Number.NaN : ((await sum.data())[0] as number) / batches;
      sum.dispose();
      // An epoch cut short by a stop is not counted: a resumed run starts it again.
      if (stopReason !== undefined) break;
      this.counters.epoch++;
      meanScores.push(meanScore);
      const info: EpochInfo = { network: this, epoch: this.counters.epoch, iteration: this.counters.iteration, meanScore, batches, examples, stop };
      await notify(listeners, (l) => l.onEpochEnd?.(info));
      checkSignal();
    }
    await notify(listeners, (l) => l.onFitEnd?.({ network: this, epoch: this.counters.epoch, iteration: this.counters.iteration, stopReason }));
    return { epochs: meanScores.length, meanScores, stopReason };
  }

  /**
   * Greedy layer-wise pretraining of one pretrainable layer (an autoencoder, an RBM) on the
   * output of the layers below it, computed in inference mode. Only features are used. Returns the
   * mean unsupervised score of each epoch. State the layer proposes through `setState` is committed
   * after each step. A `frozen` layer is pretrained too: `frozen` only keeps it out of `fit`.
   */
  async pretrainLayer(layerName: string, data: BatchSource, options: { epochs?: number; batchSize?: number; shuffle?: boolean } = {}): Promise<number[]> {
    this.assertBuilt();
    const index = this.layerList.findIndex((l) => l.config.name === layerName);
    if (index < 0) throw new ConfigError(`pretrainLayer: no layer named "${layerName}"; layers: ${this.layerList.map((l) => l.config.name).join(', ')}`);
    const layer = this.layerList[index] as Layer;
    if (!isPretrainable(layer)) throw new ConfigError(`pretrainLayer: layer "${layerName}" (${layer.key}) is not pretrainable`);
    const epochs = options.epochs ?? 1;
    const scores: number[] = [];
    for (let e = 0; e < epochs; e++) {
      let sum: tf.Tensor = tf.scalar(0);
      let batches = 0;
      // Pretraining does not advance the epoch counter, so each epoch's order also depends on the
      // iteration counter: a new order every epoch, and the same order in a resumed run.
      const order = options.shuffle === false ? undefined : new Rng(this.shuffleRng().nextUint32() ^ Math.imul(this.counters.iteration + 1, 0x85ebca6b));
      for await (const batch of data.batches(options.batchSize ?? 32, order)) {
        try {
          this.checkFeatures(batch.features);
          const score = this.pretrainStep(index, layer, batch.features);
          // State the layer proposed (persistent CD chains, for instance) is committed as in fit.
          this.commitState();
          const next = tf.add(sum, score);
          tf.dispose([sum, score]);
          sum = next;
          batches++;
        } finally {
          this.discardState();
          disposeBatch(batch);
        }
      }
      scores.push(batches === 0 ? Number.NaN : ((await sum.data())[0] as number) / batches);
      sum.dispose();
    }
    return scores;
  }

  /** Parameter names, `<layer>/<param>`, in layer order. */
  paramNames(): string[] {
    this.assertBuilt();
    return [...this.slots.keys()];
  }

  /** A copy of one parameter's values. Caller disposes. */
  getParam(name: string): tf.Tensor {
    return this.slot(name).variable.clone();
  }

  /** Replaces one parameter's values; the shape must match. */
  setParam(name: string, value: tf.Tensor): void {
    const slot = this.slot(name);
    if (!tf.util.arraysEqual(slot.variable.shape, value.shape)) {
      throw new ShapeError(`setParam("${name}"): received shape ${formatShape(value.shape)}, expected ${formatShape(slot.variable.shape)}`, value.shape, slot.variable.shape);
    }
    tf.tidy(() => slot.variable.assign(tf.cast(value, 'float32')));
  }

  /** Number of parameters, in total or for one layer. */
  numParams(layer?: string): number {
    let n = 0;
    for (const slot of this.slots.values()) if (layer === undefined || slot.layer === layer) n += slot.variable.size;
    return n;
  }

  /** A table of layers with their output shapes and parameter counts. */
  summary(): string {
    this.assertBuilt();
    const rows = this.layerList.map((layer, i) => [layer.config.name, layer.key, formatShape(this.shapes[i + 1] as Shape), String(this.numParams(layer.config.name))]);
    const header = ['name', 'type', 'output', 'params'];
    const total = ['total', '', '', String(this.numParams())];
    const all = [header, ...rows, total];
    const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] as string).length)));
    const line = (r: string[]) => r.map((cell, c) => cell.padEnd(widths[c] as number)).join('  ').trimEnd();
    return [`input ${formatShape(this.shapes[0] as Shape)}`, line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line), line(total)].join('\n');
  }

  /** Frees parameters and updater state. The network can be initialised again. */
  dispose(): void {
    for (const slot of this.slots.values()) {
      slot.variable.dispose();
      for (const t of Object.values(slot.state)) t.dispose();
    }
    this.slots.clear();
    this.discardState();
    this.strategy?.dispose?.();
    this.strategy = undefined;
    this.layerList = [];
  }

  private assertBuilt(): void {
    if (this.layerList.length === 0) throw new Dl4tsError('DL4TS_NOT_INITIALISED', 'Network: call init() before using the network');
  }

  private slot(name: string): ParamSlot {
    this.assertBuilt();
    const slot = this.slots.get(name);
    if (slot === undefined) throw new ConfigError(`Unknown parameter "${name}"; known: ${[...this.slots.keys()].join(', ')}`);
    return slot;
  }

  private outputLayer(): OutputLayer {
    return this.layerList[this.layerList.length - 1] as OutputLayer;
  }

  private outputWidth(): number {
    const shape = this.outputShape;
    return shape[shape.length - 1] as number;
  }

  private buildContext(declarations: ParamDeclaration[]): BuildContext {
    return {
      activation: (ref) => this.registry.create<Activation>('activation', ref ?? 'identity'),
      weightInit: (ref) => this.registry.create<WeightInit>('weightInit', ref ?? 'xavier'),
      loss: (ref) => this.registry.create<Loss>('loss', ref),
      addParam: (declaration) => {
        if (declarations.some((d) => d.name === declaration.name)) throw new ConfigError(`A layer declared parameter "${declaration.name}" twice`);
        declarations.push(declaration);
      },
    };
  }

  private createParams(layer: Layer, declarations: ParamDeclaration[], rng: Rng): void {
    const cfg = layer.config as ResolvedConfig & LayerCommonOptions;
    for (const d of declarations) {
      const values = d.init.init({ shape: d.shape, fanIn: d.fanIn, fanOut: d.fanOut, rng });
      const expected = d.shape.reduce((a, b) => a * b, 1);
      if (values.length !== expected) throw new ShapeError(`Weight init ${d.init.key} produced ${values.length} values for "${layer.config.name}/${d.name}", expected ${expected}`);
      const initial = tf.tensor(values, [...d.shape], 'float32');
      const variable = tf.variable(initial, d.role !== 'state');
      initial.dispose(); // the variable holds its own reference to the data
      const trainable = d.role !== 'state';
      const updaterRef = d.role === 'bias' ? (cfg.biasUpdater ?? cfg.updater) : cfg.updater;
      const updater = trainable ? this.registry.create<Updater>('updater', updaterRef ?? DEFAULT_UPDATER) : undefined;
      const bias = d.role === 'bias';
      this.slots.set(`${layer.config.name}/${d.name}`, {
        layer: layer.config.name,
        name: d.name,
        role: d.role,
        frozen: cfg.frozen === true,
        variable,
        updater,
        state: updater === undefined ? {} : tf.tidy(() => updater.initState(variable)),
        l1: trainable ? ((bias ? cfg.l1Bias : cfg.l1) ?? 0) : 0,
        l2: trainable ? ((bias ? cfg.l2Bias : cfg.l2) ?? 0) : 0,
        weightDecay: trainable ? ((bias ? cfg.weightDecayBias : cfg.weightDecay) ?? 0) : 0,
        weightDecayApplyLR: cfg.weightDecayApplyLR ?? true,
      });
    }
  }

  private currentParams(): Map<string, tf.Tensor> {
    const params = new Map<string, tf.Tensor>();
    for (const [key, slot] of this.slots) params.set(key, slot.variable);
    return params;
  }

  private context(training: boolean, layer?: Layer, mask?: tf.Tensor): ForwardContext {
    // Each layer gets its own stream per step, so two dropout layers never share a mask.
    const index = layer === undefined ? -1 : this.layerList.indexOf(layer);
    const rng = new Rng(this.seed ^ Math.imul(this.counters.iteration + 1, 0x27d4eb2d) ^ Math.imul(index + 2, 0x165667b1));
    const withMask = mask === undefined ? {} : { mask };
    if (!training || layer === undefined) return { training, rng, ...withMask };
    const prefix = `${layer.config.name}/`;
    return {
      training,
      rng,
      ...withMask,
      setState: (param, value) => {
        const key = prefix + param;
        if (this.slots.get(key)?.role !== 'state') throw new ConfigError(`Layer "${layer.config.name}" set "${param}", which is not one of its state parameters`);
        this.pendingState.get(key)?.dispose();
        this.pendingState.set(key, tf.keep(value));
      },
    };
  }

  /** Inverted dropout on a layer's input, DL4J's convention: `dropout` is the retain probability. */
  private dropout(x: tf.Tensor, layer: Layer, rng: Rng): tf.Tensor {
    const keep = (layer.config as LayerCommonOptions).dropout;
    if (keep === undefined || keep >= 1) return x;
    // tfjs draws seeded uniforms on the host, so the mask is the same on every backend.
    const mask = tf.cast(tf.less(tf.randomUniform(x.shape, 0, 1, 'float32', rng.nextUint32()), keep), 'float32');
    return tf.mul(x, tf.div(mask, keep));
  }

  private forward(features: tf.Tensor, training: boolean, params: ReadonlyMap<string, tf.Tensor>, extras: ForwardExtras = {}): { output: tf.Tensor; preOutput: tf.Tensor } {
    const x = this.forwardHidden(features, training, params, extras);
    const out = this.outputLayer();
    const context = this.context(training, out, extras.mask);
    const input = training ? this.dropout(x, out, context.rng) : x;
    const preOutput = out.preOutput(input, this.layerParams(out, params), context);
    return { preOutput, output: out.activation.apply(preOutput, context) };
  }

  /** The output alone, for inference: the output layer's `forward`, which may fuse its activation into the product. */
  private forwardOutput(features: tf.Tensor, params: ReadonlyMap<string, tf.Tensor>, extras: ForwardExtras = {}): tf.Tensor {
    const x = this.forwardHidden(features, false, params, extras);
    const out = this.outputLayer();
    return out.forward(x, this.layerParams(out, params), this.context(false, out, extras.mask));
  }

  /** The layers below the output layer, in order: what the output layer receives. */
  private forwardHidden(features: tf.Tensor, training: boolean, params: ReadonlyMap<string, tf.Tensor>, extras: ForwardExtras): tf.Tensor {
    let x = features;
    const last = this.layerList.length - 1;
    for (let i = 0; i < last; i++) {
      const layer = this.layerList[i] as Layer;
      const context = this.context(training, layer, extras.mask);
      if (training) x = this.dropout(x, layer, context.rng);
      if (isRecurrent(layer) && (extras.state !== undefined || extras.collect !== undefined)) {
        const result = layer.forwardWithState(x, this.layerParams(layer, params), context, extras.state?.get(layer.config.name));
        extras.collect?.set(layer.config.name, result.state);
        x = result.output;
      } else {
        x = layer.forward(x, this.layerParams(layer, params), context);
      }
    }
    return x;
  }

  private pretrainStep(index: number, layer: PretrainableLayer, features: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const params = this.currentParams();
      let x = features;
      for (let i = 0; i < index; i++) {
        const below = this.layerList[i] as Layer;
        x = below.forward(x, this.layerParams(below, params), this.context(false));
      }
      const context = this.context(true, layer);
      const { score, gradients } = layer.pretrainGradients(x, this.layerParams(layer, params), context);
      // Layer-wise scores carry no penalty; applyGradients adds its gradient to the update.
      const prefix = `${layer.config.name}/`;
      const regularised = Object.entries(gradients).map(([name, g]): [string, tf.Tensor] => [prefix + name, g]);
      this.applyGradients(new Map(regularised));
      this.counters.iteration++;
      return score;
    });
  }

  /** Assigns the state values layers proposed during the step that just finished. */
  private commitState(): void {
    for (const [key, value] of this.pendingState) (this.slots.get(key) as ParamSlot).variable.assign(value);
    this.discardState();
  }

  private discardState(): void {
    for (const value of this.pendingState.values()) value.dispose();
    this.pendingState.clear();
  }

  private layerParams(layer: Layer, params: ReadonlyMap<string, tf.Tensor>): ParamMap {
    const result: Record<string, tf.Tensor> = {};
    const prefix = `${layer.config.name}/`;
    for (const [key, value] of params) if (key.startsWith(prefix)) result[key.slice(prefix.length)] = value;
    return result;
  }

  private checkFeatures(features: tf.Tensor): void {
    const expected = this.shapes[0] as Shape;
    const got = features.shape.slice(1);
    if (features.rank !== expected.length + 1 || !sameShape(got, expected)) {
      const first = this.layerList[0] as Layer;
      const detail =
        features.rank === 2 && expected.length === 1
          ? `input has ${features.shape[1]} features, expected ${expected[0]}`
          : `input has shape ${formatShape(features.shape)}, expected [batch, ${expected.join(', ')}]`;
      throw new ShapeError(`Layer "${first.config.name}" (${first.key}): ${detail}`, features.shape, [-1, ...expected]);
    }
  }

  private checkLabelShape(labels: tf.Tensor, rows: number): void {
    const out = this.outputLayer();
    const nOut = this.outputWidth();
    const width = out.loss.labelWidth?.(nOut) ?? nOut;
    const shape = this.outputShape;
    const expected = [...shape.slice(0, -1), width];
    if (labels.rank !== expected.length + 1 || !sameShape(labels.shape.slice(1), expected)) {
      throw new ShapeError(
        `Output layer "${out.config.name}" (${out.loss.key}): labels have shape ${formatShape(labels.shape)}, expected [batch, ${expected.join(', ')}]`,
        labels.shape,
        [-1, ...expected],
      );
    }
    if (labels.shape[0] !== rows) {
      throw new ShapeError(`Minibatch has ${rows} feature rows but ${labels.shape[0]} label rows`, [labels.shape[0] as number], [rows]);
    }
  }

  private checkBatch(batch: Batch): void {
    this.checkFeatures(batch.features);
    this.checkLabelShape(batch.labels, batch.features.shape[0] as number);
    this.checkMask(batch.featuresMask, batch.features, 'featuresMask');
    this.checkMask(batch.labelsMask, batch.labels, 'labelsMask');
  }

  /** A mask must be `[batch, time]` of the sequence it masks. */
  private checkMask(mask: tf.Tensor | undefined, of: tf.Tensor, name: string): void {
    if (mask === undefined) return;
    const what = name === 'featuresMask' ? 'features' : 'labels';
    if (of.rank !== 3) throw new ShapeError(`${name}: ${what} have shape ${formatShape(of.shape)}; a mask needs sequences [batch, time, size]`, of.shape, [-1, -1, -1]);
    const expected = [of.shape[0] as number, of.shape[1] as number];
    if (!tf.util.arraysEqual(mask.shape, expected)) {
      throw new ShapeError(`${name}: received shape ${formatShape(mask.shape)}, expected [batch, time] = ${formatShape(expected)} to match the ${what}`, mask.shape, expected);
    }
  }

  /**
   * The update pipeline, DL4J's order, for gradients of the data loss: gradient normalisation per
   * layer, then the L1/L2 penalty gradients, the updater, decoupled weight decay, and the in-place
   * update `w <- w - update`.
   */
  private applyGradients(gradients: ReadonlyMap<string, tf.Tensor>): void {
    const step = { iteration: this.counters.iteration, epoch: this.counters.epoch };
    const entries: [string, ParamSlot, tf.Tensor][] = [];
    for (const [key, gradient] of gradients) {
      const slot = this.slots.get(key);
      if (slot === undefined || slot.updater === undefined) throw new ConfigError(`applyGradients: "${key}" is not a trainable parameter`);
      entries.push([key, slot, gradient]);
    }
    const normalised = this.normaliseGradients(entries);
    for (const [key, slot, gradient] of normalised) {
      const updater = slot.updater as Updater;
      const old = slot.state;
      const decay = slot.weightDecay > 0 ? slot.weightDecay * (slot.weightDecayApplyLR ? (updater.learningRateAt?.(step) ?? 1) : 1) : 0;
      // One kernel for the whole update where the backend offers it (the native one); the same values.
      const rule = updater.fusedRule?.(step);
      const fused = rule === undefined ? undefined : fusedApplyUpdate(slot.variable, gradient, old, rule, { l1: slot.l1, l2: slot.l2, decay });
      let state: UpdaterState;
      if (fused !== undefined) {
        slot.variable.assign(fused.param);
        state = fused.state;
      } else {
        const applied = updater.apply(this.withPenaltyGradient(key, gradient, slot.variable), old, step);
        state = applied.state;
        const total = decay > 0 ? scaledAdd(applied.update, slot.variable, decay) : applied.update;
        slot.variable.assign(tf.sub(slot.variable, total));
      }
      for (const t of Object.values(state)) tf.keep(t);
      const kept = new Set(Object.values(state));
      for (const t of Object.values(old)) if (!kept.has(t)) t.dispose();
      slot.state = state;
    }
  }

  /** Each layer's gradient normalisation (DL4J's modes) over the gradients of its parameters. */
  private normaliseGradients(entries: [string, ParamSlot, tf.Tensor][]): [string, ParamSlot, tf.Tensor][] {
    const byLayer = new Map<string, [string, ParamSlot, tf.Tensor][]>();
    for (const entry of entries) {
      const group = byLayer.get(entry[1].layer) ?? [];
      group.push(entry);
      byLayer.set(entry[1].layer, group);
    }
    const result: [string, ParamSlot, tf.Tensor][] = [];
    for (const [layerName, group] of byLayer) {
      const cfg = this.layerList.find((l) => l.config.name === layerName)?.config as (LayerCommonOptions & ResolvedConfig) | undefined;
      const mode = cfg?.gradientNormalization ?? 'none';
      const threshold = cfg?.gradientNormalizationThreshold ?? 1;
      const l2 = (g: tf.Tensor) => tf.sqrt(tf.sum(tf.square(g)));
      // A tiny floor keeps an all-zero gradient at zero instead of 0/0.
      const safe = (norm: tf.Tensor) => tf.maximum(norm, 1e-30);
      switch (mode) {
        case 'none':
          result.push(...group);
          break;
        case 'renormalizeL2PerLayer': {
          const norm = safe(l2(tf.concat(group.map(([, , g]) => tf.reshape(g, [-1])))));
          for (const [k, slot, g] of group) result.push([k, slot, tf.div(g, norm)]);
          break;
        }
        case 'renormalizeL2PerParamType':
          for (const [k, slot, g] of group) result.push([k, slot, tf.div(g, safe(l2(g)))]);
          break;
        case 'clipElementWiseAbsoluteValue':
          for (const [k, slot, g] of group) result.push([k, slot, tf.clipByValue(g, -threshold, threshold)]);
          break;
        case 'clipL2PerLayer': {
          const norm = l2(tf.concat(group.map(([, , g]) => tf.reshape(g, [-1]))));
          const scale = tf.div(threshold, tf.maximum(norm, threshold)); // 1 when norm <= threshold
          for (const [k, slot, g] of group) result.push([k, slot, tf.mul(g, scale)]);
          break;
        }
        case 'clipL2PerParamType':
          for (const [k, slot, g] of group) result.push([k, slot, tf.mul(g, tf.div(threshold, tf.maximum(l2(g), threshold)))]);
          break;
        default:
          throw new ConfigError(`Layer "${layerName}": unknown gradientNormalization ${JSON.stringify(mode)}`);
      }
    }
    return result;
  }

  /**
   * Every updater's state as named tensors, keyed `<layer>/<param>/<state name>` (the model's own
   * tensors: do not dispose them). With {@link Network.setUpdaterState} and the counters, a run
   * resumes exactly.
   */
  updaterState(): Map<string, tf.Tensor> {
    this.assertBuilt();
    const result = new Map<string, tf.Tensor>();
    for (const [key, slot] of this.slots) for (const [name, t] of Object.entries(slot.state)) result.set(`${key}/${name}`, t);
    return result;
  }

  /**
   * Replaces updater state from {@link Network.updaterState}'s layout. Every key the model has must
   * be present with the same shape, and no other; values are copied.
   */
  setUpdaterState(values: ReadonlyMap<string, tf.Tensor>): void {
    const expected = this.updaterState();
    const missing = [...expected.keys()].filter((k) => !values.has(k));
    const extra = [...values.keys()].filter((k) => !expected.has(k));
    if (missing.length > 0 || extra.length > 0) {
      throw new ConfigError(`setUpdaterState: ${missing.length > 0 ? `missing ${missing.join(', ')}` : ''}${missing.length > 0 && extra.length > 0 ? '; ' : ''}${extra.length > 0 ? `unknown ${extra.join(', ')}` : ''}`);
    }
    for (const [key, current] of expected) {
      const value = values.get(key) as tf.Tensor;
      if (!tf.util.arraysEqual(value.shape, current.shape)) throw new ShapeError(`setUpdaterState: "${key}" has shape ${formatShape(value.shape)}, expected ${formatShape(current.shape)}`, value.shape, current.shape);
    }
    for (const slot of this.slots.values()) {
      const prefix = `${slot.layer}/${slot.name}/`;
      const next: UpdaterState = {};
      for (const name of Object.keys(slot.state)) next[name] = tf.keep(tf.tidy(() => tf.clone(tf.cast(values.get(prefix + name) as tf.Tensor, 'float32'))));
      for (const t of Object.values(slot.state)) t.dispose();
      slot.state = next;
    }
  }

  /** Sets the iteration and epoch counters (resuming a run, so schedules continue). */
  setCounters(counters: { iteration: number; epoch: number }): void {
    for (const [name, v] of Object.entries(counters)) {
      if (!Number.isInteger(v) || v < 0) throw new ConfigError(`setCounters: ${name} must be a non-negative integer, received ${String(v)}`);
    }
    this.counters = { iteration: counters.iteration, epoch: counters.epoch };
  }

  private target(): TrainingTarget {
    const counters = () => this.counters;
    const countersView = {
      get iteration() {
        return counters().iteration;
      },
      get epoch() {
        return counters().epoch;
      },
    };
    const trainable = new Map<string, tf.Tensor>();
    // Frozen layers are constants to every strategy: no gradient, no update, no penalty.
    for (const [key, slot] of this.slots) if (slot.role !== 'state' && !slot.frozen) trainable.set(key, slot.variable);
    const merged = (params?: ReadonlyMap<string, tf.Tensor>) => (params === undefined ? this.currentParams() : new Map([...this.currentParams(), ...params]));
    const dataScore = (batch: Batch, training: boolean, all: ReadonlyMap<string, tf.Tensor>, extras: ForwardExtras = {}): tf.Tensor => {
      const { preOutput } = this.forward(batch.features, training, all, { ...extras, mask: batch.featuresMask });
      return tf.mean(this.perExampleScore(batch, preOutput, training));
    };
    const penalty = (score: tf.Tensor, all: ReadonlyMap<string, tf.Tensor>): tf.Tensor => {
      let total = score;
      for (const [key, slot] of this.slots) {
        if (slot.frozen) continue;
        const w = all.get(key) as tf.Tensor;
        // DL4J's penalties: l1 * sum|w| + 0.5 * l2 * sum(w^2); gradients l1 * sign(w) + l2 * w.
        if (slot.l1 > 0) total = tf.add(total, tf.mul(slot.l1, tf.sum(tf.abs(w))));
        if (slot.l2 > 0) total = tf.add(total, tf.mul(0.5 * slot.l2, sumOfSquares(w)));
      }
      return total;
    };
    return {
      trainableParams: () => trainable,
      score: (batch, training, params, options) => {
        const all = merged(params);
        return penalty(dataScore(batch, training, all, { state: options?.recurrentState }), all);
      },
      scoreAndGradients: (batch, training, params, options) => {
        const all = merged(params);
        const penalties = options?.penalties ?? true;
        const names = [...trainable.keys()];
        const collect = new Map<string, RecurrentState>();
        const xs = names.map((name) => all.get(name) as tf.Tensor);
        // allowNoGradients: a parameter the loss does not reach (a pretrained layer's visible bias,
        // used only in pretraining) gets a zero gradient instead of failing the whole step.
        const { value, grads } = tf.engine().gradients(
          () => {
            const score = dataScore(batch, training, new Map([...all, ...names.map((name, i): [string, tf.Tensor] => [name, xs[i] as tf.Tensor])]), {
              state: options?.recurrentState,
              collect,
            });
            // The final state must outlive the gradient computation's own scope.
            for (const state of collect.values()) for (const t of Object.values(state)) tf.keep(t);
            return score;
          },
          xs,
          undefined,
          true,
        );
        const gradients = new Map<string, tf.Tensor>();
        names.forEach((name, i) => {
          const g = (grads[i] as tf.Tensor | undefined) ?? tf.zerosLike(xs[i] as tf.Tensor);
          gradients.set(name, penalties ? this.withPenaltyGradient(name, g, all.get(name) as tf.Tensor) : g);
        });
        // Hand the kept state to the caller's scope: clones are tracked there, the kept originals go.
        const recurrentState = new Map<string, RecurrentState>();
        for (const [layer, state] of collect) {
          recurrentState.set(layer, Object.fromEntries(Object.entries(state).map(([k, t]) => [k, tf.clone(t)])));
          tf.dispose(Object.values(state));
        }
        return { score: penalty(value, all), gradients, recurrentState };
      },
      applyGradients: (gradients) => this.applyGradients(gradients),
      setParams: (values) => {
        for (const [key, value] of values) {
          const variable = trainable.get(key) as tf.Variable | undefined;
          if (variable === undefined) throw new ConfigError(`setParams: "${key}" is not a trainable parameter`);
          if (!tf.util.arraysEqual(value.shape, variable.shape)) throw new ShapeError(`setParams: "${key}" has shape ${formatShape(value.shape)}, expected ${formatShape(variable.shape)}`, value.shape, variable.shape);
        }
        for (const [key, value] of values) (trainable.get(key) as tf.Variable).assign(value);
      },
      counters: countersView,
    };
  }

  /**
   * Per-example data scores `[batch]`. A sequence output `[batch, time, nOut]` is scored at every
   * step, as DL4J's RnnOutputLayer: rows are flattened to `[batch * time, nOut]` for the loss, the
   * labels mask (or else the features mask) removes padded steps, and an example's score is the
   * sum over its steps.
   */
  private perExampleScore(batch: Batch, preOutput: tf.Tensor, training: boolean): tf.Tensor {
    const out = this.outputLayer();
    const context = this.context(training);
    if (preOutput.rank !== 3) return out.loss.scoreArray({ labels: batch.labels, preOutput, activation: out.activation, context });
    const [n, steps, nOut] = preOutput.shape as [number, number, number];
    const featuresMask = batch.featuresMask?.shape[1] === steps ? batch.featuresMask : undefined;
    const mask = batch.labelsMask ?? featuresMask;
    const rows = n * steps;
    const flatMask = mask === undefined ? undefined : tf.reshape(tf.cast(mask, 'float32'), [rows, 1]);
    const labels = tf.reshape(batch.labels, [rows, batch.labels.shape[2] as number]);
    const input = { labels, preOutput: tf.reshape(preOutput, [rows, nOut]), activation: out.activation, context };
    let perStep = out.loss.scoreArray(flatMask === undefined ? input : { ...input, mask: tf.broadcastTo(flatMask, [rows, nOut]) });
    // Losses that ignore LossInput.mask are masked here too (masks hold 0 or 1, so twice is once).
    if (flatMask !== undefined) perStep = tf.mul(perStep, tf.reshape(flatMask, [rows]));
    return tf.sum(tf.reshape(perStep, [n, steps]), 1);
  }

  /** Adds the closed-form gradient of a parameter's penalties, `l1 sign(w) + l2 w`, to `gradient`. */
  private withPenaltyGradient(key: string, gradient: tf.Tensor, value: tf.Tensor): tf.Tensor {
    const slot = this.slots.get(key);
    let total = gradient;
    if (slot === undefined) return total; // applyGradients names the bad key
    if (slot.l1 > 0) total = tf.add(total, tf.mul(slot.l1, tf.sign(value)));
    if (slot.l2 > 0) total = scaledAdd(total, value, slot.l2);
    return total;
  }
}

/** Shapes equal, -1 in `expected` matching any size. */
function sameShape(actual: readonly number[], expected: readonly number[]): boolean {
  return actual.length === expected.length && expected.every((d, i) => d === -1 || d === actual[i]);
}
