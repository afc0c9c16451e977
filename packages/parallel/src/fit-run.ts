import type { Model, TrainingListener } from '@dl4ts/core';
import { deferred, type Deferred } from './deferred';
import type { WorkerError } from './errors';
import type { Counters, FromWorker } from './protocol';
import type { WorkerHandle } from './transport';

// The bookkeeping of the trainer: its workers, averaging windows and one `fit` call.

/** One worker as the trainer tracks it. */
export interface Slot {
  readonly index: number;
  readonly handle: WorkerHandle;
  alive: boolean;
  readonly ready: Deferred<void>;
  snapshot?: Deferred<Float32Array>;
  /** The replica has received updater state at least once. */
  updatersLoaded: boolean;
  /** A replacement for a lost worker that has built its replica and may join the dealing. */
  joinable?: boolean;
}

/** One averaging window: the rounds dealt since the last average, and the reports on them. */
export interface Window {
  readonly id: number;
  readonly startIteration: number;
  /** Examples per round (one minibatch per worker). */
  readonly examples: number[];
  readonly expected: Set<Slot>;
  readonly received: Map<Slot, Extract<FromWorker, { type: 'synced' }>>;
  /** When the window opened and when each report arrived (performance.now(), ms): for {@link WindowListener}. */
  readonly openedAt: number;
  readonly receivedAt: Map<Slot, number>;
  rounds: number;
  /** Averaged (or skipped: nobody trained in it). */
  done: boolean;
  /** Being averaged by the transport (`WorkerTransport.reduce`). */
  reducing?: boolean;
}

/** One worker's part in an averaging window, as {@link WindowListener.onWindow} reports it. */
export interface WorkerWindowStats {
  /** The worker's index (0-based). */
  readonly worker: number;
  /** Examples it trained on in the window (0: it was dealt nothing). */
  readonly examples: number;
  /** Mean of its minibatch scores in the window; NaN when it trained on nothing. */
  readonly meanScore: number;
  /** Milliseconds from the window's opening to this worker's report: its round time. */
  readonly reportMs: number;
  /** Milliseconds since this worker's report when the window was averaged: its heartbeat age. */
  readonly ageMs: number;
}

/** What {@link WindowListener.onWindow} hears after each averaging window. */
export interface WindowInfo {
  /** The window's id (0-based, counting across fits of one trainer). */
  readonly window: number;
  /** The main network's iteration at the window's last round. */
  readonly iteration: number;
  readonly rounds: number;
  /** Milliseconds from the window's opening to its average. */
  readonly ms: number;
  readonly workers: readonly WorkerWindowStats[];
}

/**
 * A `fit` listener of the `ParallelTrainer` may also implement this: it hears each averaging
 * window (the workers' round times and heartbeat ages) before the window's iterations.
 */
export interface WindowListener {
  onWindow?(info: WindowInfo): void | Promise<void>;
}

/** A completed average, as the workers and the main network take it. */
export interface Averaged {
  readonly state: Float32Array;
  readonly counters: Counters;
}

/** Everything one `fit` call tracks; `M` is the model the listeners hear. */
export interface Run<M extends Model = Model> {
  readonly listeners: readonly TrainingListener<M>[];
  readonly windows: Map<number, Window>;
  readonly epochDone: Map<Slot, Extract<FromWorker, { type: 'epoch-done' }>>;
  /** Resolved and replaced on every event the loop may wait for. */
  progress: Deferred<void>;
  stopReason: string | undefined;
  /** Rounds of the running epoch averaged so far. */
  syncedRounds: number;
  /** The main network's iteration when the running epoch started. */
  epochStartIteration: number;
  /** The newest completed average, and the one the main network holds. */
  latest: Averaged | undefined;
  applied: Averaged | undefined;
  /** Listener calls run in window order, after the window's average is in the main network. */
  notifications: Promise<void>;
  /** Averages done by the transport, one after another in window order. */
  reductions: Promise<void>;
  /** An error thrown by a listener, rethrown by `fit`. */
  listenerError: unknown;
  readonly failures: WorkerError[];
}

export function newRun<M extends Model>(listeners: readonly TrainingListener<M>[]): Run<M> {
  return {
    listeners,
    windows: new Map(),
    epochDone: new Map(),
    progress: deferred<void>(),
    stopReason: undefined,
    syncedRounds: 0,
    epochStartIteration: 0,
    latest: undefined,
    applied: undefined,
    notifications: Promise.resolve(),
    reductions: Promise.resolve(),
    listenerError: undefined,
    failures: [],
  };
}

/** Wakes whatever waits on the run's progress. */
export function wake(run: Run): void {
  const current = run.progress;
  run.progress = deferred<void>();
  current.resolve();
}

type Synced = Extract<FromWorker, { type: 'synced' }>;
type EpochDone = Extract<FromWorker, { type: 'epoch-done' }>;

/** The mean score of each round of a window: the mean over the workers that had a minibatch in it. */
export function roundScores(reports: readonly Synced[], rounds: number): number[] {
  return Array.from({ length: rounds }, (_, k) => {
    const values = reports.map((r) => r.scores[k]).filter((v): v is number => v !== undefined);
    return values.reduce((a, b) => a + b, 0) / values.length;
  });
}

/**
 * Mean minibatch score of an epoch from the workers' own epoch means (exact with one worker),
 * summed in worker order whatever order the reports arrived in.
 */
export function epochMeanScore(done: ReadonlyMap<Slot, EpochDone>): number {
  const reports = [...done].sort(([a], [b]) => a.index - b.index).map(([, r]) => r).filter((r) => r.batches > 0);
  if (reports.length === 0) return Number.NaN;
  const first = reports[0] as EpochDone;
  if (reports.every((r) => r.batches === first.batches)) return reports.reduce((s, r) => s + r.meanScore, 0) / reports.length;
  const total = reports.reduce((s, r) => s + r.batches, 0);
  return reports.reduce((s, r) => s + r.meanScore * r.batches, 0) / total;
}
