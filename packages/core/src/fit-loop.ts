import * as tf from '@tensorflow/tfjs-core';
import type { BuiltModel } from './built-model';
import { epochShuffleRng } from './built-model';
import { checkLabelValues } from './batch-values';
import { checkFiniteValues } from './finite-values';
import type { BatchSource } from './data-set';
import { DataSet } from './data-set';
import { ConfigError, Dl4tsError, formatValue } from './errors';
import { checkBatch } from './input-checks';
import { MultiDataSet } from './graph/multi-data-set';
import type { EpochInfo, FitResult, IterationInfo, TrainingListener } from './listener';
import type { Model } from './model';
import type { Network } from './network';
import { trainingTarget } from './network-target';
import type { NonFiniteScoreAction } from './non-finite-score';
import { DivergenceGuard, nonFiniteAction } from './non-finite-score';
import type { AnyBatch, TrainingStrategy, TrainingTarget } from './training-strategy';
import { batchRows, disposeBatch, toMultiBatch } from './training-strategy';

/** Options of `fit` (of a `Network`, a `ComputationGraph`); listeners hear the model `M`. */
export interface FitOptions<M extends Model = Network> {
  epochs?: number;
  /** Default 32. */
  batchSize?: number;
  /** Shuffle each epoch with the network's seeded generator. Default true. */
  shuffle?: boolean;
  listeners?: readonly TrainingListener<M>[];
  /** Stops training after the running iteration once aborted; the reason is reported in the result. */
  signal?: AbortSignal;
  /**
   * What happens when an epoch's mean score is NaN or infinite (read at the epoch's end, where it
   * is read anyway): `stop` (default), `restore`, `throw` or `continue`; see {@link NonFiniteScoreAction}.
   */
  onNonFiniteScore?: NonFiniteScoreAction;
  /**
   * Value checks of the batches a source yields: every number finite, labels as the loss expects
   * (class indices in range, one-hot or distribution rows). `first-epoch` (default): the batches of
   * this call's first epoch; `every-epoch`; `off`. One device read per checked batch. A `DataSet` or
   * `MultiDataSet` is checked whole before training instead, whatever this says.
   */
  checkBatches?: 'first-epoch' | 'every-epoch' | 'off';
}

const CHECK_BATCHES = ['first-epoch', 'every-epoch', 'off'] as const;

/** Calls one hook on every listener in order, awaiting those that return a promise (fit's order; other trainers use it too). */
export async function notifyListeners<M extends Model>(listeners: readonly TrainingListener<M>[], call: (listener: TrainingListener<M>) => void | Promise<void> | undefined): Promise<void> {
  for (const listener of listeners) {
    const pending = call(listener);
    if (pending !== undefined) await pending;
  }
}

/** The reason an aborted signal gives, as `fit` reports it. */
export function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason.message;
  return typeof reason === 'string' ? reason : 'aborted';
}

/**
 * Checks an in-memory data set once before training, so that a bad value fails before the first
 * step rather than as a NaN score: every value finite, each input's and output's shape, and the
 * labels each loss can check (class indices in range).
 */
async function checkWholeData(model: BuiltModel, data: BatchSource<AnyBatch>): Promise<boolean> {
  if (!(data instanceof DataSet) && !(data instanceof MultiDataSet)) return false;
  await data.check();
  // The whole data set is one batch to the shape checks (a MultiDataSet is a MultiBatch).
  const m = data instanceof DataSet ? { features: [data.features], labels: [data.labels] } : data;
  checkBatch(model, m);
  await checkLabelValues(model, m, `fit: the labels of the ${data.constructor.name}`);
  return true;
}

/** What messages call a source: its class, or `BatchSource` for a plain object. */
function sourceName(data: BatchSource<AnyBatch>): string {
  const name = (data as object).constructor?.name;
  return name === undefined || name === 'Object' || name === '' ? 'BatchSource' : name;
}

/** Checks `epochs` and `batchSize` (of `fit`, `pretrainLayer`) and returns them with their defaults, 1 and 32. */
export function epochsAndBatchSize(owner: string, options: { epochs?: number; batchSize?: number }): { epochs: number; batchSize: number } {
  const epochs = options.epochs ?? 1;
  const batchSize = options.batchSize ?? 32;
  if (!Number.isInteger(epochs) || epochs < 0) throw new ConfigError(`${owner}: epochs must be a non-negative integer, received ${formatValue(epochs)}`);
  if (!Number.isInteger(batchSize) || batchSize <= 0) throw new ConfigError(`${owner}: batchSize must be a positive integer, received ${formatValue(batchSize)}`);
  return { epochs, batchSize };
}

/**
 * The fit loop: `epochs` passes over `data`, one strategy step per minibatch, listeners called
 * at each hook. The mean score of each epoch is read once, at its end; nothing is read
 * synchronously inside the loop. `network` is what listeners receive, and warns that training diverged.
 */
export async function runFit<M extends Model>(
  network: M,
  model: BuiltModel,
  strategy: TrainingStrategy,
  data: BatchSource<AnyBatch>,
  options: FitOptions<M>,
): Promise<FitResult> {
  if (training.has(model)) throw new Dl4tsError('DL4TS_USAGE', 'fit: this model is already training (an earlier fit call has not returned); await it before calling fit again');
  training.add(model);
  try {
    return await fitLoop(network, model, strategy, data, options);
  } finally {
    training.delete(model);
  }
}

/** Models whose fit loop is running: two at once would interleave their updates. */
const training = new WeakSet<BuiltModel>();

async function fitLoop<M extends Model>(network: M, model: BuiltModel, strategy: TrainingStrategy, data: BatchSource<AnyBatch>, options: FitOptions<M>): Promise<FitResult> {
  const { epochs, batchSize } = epochsAndBatchSize('fit', options);
  if (options.shuffle !== undefined && typeof options.shuffle !== 'boolean') throw new ConfigError(`fit: shuffle must be true or false, received ${formatValue(options.shuffle)}`);
  const onNonFinite = nonFiniteAction(options.onNonFiniteScore);
  const checking = options.checkBatches ?? 'first-epoch';
  if (!(CHECK_BATCHES as readonly unknown[]).includes(checking)) throw new ConfigError(`fit: checkBatches must be one of ${CHECK_BATCHES.join(', ')}, received ${formatValue(checking)}`);
  const { counters, params } = model;
  const checkedWhole = await checkWholeData(model, data);
  const checkValues = (e: number): boolean => !checkedWhole && (checking === 'every-epoch' || (checking === 'first-epoch' && e === 0));
  const target = trainingTarget(model);
  const listeners = options.listeners ?? [];
  if (!Array.isArray(listeners) || listeners.some((l: unknown) => l === null || typeof l !== 'object')) {
    throw new ConfigError(`fit: listeners must be an array of listener objects ({ onEpochEnd(info) { ... } }), received ${Array.isArray(listeners) ? 'an array holding a non-object' : typeof listeners === 'object' ? 'an object (not an array)' : typeof listeners}`);
  }
  const gradientListeners = listeners.filter((l) => typeof l.onGradients === 'function');
  const meanScores: number[] = [];
  let stopReason: string | undefined;
  const stop = (reason: string): void => {
    stopReason ??= reason;
  };
  const checkSignal = (): void => {
    if (options.signal?.aborted === true) stop(abortReason(options.signal));
  };
  const size = data.size;
  await notifyListeners(listeners, (l) =>
    l.onFitStart?.({
      network,
      epochs,
      batchSize,
      startEpoch: counters.epoch,
      startIteration: counters.iteration,
      examplesPerEpoch: size,
      batchesPerEpoch: size === undefined ? undefined : Math.ceil(size / batchSize),
    }),
  );
  checkSignal();
  const guard = new DivergenceGuard(network, onNonFinite);
  try {
    for (let e = 0; e < epochs && stopReason === undefined; e++) {
      let sum: tf.Tensor = tf.scalar(0);
      let batches = 0;
      let examples = 0;
      try {
        for await (const batch of data.batches(batchSize, options.shuffle === false ? undefined : epochShuffleRng(model.seed, counters.epoch))) {
          let score: tf.Tensor;
          const count = batchRows(batch);
          try {
            checkBatch(model, batch);
            if (checkValues(e)) {
              const where = `fit: batch ${batches + 1} of epoch ${counters.epoch + 1} from the ${sourceName(data)}`;
              await checkFiniteValues(toMultiBatch(batch), where);
              await checkLabelValues(model, toMultiBatch(batch), where);
            }
            score = strategy.step(observed(target, network, counters.iteration + 1, gradientListeners), batch);
            params.commitState();
            const next = tf.add(sum, score);
            sum.dispose();
            sum = next;
            batches++;
            examples += count;
            counters.iteration++;
          } finally {
            params.discardState();
            disposeBatch(batch);
          }
          if (listeners.length > 0) {
            const held = score;
            const info: IterationInfo<M> = {
              network,
              epoch: counters.epoch,
              iteration: counters.iteration,
              batchInEpoch: batches,
              examples: count,
              score: async () => {
                if (held.isDisposed) throw new Dl4tsError('DL4TS_USAGE', 'IterationInfo.score() was called after the listener call returned; read it during the call');
                return (await held.data())[0] as number;
              },
              stop,
            };
            try {
              await notifyListeners(listeners, (l) => l.onIterationEnd?.(info));
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
      // A diverged epoch is not counted either, and no listener hears it: checkpoints keep the last finite one.
      const diverged = batches > 0 ? guard.check(counters.epoch + 1, meanScore) : undefined;
      if (diverged !== undefined) {
        stop(diverged);
        break;
      }
      counters.epoch++;
      meanScores.push(meanScore);
      guard.epochCounted();
      const info: EpochInfo<M> = { network, epoch: counters.epoch, iteration: counters.iteration, meanScore, batches, examples, stop };
      await notifyListeners(listeners, (l) => l.onEpochEnd?.(info));
      checkSignal();
    }
  } finally {
    guard.dispose();
  }
  await notifyListeners(listeners, (l) => l.onFitEnd?.({ network, epoch: counters.epoch, iteration: counters.iteration, stopReason }));
  return { epochs: meanScores.length, meanScores, stopReason };
}

/** `target`, or one that first shows each update's gradients to the listeners that want this iteration's. */
function observed<M extends Model>(target: TrainingTarget, network: M, iteration: number, listeners: readonly TrainingListener<M>[]): TrainingTarget {
  const watching = listeners.filter((l) => l.gradientsWanted?.(iteration) ?? true);
  if (watching.length === 0) return target;
  return {
    ...target,
    applyGradients: (gradients) => {
      for (const listener of watching) listener.onGradients?.({ network, iteration, gradients });
      target.applyGradients(gradients);
    },
  };
}
