import type { Tensor } from '@tensorflow/tfjs-core';

/** Version of the {@link TrainingStrategy} contract implemented by this core. */
export const STRATEGY_CONTRACT_VERSION = 1;

/** One minibatch. */
export interface Batch {
  /** `[batch, ...inputShape]` */
  readonly features: Tensor;
  /** `[batch, nOut]` */
  readonly labels: Tensor;
}

/** Options of {@link TrainingTarget.scoreAndGradients}. */
export interface GradientOptions {
  /**
   * Default true: the gradients are those of the regularised score (data loss plus the L1/L2
   * penalties), as line searches need. `false`: gradients of the data loss alone, as
   * {@link TrainingTarget.applyGradients} takes them. The score is regularised either way.
   */
  readonly penalties?: boolean;
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
  score(batch: Batch, training: boolean, params?: ReadonlyMap<string, Tensor>): Tensor;
  /**
   * The regularised score and a gradient for every trainable parameter, at the current values or
   * with `params` overriding some. The data loss is differentiated by autodiff; the penalties'
   * gradients (`l1 sign(w) + l2 w`) are added in closed form, much cheaper than differentiating
   * them. Call inside `tf.tidy`.
   */
  scoreAndGradients(
    batch: Batch,
    training: boolean,
    params?: ReadonlyMap<string, Tensor>,
    options?: GradientOptions,
  ): { score: Tensor; gradients: Map<string, Tensor> };
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
   * Must leave no other tensor behind.
   */
  step(target: TrainingTarget, batch: Batch): Tensor;
}
