import type { Tensor } from '@tensorflow/tfjs-core';
import type { Model } from './model';
import type { Network } from './network';

/** What a listener hears when `fit` starts. */
export interface FitStartInfo<M extends Model = Network> {
  /** The model being trained. */
  readonly network: M;
  /** Epochs this call will run (unless stopped early). */
  readonly epochs: number;
  readonly batchSize: number;
  /** The network's epoch and iteration counters when this call started (non-zero after a resume). */
  readonly startEpoch: number;
  readonly startIteration: number;
  /** Examples per epoch, when the data source knows its size. */
  readonly examplesPerEpoch: number | undefined;
  /** Minibatches per epoch, when the data source knows its size. */
  readonly batchesPerEpoch: number | undefined;
}

/** What a listener hears after every minibatch. */
export interface IterationInfo<M extends Model = Network> {
  /** The model being trained. */
  readonly network: M;
  /** Epochs completed before this one: the 0-based index of the running epoch. */
  readonly epoch: number;
  /** Iterations completed, this one included. */
  readonly iteration: number;
  /** 1-based index of this minibatch within its epoch. */
  readonly batchInEpoch: number;
  /** Examples in this minibatch. */
  readonly examples: number;
  /**
   * Reads this minibatch's score (mean loss plus L1/L2 penalties) asynchronously. Only valid during
   * the listener call; listeners that only display it should call it every N iterations, since
   * each read waits for the device.
   */
  score(): Promise<number>;
  /** Ends `fit` after this iteration, with a reason reported in its result. */
  stop(reason: string): void;
}

/**
 * The gradients of one update, as {@link TrainingListener.onGradients} hears them: the loss's
 * gradient for each trainable parameter (`<layer>/<param>`), before the L1/L2 terms and before the
 * updater. The tensors are fit's and live only during the call, inside the step's `tf.tidy` scope:
 * reduce or copy what you need and `tf.keep` the results you hold on to.
 */
export interface GradientInfo<M extends Model = Network> {
  readonly network: M;
  /** The iteration this update completes (the counter after it). */
  readonly iteration: number;
  readonly gradients: ReadonlyMap<string, Tensor>;
}

/** What a listener hears after every epoch. */
export interface EpochInfo<M extends Model = Network> {
  /** The model being trained. */
  readonly network: M;
  /** Epochs completed, this one included. */
  readonly epoch: number;
  readonly iteration: number;
  /** Mean minibatch score over the epoch, read once at its end. */
  readonly meanScore: number;
  readonly batches: number;
  readonly examples: number;
  /** Ends `fit` after this epoch, with a reason reported in its result. */
  stop(reason: string): void;
}

/** What a listener hears when `fit` ends, normally or stopped. Not called when `fit` throws. */
export interface FitEndInfo<M extends Model = Network> {
  /** The model being trained. */
  readonly network: M;
  readonly epoch: number;
  readonly iteration: number;
  /** Why training stopped before running every epoch; undefined when it ran them all. */
  readonly stopReason: string | undefined;
}

/**
 * Hears training progress. Every hook may be async; `fit` awaits it before going on, so a listener
 * that saves a checkpoint sees the parameters of exactly that iteration. No hook forces a
 * synchronous read from the device. `M` is the model the listener hears: a listener that works on
 * any model (it reads only scores and counters) implements `TrainingListener<Model>` and is taken by
 * a `Network` and a `ComputationGraph` alike.
 */
export interface TrainingListener<M extends Model = Network> {
  onFitStart?(info: FitStartInfo<M>): void | Promise<void>;
  onIterationEnd?(info: IterationInfo<M>): void | Promise<void>;
  /**
   * Hears the gradients of each update of the iterations {@link TrainingListener.gradientsWanted}
   * accepts (all when it is absent), synchronously, just before the updaters apply them; a
   * truncated-BPTT iteration updates once per segment. Only `fit` of a `Network` or a
   * `ComputationGraph` calls it (the parallel trainer's main network computes no gradients).
   */
  onGradients?(info: GradientInfo<M>): void;
  /** Which iterations' gradients {@link TrainingListener.onGradients} hears; others cost nothing. */
  gradientsWanted?(iteration: number): boolean;
  onEpochEnd?(info: EpochInfo<M>): void | Promise<void>;
  onFitEnd?(info: FitEndInfo<M>): void | Promise<void>;
}

/** What {@link Network.fit} returns. */
export interface FitResult {
  /** Epochs completed by this call. */
  readonly epochs: number;
  /** Mean score of each completed epoch. */
  readonly meanScores: number[];
  /** Why training stopped early (a listener's `stop`, an aborted signal); undefined otherwise. */
  readonly stopReason: string | undefined;
}
