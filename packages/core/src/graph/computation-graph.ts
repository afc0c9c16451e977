import * as tf from '@tensorflow/tfjs-core';
import type { BuildResult } from '../built-model';
import { assembleModel } from '../built-model';
import type { ArrayInput, BatchSource } from '../data-set';
import { ConfigError, ShapeError, formatValue } from '../errors';
import type { EvaluateOptions } from '../evaluate';
import { evaluateOutputs } from '../evaluate';
import type { Evaluation, EvaluationOptions } from '../evaluation';
import type { FitOptions } from '../fit-loop';
import { runFit } from '../fit-loop';
import { forward, forwardOutputs, forwardWithState } from '../forward-pass';
import { checkFeatures, checkMask } from '../input-checks';
import type { RecurrentState, Shape } from '../layer';
import type { FitResult } from '../listener';
import type { ModelOptions } from '../model';
import { Model } from '../model';
import type { PretrainOptions } from '../pretrain';
import { pretrainLayer } from '../pretrain';
import type { RegressionEvaluation } from '../regression-evaluation';
import type { AnyBatch, MultiBatch, RecurrentStates } from '../training-strategy';
import { planGraph } from './build-graph';
import type { GraphConfig } from './graph-config';
import type { MultiDataSetArrays } from './multi-data-set';
import { MultiDataSet } from './multi-data-set';

/** A graph's inputs: one tensor per input, by name or in input order (a single tensor for a graph of one input). */
export type GraphInputs = tf.Tensor | readonly tf.Tensor[] | Readonly<Record<string, tf.Tensor>>;

/** Options of {@link ComputationGraph.output}. */
export interface GraphOutputOptions {
  /** Training mode (dropout, batch statistics). Default false. */
  readonly training?: boolean;
  /** Masks `[batch, time]` of sequence inputs, by input name or in input order. */
  readonly featuresMasks?: readonly (tf.Tensor | undefined)[] | Readonly<Record<string, tf.Tensor>>;
}

/**
 * A directed acyclic graph of layers and vertices (DL4J's `ComputationGraph`): several inputs
 * and outputs, skip connections, merges, shared trunks with several losses. Configured as plain
 * data ({@link GraphConfig}); built, trained and saved by the same code as a `Network` (a
 * network is the chain graph): `fit` with listeners, strategies, regularisation and every updater,
 * parameters and updater state, counters. Batches are {@link MultiBatch}es (a {@link MultiDataSet});
 * a graph of one input and one output also takes a `DataSet`.
 *
 * @example
 * ```ts fragment
 * const graph = new ComputationGraph(config, { registry }).init();
 * await graph.fit(MultiDataSet.from({ features: [x], labels: [digit, parity] }), { epochs: 5 });
 * const { digit, parity } = graph.output([x]);
 * ```
 */
export class ComputationGraph extends Model<GraphConfig> {
  constructor(config: GraphConfig, options: ModelOptions = {}) {
    if (config === null || typeof config !== 'object') throw new ConfigError(`ComputationGraph: expected a config object, received ${formatValue(config)}`);
    super(config, options, 'ComputationGraph');
  }

  protected build(): BuildResult {
    return assembleModel(planGraph(this.config, this.registry, this.counters));
  }

  /** Input names, in the order batches give their features. */
  get inputNames(): string[] {
    return this.built().inputs.map((i) => i.name);
  }

  /** Per-example shape of each output, by name. */
  get outputShapes(): Record<string, Shape> {
    return Object.fromEntries(this.outputNames.map((name, k) => [name, this.outputShapeAt(k)]));
  }

  /** Each output (after its activation), by output name, for a batch of every input. The caller disposes them. */
  output(inputs: GraphInputs, options: GraphOutputOptions = {}): Record<string, tf.Tensor> {
    const model = this.built();
    const { features, masks } = this.checkedInputs(inputs, options.featuresMasks);
    const params = model.params.current();
    return this.named(tf.tidy(() => (options.training === true ? forward(model, features, true, params, { masks }).outputs : forwardOutputs(model, features, params, { masks }))));
  }

  /**
   * Inference outputs by name starting from the given recurrent `state` (by layer name; zeros for
   * layers not listed), and every recurrent layer's state after the last step: stateful stepping
   * through a graph (DL4J's `ComputationGraph.rnnTimeStep`). The caller disposes both.
   */
  outputWithState(inputs: GraphInputs, options: { state?: RecurrentStates; featuresMasks?: GraphOutputOptions['featuresMasks'] } = {}): { outputs: Record<string, tf.Tensor>; state: Map<string, RecurrentState> } {
    const model = this.built();
    const { features, masks } = this.checkedInputs(inputs, options.featuresMasks);
    const { outputs, state } = forwardWithState(model, features, { masks, state: options.state });
    return { outputs: this.named(outputs), state };
  }

  /** The weighted sum of the outputs' mean losses plus regularisation on one batch, read asynchronously. */
  async score(batch: MultiBatch): Promise<number> {
    return this.scoreBatch(batch);
  }

  /**
   * Trains for `epochs` passes over the data, one strategy step per minibatch, through the same
   * fit loop as a `Network`. `data` is a {@link BatchSource} of {@link MultiBatch}es (a
   * {@link MultiDataSet}), a source of single batches for a graph of one input and one output, or
   * plain arrays, converted (and freed) here.
   */
  async fit(data: BatchSource<AnyBatch> | MultiDataSetArrays<ArrayInput>, options: FitOptions<ComputationGraph> = {}): Promise<FitResult> {
    const { model, strategy } = this.trainable();
    if ('batches' in data) return runFit(this, model, strategy, data, options);
    const owned = MultiDataSet.from(data);
    try {
      return await runFit(this, model, strategy, owned, options);
    } finally {
      owned.dispose();
    }
  }

  /**
   * Classification metrics of every output on held-out data (inference mode, no shuffle), by
   * output name.
   */
  async evaluate(data: BatchSource<AnyBatch>, options: EvaluateOptions & EvaluationOptions = {}): Promise<Record<string, Evaluation>> {
    return this.byName(await evaluateOutputs(this, data, 'classification', options));
  }

  /** Regression metrics of every output on held-out data, by output name. */
  async evaluateRegression(data: BatchSource<AnyBatch>, options: EvaluateOptions = {}): Promise<Record<string, RegressionEvaluation>> {
    return this.byName(await evaluateOutputs(this, data, 'regression', options));
  }

  private byName<T>(list: readonly T[]): Record<string, T> {
    return Object.fromEntries(this.outputNames.map((name, k) => [name, list[k] as T]));
  }

  /**
   * Greedy layer-wise pretraining of one pretrainable layer on what reaches it from the graph's
   * inputs in inference mode (DL4J's `ComputationGraph.pretrainLayer`). Only features are used.
   */
  async pretrainLayer(layerName: string, data: BatchSource<AnyBatch>, options: PretrainOptions = {}): Promise<number[]> {
    return pretrainLayer(this.built(), layerName, data, options);
  }

  /** The inputs and their masks in input order, checked against the inputs' shapes. */
  private checkedInputs(inputs: GraphInputs, featuresMasks: GraphOutputOptions['featuresMasks']): { features: tf.Tensor[]; masks: (tf.Tensor | undefined)[] | undefined } {
    const model = this.built();
    const given = this.ordered(inputs, 'inputs');
    const features = given.filter((t): t is tf.Tensor => t !== undefined);
    if (features.length !== given.length) {
      const missing = this.inputNames.filter((_, i) => given[i] === undefined);
      throw new ShapeError(`ComputationGraph: received ${features.length} inputs for ${given.length} inputs (${this.inputNames.join(', ')}); missing ${missing.join(', ')}`, [features.length], [given.length]);
    }
    const masks = featuresMasks === undefined ? undefined : this.ordered(featuresMasks, 'featuresMasks');
    features.forEach((f, k) => {
      checkFeatures(model, f, k);
      checkMask(masks?.[k], f, 'featuresMask');
    });
    return { features, masks };
  }

  /** Outputs in output order, by name. */
  private named(outputs: readonly tf.Tensor[]): Record<string, tf.Tensor> {
    return Object.fromEntries(this.outputNames.map((name, k) => [name, outputs[k] as tf.Tensor]));
  }

  /** Tensors given by name, in order, or alone, as one per input in input order (undefined where a name is not given). */
  private ordered(given: GraphInputs | GraphOutputOptions['featuresMasks'], what: string): (tf.Tensor | undefined)[] {
    const names = this.inputNames;
    if (given instanceof tf.Tensor) given = [given];
    let list: (tf.Tensor | undefined)[];
    if (Array.isArray(given)) {
      const array = given as readonly (tf.Tensor | undefined)[];
      if (array.length > names.length) throw new ShapeError(`ComputationGraph: received ${formatValue(array.length)} ${what} for ${names.length} inputs (${names.join(', ')})`, [array.length], [names.length]);
      list = names.map((_, i) => array[i]);
    } else {
      const record = given as Readonly<Record<string, tf.Tensor>>;
      const unknown = Object.keys(record).filter((k) => !names.includes(k));
      if (unknown.length > 0) throw new ConfigError(`ComputationGraph: ${what} name ${unknown.map((k) => `"${k}"`).join(', ')}, which ${unknown.length === 1 ? 'is not an input' : 'are not inputs'}; inputs: ${names.join(', ')}`);
      list = names.map((n) => record[n]);
    }
    return list;
  }
}
