import * as tf from '@tensorflow/tfjs-core';
import type { BuildResult } from './built-model';
import { buildModel, outputShapeOf } from './built-model';
import type { ArrayInput, BatchSource } from './data-set';
import { DataSet } from './data-set';
import { ConfigError, formatValue } from './errors';
import type { FitOptions } from './fit-loop';
import { runFit } from './fit-loop';
import { evaluate, forward, forwardOutputs, forwardWithState } from './forward-pass';
import { checkAlive, checkFeatures, checkMask } from './input-checks';
import type { RecurrentState, Shape } from './layer';
import type { FitResult } from './listener';
import type { ModelOptions } from './model';
import { Model } from './model';
import type { NetworkConfig } from './network-config';
import type { PretrainOptions } from './pretrain';
import { pretrainLayer } from './pretrain';
import type { AnyBatch, RecurrentStates } from './training-strategy';

export type { FitOptions } from './fit-loop';
export { DEFAULT_UPDATER } from './param-store';

/** Options of {@link Network}'s constructor. */
export type NetworkOptions = ModelOptions;

/**
 * A feed-forward network: layers built from config through the registry, trained by a
 * {@link TrainingStrategy}. Parameters are tfjs variables owned by the network; call
 * {@link Network.dispose} when done.
 *
 * The class is the model users hold; what every model has (parameters, updater state, counters,
 * init and dispose) is in `model.ts`, and each concern in its own module: building
 * (`built-model.ts`: a network is the chain graph), the forward pass (`forward-pass.ts`),
 * parameters and updater state (`param-store.ts`), the update pipeline (`update-pipeline.ts`),
 * what strategies see (`network-target.ts`), the fit loop (`fit-loop.ts`), pretraining
 * (`pretrain.ts`) and input checks (`input-checks.ts`).
 */
export class Network extends Model<NetworkConfig> {
  constructor(config: NetworkConfig, options: NetworkOptions = {}) {
    if (config === null || typeof config !== 'object') throw new ConfigError(`Network: expected a config object, received ${formatValue(config)}`);
    if (!Array.isArray(config.layers) || config.layers.length === 0) throw new ConfigError(`Network: config.layers must be a non-empty array of layer configs, received ${formatValue(config.layers)}`);
    super(config, options, 'Network');
  }

  protected build(): BuildResult {
    return buildModel(this.config, this.registry, this.counters);
  }

  /** Per-example output shape. */
  get outputShape(): Shape {
    return outputShapeOf(this.built());
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
    const extras = { masks: [options.featuresMask] };
    return tf.tidy(() => (options.training === true ? forward(model, [features], true, params, extras).outputs : forwardOutputs(model, [features], params, extras))[0] as tf.Tensor);
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
    const { outputs, state } = forwardWithState(model, [features], { masks: [options.featuresMask], state: options.state });
    return { output: outputs[0] as tf.Tensor, state };
  }

  /** Output of every layer, in order (activations after each layer). Caller disposes. */
  feedForward(features: tf.Tensor): tf.Tensor[] {
    const model = this.built();
    checkFeatures(model, features);
    return tf.tidy(() => evaluate(model, [features], model.params.current(), { training: false }).values.slice(1));
  }

  /** Predicted class index per example. Caller disposes. */
  predict(features: tf.Tensor): tf.Tensor1D {
    return tf.tidy(() => tf.argMax(this.output(features), 1) as tf.Tensor1D);
  }

  /** Mean loss plus regularisation on a batch (with optional sequence masks), read asynchronously. */
  async score(features: tf.Tensor, labels: tf.Tensor, masks: { featuresMask?: tf.Tensor; labelsMask?: tf.Tensor } = {}): Promise<number> {
    checkAlive(features, 'score: features');
    checkAlive(labels, 'score: labels');
    return this.scoreBatch({ features, labels, ...masks });
  }

  /**
   * Trains for `epochs` passes over the data, one strategy step per minibatch (see `fit-loop.ts`).
   * `data` is a {@link BatchSource} (a {@link DataSet}, a streaming source) or plain
   * `{ features, labels }` arrays, converted (and freed) here.
   */
  async fit(data: BatchSource<AnyBatch> | { features: ArrayInput; labels: ArrayInput }, options: FitOptions = {}): Promise<FitResult> {
    const { model, strategy } = this.trainable();
    if ('batches' in data) return runFit(this, model, strategy, data, options);
    const owned = DataSet.from(data.features, data.labels);
    try {
      return await runFit(this, model, strategy, owned, options);
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
  async pretrainLayer(layerName: string, data: BatchSource<AnyBatch>, options: PretrainOptions = {}): Promise<number[]> {
    return pretrainLayer(this.built(), layerName, data, options);
  }
}
