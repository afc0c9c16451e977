import * as tf from '@tensorflow/tfjs-core';
import type { Activation } from './activation';
import { backpropStrategy } from './backprop';
import { ConfigError, Dl4tsError, ShapeError, formatShape } from './errors';
import type { BuildContext, Layer, LayerCommonOptions, OutputLayer, ParamDeclaration, ParamMap, ParamRole, Shape } from './layer';
import { isOutputLayer } from './layer';
import type { Loss } from './loss';
import { Rng } from './random';
import type { ComponentConfig, ComponentRef, Registry, ResolvedConfig } from './registry';
import { defaultRegistry } from './registry';
import type { Batch, TrainingStrategy, TrainingTarget } from './training-strategy';
import type { Updater, UpdaterState } from './updater';
import type { WeightInit } from './weight-init';

/** Any registered layer config: `{ type: 'layers/dense', nOut: 10, ... }`. */
export type LayerConfig = ComponentConfig<'layer'>;

/** Defaults applied to every layer that uses the option and does not set it. */
export type LayerDefaults = Omit<LayerCommonOptions, 'name'>;

/**
 * A multilayer network as plain, JSON-compatible data.
 *
 * @example
 * ```ts
 * const config: NetworkConfig = {
 *   seed: 42,
 *   input: [4],
 *   defaults: { weightInit: 'xavier', updater: { type: 'updaters/sgd', learningRate: 0.1 } },
 *   layers: [{ type: 'layers/output', nOut: 3, activation: 'softmax', loss: 'mcxent' }],
 * };
 * ```
 */
export interface NetworkConfig {
  /** Seed for weights, shuffling and stochastic layers. Default 12345 (DL4J's). */
  seed?: number;
  /** Shape of one example, without the batch dimension. */
  input: number | number[];
  defaults?: LayerDefaults;
  layers: LayerConfig[];
  /** How a minibatch becomes an update. Default: standard backprop. */
  strategy?: ComponentRef<'strategy'>;
}

/** Options of {@link Network.fit}. */
export interface FitOptions {
  epochs?: number;
  /** Default 32. */
  batchSize?: number;
  /** Shuffle each epoch with the network's seeded generator. Default true. */
  shuffle?: boolean;
  listeners?: readonly TrainingListener[];
}

/** Hears training progress. Score reads are asynchronous and happen once per epoch. */
export interface TrainingListener {
  onEpochEnd?(info: { epoch: number; iteration: number; meanScore: number; batches: number }): void | Promise<void>;
}

interface ParamSlot {
  readonly layer: string;
  readonly name: string;
  readonly role: ParamRole;
  readonly variable: tf.Variable;
  readonly updater: Updater;
  state: UpdaterState;
  readonly l1: number;
  readonly l2: number;
}

const DEFAULTABLE: readonly (keyof LayerDefaults)[] = ['activation', 'weightInit', 'biasInit', 'l1', 'l2', 'l1Bias', 'l2Bias', 'updater', 'biasUpdater'];
const DEFAULT_SEED = 12345;
const DEFAULT_UPDATER = { type: 'updaters/sgd', learningRate: 1e-3 };

/**
 * A feed-forward network: layers built from config through the registry, trained by a
 * {@link TrainingStrategy}. Parameters are tfjs variables owned by the network; call
 * {@link Network.dispose} when done.
 */
export class Network {
  readonly config: NetworkConfig;
  readonly registry: Registry;
  private layerList: Layer[] = [];
  private slots = new Map<string, ParamSlot>();
  private shapes: Shape[] = [];
  private strategy: TrainingStrategy | undefined;
  private rng: Rng;
  private counters = { iteration: 0, epoch: 0 };

  constructor(config: NetworkConfig, options: { registry?: Registry } = {}) {
    if (config === null || typeof config !== 'object') throw new ConfigError(`Network: expected a config object, received ${String(config)}`);
    if (!Array.isArray(config.layers) || config.layers.length === 0) throw new ConfigError('Network: config.layers must be a non-empty array of layer configs');
    this.config = structuredClone(config);
    this.registry = options.registry ?? defaultRegistry;
    this.rng = new Rng(this.seed);
  }

  private get seed(): number {
    return this.config.seed ?? DEFAULT_SEED;
  }

  /** Builds every layer and creates its parameters from the seed (or `seed`, if given). */
  init(seed?: number): this {
    if (seed !== undefined) this.config.seed = seed;
    this.disposeParams();
    const initRng = new Rng(this.seed);
    this.rng = new Rng(this.seed ^ 0x5bd1e995);
    this.counters = { iteration: 0, epoch: 0 };
    const inputShape: Shape = typeof this.config.input === 'number' ? [this.config.input] : [...this.config.input];
    if (inputShape.length === 0 || inputShape.some((d) => !Number.isInteger(d) || d <= 0)) {
      throw new ConfigError(`Network: input must be a positive integer or a shape of positive integers, received ${JSON.stringify(this.config.input)}`);
    }
    // Build every layer and validate the whole stack before any tensor is allocated.
    this.shapes = [inputShape];
    this.layerList = [];
    const names = new Set<string>();
    const declared: ParamDeclaration[][] = [];
    this.config.layers.forEach((raw, index) => {
      const config = this.mergeDefaults(raw as unknown as ResolvedConfig, index);
      if (names.has(config.name)) throw new ConfigError(`Network: two layers are named "${config.name}"; layer names must be unique`);
      names.add(config.name);
      const layer = this.registry.definition('layer', config.type).create(config) as Layer;
      const declarations: ParamDeclaration[] = [];
      this.shapes.push(layer.build(this.shapes[index] as Shape, this.buildContext(declarations)));
      declared.push(declarations);
      this.layerList.push(layer);
    });
    const last = this.layerList[this.layerList.length - 1] as Layer;
    if (!isOutputLayer(last)) {
      this.layerList = [];
      throw new ConfigError(`Network: the last layer "${last.config.name}" (${last.key}) has no loss; end the network with an output layer such as "layers/output"`);
    }
    try {
      this.layerList.forEach((layer, i) => this.createParams(layer, declared[i] as ParamDeclaration[], initRng));
    } catch (error) {
      this.dispose();
      throw error;
    }
    const strategyRef = this.config.strategy;
    this.strategy = strategyRef === undefined ? backpropStrategy() : this.registry.create<TrainingStrategy>('strategy', strategyRef);
    return this;
  }

  /** The built layers, in order. */
  get layers(): readonly Layer[] {
    this.assertBuilt();
    return this.layerList;
  }

  /** Iterations (minibatches) and epochs trained so far. */
  get iteration(): number {
    return this.counters.iteration;
  }
  get epoch(): number {
    return this.counters.epoch;
  }

  /** Network output (after the output activation) for a batch `[n, ...input]`. */
  output(features: tf.Tensor, options: { training?: boolean } = {}): tf.Tensor {
    this.assertBuilt();
    this.checkFeatures(features);
    return tf.tidy(() => this.forward(features, options.training ?? false, this.currentParams()).output);
  }

  /** Predicted class index per example. */
  predict(features: tf.Tensor): tf.Tensor1D {
    return tf.tidy(() => tf.argMax(this.output(features), 1) as tf.Tensor1D);
  }

  /** Mean loss plus regularisation on a batch, read asynchronously. */
  async score(features: tf.Tensor, labels: tf.Tensor): Promise<number> {
    this.assertBuilt();
    this.checkBatch({ features, labels });
    const s = tf.tidy(() => this.target().score({ features, labels }, false));
    const value = (await s.data())[0] as number;
    s.dispose();
    return value;
  }

  /**
   * Trains for `epochs` passes over the data, one strategy step per minibatch. The mean score of
   * each epoch is read once, at its end; no value is read synchronously inside the loop.
   */
  async fit(data: import('./data-set').BatchSource, options: FitOptions = {}): Promise<{ epochs: number; meanScores: number[] }> {
    this.assertBuilt();
    const epochs = options.epochs ?? 1;
    const batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(epochs) || epochs < 0) throw new ConfigError(`fit: epochs must be a non-negative integer, received ${epochs}`);
    if (!Number.isInteger(batchSize) || batchSize <= 0) throw new ConfigError(`fit: batchSize must be a positive integer, received ${batchSize}`);
    if ('check' in data && typeof data.check === 'function') await (data.check as () => Promise<void>)();
    const strategy = this.strategy as TrainingStrategy;
    const target = this.target();
    const meanScores: number[] = [];
    for (let e = 0; e < epochs; e++) {
      let sum: tf.Tensor = tf.scalar(0);
      let batches = 0;
      for await (const batch of data.batches(batchSize, options.shuffle === false ? undefined : this.rng)) {
        try {
          this.checkBatch(batch);
          const score = strategy.step(target, batch);
          const next = tf.add(sum, score);
          sum.dispose();
          score.dispose();
          sum = next;
          batches++;
          this.counters.iteration++;
        } finally {
          batch.features.dispose();
          batch.labels.dispose();
        }
      }
      this.counters.epoch++;
      const meanScore = batches === 0 ? Number.NaN : ((await sum.data())[0] as number) / batches;
      sum.dispose();
      meanScores.push(meanScore);
      for (const listener of options.listeners ?? []) {
        await listener.onEpochEnd?.({ epoch: this.counters.epoch, iteration: this.counters.iteration, meanScore, batches });
      }
    }
    return { epochs, meanScores };
  }

  /** Parameter names, `<layer>/<param>`, in layer order. */
  paramNames(): string[] {
    this.assertBuilt();
    return [...this.slots.keys()];
  }

  /** A copy of one parameter's values. */
  getParam(name: string): tf.Tensor {
    return this.slot(name).variable.clone();
  }

  /** Replaces one parameter's values; the shape must match. */
  setParam(name: string, value: tf.Tensor): void {
    const slot = this.slot(name);
    if (!tf.util.arraysEqual(slot.variable.shape, value.shape)) {
      throw new ShapeError(`setParam("${name}"): received shape ${formatShape(value.shape)}, expected ${formatShape(slot.variable.shape)}`, value.shape, slot.variable.shape);
    }
    slot.variable.assign(tf.cast(value, 'float32'));
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
    const all = [header, ...rows, ['total', '', '', String(this.numParams())]];
    const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] as string).length)));
    const line = (r: string[]) => r.map((cell, c) => cell.padEnd(widths[c] as number)).join('  ').trimEnd();
    return [`input ${formatShape(this.shapes[0] as Shape)}`, line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line), line(all[all.length - 1] as string[])].join('\n');
  }

  /** Frees parameters and updater state. */
  dispose(): void {
    this.disposeParams();
    this.layerList = [];
  }

  private disposeParams(): void {
    for (const slot of this.slots.values()) {
      slot.variable.dispose();
      for (const t of Object.values(slot.state)) t.dispose();
    }
    this.slots.clear();
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

  private mergeDefaults(raw: ResolvedConfig, index: number): ResolvedConfig & { name: string } {
    const resolved = this.registry.resolve('layer', raw);
    const merged: Record<string, unknown> = { ...resolved };
    for (const key of DEFAULTABLE) {
      const value = this.config.defaults?.[key];
      if (merged[key] === undefined && value !== undefined) merged[key] = structuredClone(value);
    }
    merged.name ??= `${resolved.type.slice(resolved.type.lastIndexOf('/') + 1)}_${index}`;
    return merged as ResolvedConfig & { name: string };
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
      const updaterRef = d.role === 'bias' ? (cfg.biasUpdater ?? cfg.updater) : cfg.updater;
      const updater = this.registry.create<Updater>('updater', updaterRef ?? DEFAULT_UPDATER);
      const state = d.role === 'state' ? {} : tf.tidy(() => updater.initState(variable));
      const bias = d.role === 'bias';
      this.slots.set(`${layer.config.name}/${d.name}`, {
        layer: layer.config.name,
        name: d.name,
        role: d.role,
        variable,
        updater,
        state,
        l1: d.role === 'state' ? 0 : ((bias ? cfg.l1Bias : cfg.l1) ?? 0),
        l2: d.role === 'state' ? 0 : ((bias ? cfg.l2Bias : cfg.l2) ?? 0),
      });
    }
  }

  private currentParams(): Map<string, tf.Tensor> {
    const params = new Map<string, tf.Tensor>();
    for (const [key, slot] of this.slots) params.set(key, slot.variable);
    return params;
  }

  private forward(features: tf.Tensor, training: boolean, params: ReadonlyMap<string, tf.Tensor>): { output: tf.Tensor; preOutput: tf.Tensor } {
    const stepRng = new Rng(this.seed ^ Math.imul(this.counters.iteration + 1, 0x27d4eb2d));
    const context = { training, rng: stepRng };
    let x = features;
    const last = this.layerList.length - 1;
    for (let i = 0; i < last; i++) {
      const layer = this.layerList[i] as Layer;
      x = layer.forward(x, this.layerParams(layer, params), context);
    }
    const out = this.layerList[last] as OutputLayer;
    const preOutput = out.preOutput(x, this.layerParams(out, params), context);
    return { preOutput, output: out.activation.apply(preOutput, context) };
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
    if (features.rank !== expected.length + 1 || !tf.util.arraysEqual(got, [...expected])) {
      const first = this.layerList[0] as Layer;
      throw new ShapeError(
        `Layer "${first.config.name}": input has shape ${formatShape(features.shape)}, expected [batch, ${expected.join(', ')}] (network input ${formatShape(expected)})`,
        features.shape,
        [-1, ...expected],
      );
    }
  }

  private checkBatch(batch: Batch): void {
    this.checkFeatures(batch.features);
    const out = this.shapes[this.shapes.length - 1] as Shape;
    const last = this.layerList[this.layerList.length - 1] as Layer;
    if (batch.labels.rank !== out.length + 1 || !tf.util.arraysEqual(batch.labels.shape.slice(1), [...out])) {
      throw new ShapeError(
        `Output layer "${last.config.name}": labels have shape ${formatShape(batch.labels.shape)}, expected [batch, ${out.join(', ')}]`,
        batch.labels.shape,
        [-1, ...out],
      );
    }
    if (batch.labels.shape[0] !== batch.features.shape[0]) {
      throw new ShapeError(`Minibatch has ${batch.features.shape[0]} feature rows but ${batch.labels.shape[0]} label rows`, [batch.labels.shape[0] as number], [batch.features.shape[0] as number]);
    }
  }

  private target(): TrainingTarget {
    const trainable = new Map<string, tf.Tensor>();
    for (const [key, slot] of this.slots) if (slot.role !== 'state') trainable.set(key, slot.variable);
    return {
      trainableParams: () => trainable,
      score: (batch, training, params) => {
        const all = params === undefined ? this.currentParams() : new Map([...this.currentParams(), ...params]);
        const out = this.layerList[this.layerList.length - 1] as OutputLayer;
        const { preOutput } = this.forward(batch.features, training, all);
        const perExample = out.loss.scoreArray({ labels: batch.labels, preOutput, activation: out.activation });
        let score = tf.mean(perExample);
        for (const [key, slot] of this.slots) {
          const w = all.get(key) as tf.Tensor;
          // DL4J's penalties: l1 * sum|w| + 0.5 * l2 * sum(w^2); gradients l1 * sign(w) + l2 * w.
          if (slot.l1 > 0) score = tf.add(score, tf.mul(slot.l1, tf.sum(tf.abs(w))));
          if (slot.l2 > 0) score = tf.add(score, tf.mul(0.5 * slot.l2, tf.sum(tf.square(w))));
        }
        return score;
      },
      applyGradients: (gradients) => {
        const step = { iteration: this.counters.iteration, epoch: this.counters.epoch };
        for (const [key, gradient] of gradients) {
          const slot = this.slots.get(key);
          if (slot === undefined) throw new ConfigError(`applyGradients: unknown parameter "${key}"`);
          const old = slot.state;
          const { update, state } = slot.updater.apply(gradient, old, step);
          slot.variable.assign(tf.sub(slot.variable, update));
          for (const t of Object.values(state)) tf.keep(t);
          const kept = new Set(Object.values(state));
          for (const t of Object.values(old)) if (!kept.has(t)) t.dispose();
          slot.state = state;
        }
      },
    };
  }
}
