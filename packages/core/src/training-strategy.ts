import type { Tensor } from '@tensorflow/tfjs-core';
import type { RecurrentState } from './layer';

/** Version of the {@link TrainingStrategy} contract implemented by this core. */
export const STRATEGY_CONTRACT_VERSION = 1;

/** One minibatch. */
export interface Batch {
  /** `[batch, ...inputShape]`; sequences are `[batch, time, features]`. */
  readonly features: Tensor;
  /** `[batch, nOut]`, or `[batch, time, nOut]` for a sequence output. */
  readonly labels: Tensor;
  /** `[batch, time]`, 1 for a real step and 0 for padding: variable-length input sequences. */
  readonly featuresMask?: Tensor;
  /**
   * `[batch, time]`, 1 where a sequence output is scored and 0 where it is not. When absent and
   * the output is a sequence as long as the input, the features mask is used.
   */
  readonly labelsMask?: Tensor;
}

/**
 * One minibatch of a model with several inputs and outputs (DL4J's `MultiDataSet`): features in
 * the order of the graph's inputs, labels in the order of its outputs, and a mask for each where
 * it has one (`undefined` entries, or no array, where none).
 */
export interface MultiBatch {
  readonly features: readonly Tensor[];
  readonly labels: readonly Tensor[];
  readonly featuresMasks?: readonly (Tensor | undefined)[] | undefined;
  readonly labelsMasks?: readonly (Tensor | undefined)[] | undefined;
}

/** What a training strategy receives: a {@link Batch} from a `Network`, a {@link MultiBatch} from a graph. */
export type AnyBatch = Batch | MultiBatch;

/** Whether a batch has several inputs and outputs. */
export function isMultiBatch(batch: AnyBatch): batch is MultiBatch {
  return Array.isArray(batch.features);
}

/** A batch in the several-inputs form (one of each for a {@link Batch}); no tensor is copied. */
export function toMultiBatch(batch: AnyBatch): MultiBatch {
  if (isMultiBatch(batch)) return batch;
  return { features: [batch.features], labels: [batch.labels], featuresMasks: [batch.featuresMask], labelsMasks: [batch.labelsMask] };
}

/**
 * The same batch with `f` applied to every tensor, masks included, keeping its form: how a
 * strategy slices a batch along time (truncated BPTT) or a trainer moves it between threads.
 */
export function mapBatch<B extends AnyBatch>(batch: B, f: (t: Tensor) => Tensor): B;
export function mapBatch(batch: AnyBatch, f: (t: Tensor) => Tensor): AnyBatch {
  const opt = (t: Tensor | undefined) => (t === undefined ? undefined : f(t));
  if (isMultiBatch(batch)) {
    return {
      features: batch.features.map(f),
      labels: batch.labels.map(f),
      ...(batch.featuresMasks !== undefined && { featuresMasks: batch.featuresMasks.map(opt) }),
      ...(batch.labelsMasks !== undefined && { labelsMasks: batch.labelsMasks.map(opt) }),
    };
  }
  return {
    features: f(batch.features),
    labels: f(batch.labels),
    ...(batch.featuresMask !== undefined && { featuresMask: f(batch.featuresMask) }),
    ...(batch.labelsMask !== undefined && { labelsMask: f(batch.labelsMask) }),
  };
}

/** Every tensor of a batch, masks included. */
export function batchTensors(batch: AnyBatch): Tensor[] {
  const m = toMultiBatch(batch);
  return [...m.features, ...m.labels, ...(m.featuresMasks ?? []), ...(m.labelsMasks ?? [])].filter((t): t is Tensor => t !== undefined);
}

/** Frees every tensor of a minibatch, masks included. */
export function disposeBatch(batch: AnyBatch): void {
  for (const t of batchTensors(batch)) t.dispose();
}

/** The number of examples in a batch (rows of its first features). */
export function batchRows(batch: AnyBatch): number {
  return toMultiBatch(batch).features[0]?.shape[0] ?? 0;
}

/** Recurrent state of every recurrent layer, by layer name. */
export type RecurrentStates = ReadonlyMap<string, RecurrentState>;

/** Options of {@link TrainingTarget.scoreAndGradients}. */
export interface GradientOptions {
  /**
   * Default true: the gradients are those of the regularised score (data loss plus the L1/L2
   * penalties), as line searches need. `false`: gradients of the data loss alone, as
   * {@link TrainingTarget.applyGradients} takes them. The score is regularised either way.
   */
  readonly penalties?: boolean;
  /**
   * Initial state of recurrent layers, by layer name (zeros for layers not listed). A constant:
   * no gradient flows into it, which is how truncated BPTT cuts the graph between segments.
   */
  readonly recurrentState?: RecurrentStates;
}

/**
 * What a training strategy may do with the model: compute the score and its gradients for given
 * parameter values, apply gradients through the model's update pipeline, or set parameters
 * directly (line-search optimisers).
 */
export interface TrainingTarget {
  /** Trainable parameters, keyed `<layer>/<param>`. */
  trainableParams(): ReadonlyMap<string, Tensor>;
  /**
   * The regularised minibatch score as a scalar (data loss plus the L1/L2 penalties), differentiable
   * in every trainable parameter. `params` overrides some parameter values (for line searches).
   */
  score(batch: AnyBatch, training: boolean, params?: ReadonlyMap<string, Tensor>, options?: Pick<GradientOptions, 'recurrentState'>): Tensor;
  /**
   * The regularised score and a gradient for every trainable parameter, at the current values or
   * with `params` overriding some. The data loss is differentiated by autodiff; the penalties'
   * gradients (`l1 sign(w) + l2 w`) are added in closed form, much cheaper than differentiating
   * them. Call inside `tf.tidy`. `recurrentState` is the state of every recurrent layer after
   * the batch's last step (tracked by the caller's tidy scope like the other results).
   */
  scoreAndGradients(
    batch: AnyBatch,
    training: boolean,
    params?: ReadonlyMap<string, Tensor>,
    options?: GradientOptions,
  ): { score: Tensor; gradients: Map<string, Tensor>; recurrentState?: RecurrentStates };
  /**
   * The model's update pipeline, DL4J's order: takes gradients of the *data loss*, applies each
   * layer's gradient normalisation, adds the L1/L2 penalty gradients, runs the updaters, adds
   * decoupled weight decay, and updates the parameters in place. Advances no counters; core does
   * that after the step.
   */
  applyGradients(gradients: ReadonlyMap<string, Tensor>): void;
  /** Assigns new values to trainable parameters (line-search optimisers); shapes must match. */
  setParams(values: ReadonlyMap<string, Tensor>): void;
  /** The model's counters: iterations (minibatches) and epochs done so far. */
  readonly counters: { readonly iteration: number; readonly epoch: number };
}

/**
 * How one minibatch becomes a parameter update. Standard backprop lives in core; truncated BPTT,
 * layer-wise pretraining and line-search optimisers are other strategies. `fit` does not
 * special-case any of them.
 */
export interface TrainingStrategy {
  readonly key: string;
  readonly config: { readonly type: string; readonly [option: string]: unknown };
  /**
   * Trains on one minibatch and returns its score as a scalar tensor that the caller owns.
   * Must leave no other tensor behind. A graph's minibatch is a {@link MultiBatch}: a strategy
   * that looks inside the batch handles both forms (see {@link mapBatch}).
   */
  step(target: TrainingTarget, batch: AnyBatch): Tensor;
  /**
   * Frees tensors the strategy keeps between steps (search directions, curvature history). Called
   * by `Network.dispose` and before `init` rebuilds the network.
   */
  dispose?(): void;
  /**
   * The history it keeps between steps, which a saved model stores so that training resumes where
   * it stopped; undefined while it has none. The tensors stay the strategy's.
   */
  state?(): StrategyState | undefined;
  /**
   * Takes back a history from {@link TrainingStrategy.state} (copying the tensors), used from the
   * next step on. Throws a `ConfigError` naming what does not fit (a state of another strategy or
   * of another number of parameters).
   */
  restoreState?(state: StrategyState): void;
}

/** A training strategy's history: numbers and tensors by name (see {@link TrainingStrategy.state}). */
export interface StrategyState {
  readonly values: Readonly<Record<string, number>>;
  readonly tensors: ReadonlyMap<string, Tensor>;
}
