// Supervised training epoch by epoch with early stopping on a validation split, resumable: after
// every epoch the network (with its updater state and counters) is saved as checkpoint `<key>`, the
// best one by validation error as `<key>-best`, and the curve point goes into the run state. A
// process started again carries on from the last completed epoch.
import type { DataSet, Network, Registry } from '@dl4ts/core';
import * as tf from '@tensorflow/tfjs-core';
import { heldOutScore } from '@dl4ts/core';
import { errorRate, pct } from './common';
import type { MnistSplits } from './common';
import type { RunStore } from './run-store';

/** Where a supervised phase stands; kept in the run's progress under its key. */
export interface EpochsProgress {
  /** Epochs completed. */
  epoch: number;
  bestValidation: number;
  bestEpoch: number;
  /** Why the phase ended; undefined while it runs. */
  ended?: string;
}

export const freshEpochs = (): EpochsProgress => ({ epoch: 0, bestValidation: Number.POSITIVE_INFINITY, bestEpoch: 0 });

export interface EpochsOptions {
  readonly maxEpochs: number;
  /** Stop after this many epochs without a lower validation error. */
  readonly patience: number;
  readonly batchSize: number;
  /** Stop once this wall-clock time (ms since the epoch) has passed; resumable later. */
  readonly deadline: number;
  /** Printed before each line. */
  readonly label: string;
}

/**
 * Trains `net` (already restored from `<key>` when resuming) until early stopping ends the phase,
 * `maxEpochs` is reached or the deadline passes. Returns true when the phase has ended. `net` stays
 * the caller's; the best network is the checkpoint `<key>-best`.
 */
export async function trainEpochs(store: RunStore<unknown>, key: string, progress: EpochsProgress, net: Network, data: MnistSplits, options: EpochsOptions): Promise<boolean> {
  store.startClock(key);
  try {
    return await epochs(store, key, progress, net, data, options);
  } finally {
    store.stopClock(key);
  }
}

async function epochs(store: RunStore<unknown>, key: string, progress: EpochsProgress, net: Network, data: MnistSplits, options: EpochsOptions): Promise<boolean> {
  const tensors = tf.memory().numTensors;
  while (progress.ended === undefined) {
    if (Date.now() >= options.deadline) return false;
    const result = await net.fit(data.train, { epochs: 1, batchSize: options.batchSize });
    const train = result.meanScores[0] as number;
    if (!Number.isFinite(train)) {
      progress.ended = `training loss ${train} at epoch ${progress.epoch + 1}`;
    }
    progress.epoch++;
    const validationError = await errorRate(net, data.validation);
    const validation = await heldOutScore(net, data.validation, { batchSize: 2000 });
    const testError = await errorRate(net, data.test);
    const point = store.record(key, { step: progress.epoch, train, validation, validationError, testError, tensors: tf.memory().numTensors - tensors });
    const improved = validationError < progress.bestValidation;
    if (improved) {
      progress.bestValidation = validationError;
      progress.bestEpoch = progress.epoch;
      await store.checkpoint(`${key}-best`, net);
    }
    console.log(`${options.label} epoch ${progress.epoch}: loss ${train.toFixed(4)}, validation loss ${validation.toFixed(4)}, validation error ${pct(validationError)}${improved ? ' (best)' : ''}, test error ${pct(testError)}, tensors +${point.tensors}, ${point.seconds.toFixed(0)} s`);
    if (progress.ended === undefined && progress.epoch - progress.bestEpoch >= options.patience) {
      progress.ended = `no lower validation error in ${options.patience} epochs after epoch ${progress.bestEpoch}`;
    } else if (progress.ended === undefined && progress.epoch >= options.maxEpochs) {
      progress.ended = `${options.maxEpochs} epochs`;
    }
    await store.checkpoint(key, net);
  }
  return true;
}

/** The best network of phase `key`, its test error and validation error. */
export async function bestOf(store: RunStore<unknown>, key: string, registry: Registry, data: MnistSplits): Promise<{ testError: number; validationError: number }> {
  const best = await store.restore(`${key}-best`, registry);
  const testError = await errorRate(best, data.test);
  const validationError = await errorRate(best, data.validation);
  best.dispose();
  return { testError, validationError };
}

/**
 * The results-table row of phase `key`: `label`, the test and validation figure of its best network
 * (`figure` of the error: the error itself by default, `(e) => 1 - e` for accuracy), its best epoch
 * of all and why it ended, its time.
 */
export async function phaseRow(store: RunStore<unknown>, key: string, phase: EpochsProgress, registry: Registry, data: MnistSplits, label: string, figure: (error: number) => number = (e) => e): Promise<string> {
  const best = await bestOf(store, key, registry, data);
  return `| ${label} | **${pct(figure(best.testError))}** | ${pct(figure(best.validationError))} | ${phase.bestEpoch} of ${phase.epoch} (${phase.ended ?? ''}) | ${store.elapsed(key).toFixed(0)} s |`;
}

/**
 * Runs phase `key` (its progress kept in `phases`): resumes its checkpoint when there is one, else
 * starts from `create()`. Returns true when the phase has ended, false at the deadline.
 */
export async function runPhase(store: RunStore<unknown>, phases: Record<string, EpochsProgress>, key: string, registry: Registry, data: MnistSplits, create: () => Network | Promise<Network>, options: Omit<EpochsOptions, 'label'>): Promise<boolean> {
  const progress = (phases[key] ??= freshEpochs());
  if (progress.ended !== undefined) return true;
  const net = store.hasCheckpoint(key) ? await store.restore(key, registry) : await create();
  try {
    return await trainEpochs(store, key, progress, net, data, { ...options, label: key });
  } finally {
    net.dispose();
  }
}

/** Where a phase of a fixed number of epochs stands (no early stopping: the count was chosen before). */
export interface FixedEpochsProgress {
  epoch: number;
  readonly epochs: number;
  ended?: string;
}

/**
 * Runs fixed phase `key` ({@link fixedEpochs}) on the network of its checkpoint when there is one,
 * else on `create()`, and disposes it after. Returns true when the phase has ended, false at the deadline.
 */
export async function runFixedPhase(store: RunStore<unknown>, key: string, progress: FixedEpochsProgress, registry: Registry, create: () => Promise<Network>, train: DataSet, test: DataSet, options: { batchSize: number; deadline: number }): Promise<boolean> {
  if (progress.ended !== undefined) return true;
  const net = store.hasCheckpoint(key) ? await store.restore(key, registry) : await create();
  try {
    return await fixedEpochs(store, key, progress, net, train, test, options);
  } finally {
    net.dispose();
  }
}

/**
 * Trains `net` on `train` until `progress.epochs` epochs are done (from `progress.epoch`, so a run
 * resumes), recording the training loss and `test`'s error after each epoch (the test set chooses
 * nothing here) and checkpointing the network as `<key>`. Returns true when the phase has ended,
 * false at the deadline.
 */
export async function fixedEpochs(store: RunStore<unknown>, key: string, progress: FixedEpochsProgress, net: Network, train: DataSet, test: DataSet, options: { batchSize: number; deadline: number }): Promise<boolean> {
  const tensors = tf.memory().numTensors;
  store.startClock(key);
  try {
    while (progress.epoch < progress.epochs) {
      if (Date.now() >= options.deadline) return false;
      const result = await net.fit(train, { epochs: 1, batchSize: options.batchSize });
      progress.epoch++;
      const loss = result.meanScores[0] as number;
      const testError = await errorRate(net, test);
      const point = store.record(key, { step: progress.epoch, train: loss, testError, tensors: tf.memory().numTensors - tensors });
      console.log(`${key} epoch ${progress.epoch}/${progress.epochs}: loss ${loss.toFixed(4)}, test error ${pct(testError)}, tensors +${point.tensors}, ${point.seconds.toFixed(0)} s`);
      if (progress.epoch >= progress.epochs) progress.ended = `${progress.epochs} epochs`;
      await store.checkpoint(key, net);
    }
    progress.ended ??= `${progress.epochs} epochs`;
    return true;
  } finally {
    store.stopClock(key);
  }
}
