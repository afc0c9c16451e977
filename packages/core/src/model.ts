import * as tf from '@tensorflow/tfjs-core';
import type { BuildResult, BuiltModel, Counters } from './built-model';
import { attachModel, epochShuffleRng, outputShapeOf } from './built-model';
import type { BatchSource } from './data-set';
import type { FitOptions } from './fit-loop';
import { forwardOutputs } from './forward-pass';
import { checkLabelValues } from './batch-values';
import { checkFiniteValues } from './finite-values';
import { checkAlive, checkBatch } from './input-checks';
import { trainingTarget } from './network-target';
import { ConfigError, Dl4tsError, ShapeError, ValueError, formatShape, formatValue } from './errors';
import { countNonFinite } from './fused-kernels';
import type { Layer, Shape } from './layer';
import type { FitResult } from './listener';
import { DEFAULT_SEED } from './network-config';
import { checkPlainConfig } from './plain-config';
import type { Rng } from './random';
import type { Registry } from './registry';
import { defaultRegistry } from './registry';
import { formatSummary } from './summary';
import type { AnyBatch, StrategyState, TrainingStrategy } from './training-strategy';
import { toMultiBatch } from './training-strategy';

/** Whether `model` is of the same class as `like` (a network and a network, a graph and a graph). */
export function sameKind<M extends Model>(model: Model, like: M): model is M {
  return model.constructor === like.constructor;
}

/** Options of a model's constructor ({@link Network}, `ComputationGraph`). */
export interface ModelOptions {
  registry?: Registry;
  /** Receives configuration warnings (mismatched output activation and loss). Default `console.warn`. */
  onWarning?: (message: string) => void;
}

/**
 * What every trainable model has, whatever its shape: built from plain config through the
 * registry, parameters and updater state owned as tfjs variables, counters that schedules and
 * shuffling read, and the built graph that the forward pass, the fit loop and the update pipeline
 * work on (`built-model.ts`). {@link Network} is a chain of layers; `ComputationGraph` any
 * directed acyclic graph of layers and vertices. Call {@link Model.dispose} when done.
 */
export abstract class Model<Config extends { seed?: number } = { seed?: number }> {
  readonly config: Config;
  readonly registry: Registry;
  /** Configuration warnings found by the last {@link Model.init}. */
  readonly warnings: string[] = [];
  /** Receives configuration warnings and training's (a diverged epoch). */
  readonly onWarning: (message: string) => void;
  protected model: BuiltModel | undefined;
  protected strategy: TrainingStrategy | undefined;
  private disposed = false;
  protected readonly counters: Counters = { iteration: 0, epoch: 0 };

  /** `label` names the model in messages (`Network`, `ComputationGraph`). */
  protected constructor(
    config: Config,
    options: ModelOptions,
    private readonly label: string,
  ) {
    checkPlainConfig(label, config);
    this.config = structuredClone(config);
    this.registry = options.registry ?? defaultRegistry;
    this.onWarning = options.onWarning ?? ((message) => console.warn(`dl4ts: ${message}`));
    attachModel(this, () => this.model);
  }

  /** Validates the config and builds the model: nodes, shapes, parameters, strategy. */
  protected abstract build(): BuildResult;

  /** Trains for `options.epochs` passes over the data through the fit loop (see each model's `fit`). */
  abstract fit(data: BatchSource<AnyBatch>, options?: FitOptions<this>): Promise<FitResult>;

  /** Builds every layer and vertex and creates the parameters from the seed (or `seed`, if given). */
  init(seed?: number): this {
    if (seed !== undefined) this.config.seed = seed;
    this.dispose();
    this.counters.iteration = 0;
    this.counters.epoch = 0;
    const built = this.build();
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

  /** Iterations (minibatches) and epochs trained so far. */
  get iteration(): number {
    return this.counters.iteration;
  }
  get epoch(): number {
    return this.counters.epoch;
  }

  /** Output names (the output layers'), in the order batches give their labels. */
  get outputNames(): string[] {
    return this.built().outputs.map((o) => o.layer.config.name);
  }

  /** Per-example shape of output `k` (the only one of a network). */
  outputShapeAt(k = 0): Shape {
    const model = this.built();
    if (!Number.isInteger(k) || k < 0 || k >= model.outputs.length) throw new ConfigError(`${this.label}: output index ${k} out of range; it has ${model.outputs.length} output(s): ${this.outputNames.join(', ')}`);
    return outputShapeOf(model, k);
  }

  /** Inference outputs of a batch's features (masks honoured), in output order: what evaluation compares with its labels. Caller disposes. */
  outputsFor(batch: AnyBatch): tf.Tensor[] {
    const model = this.built();
    checkBatch(model, batch);
    const m = toMultiBatch(batch);
    return tf.tidy(() => forwardOutputs(model, m.features, model.params.current(), { masks: m.featuresMasks }));
  }

  /** The score `fit` reports (weighted mean losses plus L1/L2 penalties) of one batch, read asynchronously. */
  async scoreBatch(batch: AnyBatch): Promise<number> {
    const model = this.built();
    checkBatch(model, batch);
    await checkFiniteValues(toMultiBatch(batch), 'score');
    await checkLabelValues(model, toMultiBatch(batch), 'score');
    const s = tf.tidy(() => trainingTarget(model).score(batch, false));
    const value = (await s.data())[0] as number;
    s.dispose();
    return value;
  }

  /** Parameter names, `<layer>/<param>`, in layer order. */
  paramNames(): string[] {
    return [...this.built().params.slots.keys()];
  }

  /** One parameter's shape (no copy of its values). */
  paramShape(name: string): number[] {
    return [...this.built().params.slot(name).variable.shape];
  }

  /** A copy of one parameter's values. Caller disposes. */
  getParam(name: string): tf.Tensor {
    return this.built().params.slot(name).variable.clone();
  }

  /** Replaces one parameter's values; the shape must match. */
  setParam(name: string, value: tf.Tensor): void {
    const slot = this.built().params.slot(name);
    checkAlive(value, `setParam("${name}")`);
    if (!tf.util.arraysEqual(slot.variable.shape, value.shape)) {
      throw new ShapeError(`setParam("${name}"): received shape ${formatShape(value.shape)}, expected ${formatShape(slot.variable.shape)}`, value.shape, slot.variable.shape);
    }
    const bad = nonFiniteCountSync(value);
    if (bad > 0) throw new ValueError(`setParam("${name}"): the values hold ${bad} NaN or infinite value${bad > 1 ? 's' : ''}; expected finite numbers`);
    tf.tidy(() => slot.variable.assign(tf.cast(value, 'float32')));
  }

  /**
   * The learning rate one parameter's updater applies at the next iteration (after its schedule):
   * what dashboards plot. Undefined for a frozen parameter and for updaters without a learning
   * rate (AdaDelta, None).
   */
  learningRate(name: string): number | undefined {
    const slot = this.built().params.slot(name);
    if (slot.frozen) return undefined;
    return slot.updater?.learningRateAt?.({ iteration: this.counters.iteration, epoch: this.counters.epoch });
  }

  /** Number of parameters, in total or for one layer (0 before {@link Model.init}). */
  numParams(layer?: string): number {
    return this.model?.params.count(layer) ?? 0;
  }

  /** A table of the layers (and a graph's vertices, with their inputs) with output shapes and parameter counts. */
  summary(): string {
    return formatSummary(this.built());
  }

  /**
   * Every updater's state as named tensors, keyed `<layer>/<param>/<state name>` (the model's own
   * tensors: do not dispose them). With {@link Model.setUpdaterState} and the counters, a run
   * resumes exactly.
   */
  updaterState(): Map<string, tf.Tensor> {
    return this.built().params.updaterState();
  }

  /**
   * The training strategy's history between steps (a whole-vector optimiser's last direction,
   * curvature pairs, step scale), or undefined where it keeps none (backprop) or has none yet. The
   * tensors stay the model's. Saved models store it, so a loaded one resumes with it.
   */
  strategyState(): StrategyState | undefined {
    this.built();
    return this.strategy?.state?.();
  }

  /** Restores {@link Model.strategyState}'s history into this model's strategy (copying the tensors). */
  setStrategyState(state: StrategyState): void {
    this.built();
    const strategy = this.strategy;
    if (strategy?.restoreState === undefined) throw new ConfigError(`setStrategyState: the strategy ${strategy?.key ?? '(backprop)'} keeps no history to restore`);
    strategy.restoreState(state);
  }

  /**
   * Replaces updater state from {@link Model.updaterState}'s layout. Every key the model has must
   * be present with the same shape, and no other; values are copied.
   */
  setUpdaterState(values: ReadonlyMap<string, tf.Tensor>): void {
    this.built().params.setUpdaterState(values);
  }

  /** Sets the iteration and epoch counters (resuming a run, so schedules continue). */
  setCounters(counters: { iteration: number; epoch: number }): void {
    for (const [name, v] of Object.entries(counters)) {
      if (!Number.isInteger(v) || v < 0) throw new ConfigError(`setCounters: ${name} must be a non-negative integer, received ${formatValue(v)}`);
    }
    this.counters.iteration = counters.iteration;
    this.counters.epoch = counters.epoch;
  }

  /** Frees parameters and updater state. The model can be initialised again. */
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
  protected built(): BuiltModel {
    if (this.model !== undefined) return this.model;
    const noun = this.label === 'Network' ? 'network' : 'model';
    if (this.disposed) {
      throw new Dl4tsError('DL4TS_DISPOSED', `${this.label}: this ${noun} was disposed, so its parameters are gone; call init() to build it again from its config, or load a saved copy`);
    }
    throw new Dl4tsError('DL4TS_NOT_INITIALISED', `${this.label}: call init() before using the ${noun}`);
  }

  /** The built model and its strategy, for the fit loop. */
  protected trainable(): { model: BuiltModel; strategy: TrainingStrategy } {
    return { model: this.built(), strategy: this.strategy as TrainingStrategy };
  }
}

/**
 * NaN and infinite values in `t`, read synchronously; 0 where the backend has no synchronous
 * read (WebGPU in Node), whose non-finite parameters the fit loop's divergence guard still catches.
 */
function nonFiniteCountSync(t: tf.Tensor): number {
  if (t.dtype !== 'float32') return 0;
  const count = countNonFinite(t);
  try {
    return count.dataSync()[0] as number;
  } catch {
    return 0;
  } finally {
    count.dispose();
  }
}
