import type { IterationInfo, Model } from '@dl4ts/core';
import { ConfigError, notifyListeners } from '@dl4ts/core';
import { averageBuffers } from './average';
import { WorkerError } from './errors';
import { roundScores, wake, type Averaged, type Run, type Window, type WindowInfo, type WindowListener } from './fit-run';
import type { StateLayout } from './flat-state';
import type { ResolvedOptions } from './options';
import type { Counters, FromWorker } from './protocol';
import type { WorkerPool } from './worker-pool';

/** What the averaging of windows needs from its trainer. */
export interface AveragerDeps<M extends Model> {
  readonly network: M;
  readonly pool: WorkerPool;
  readonly options: ResolvedOptions;
  layout(): StateLayout;
  /** Ends the run with this error. */
  fail(error: WorkerError): void;
  /** Whether the run has already failed. */
  stopped(): boolean;
}

/**
 * The trainer's averaging windows: opening them, averaging each once every expected worker has
 * reported (here, or by the transport where the states are), putting the average in the main
 * network and announcing the window's rounds to the listeners, in window order.
 */
export class WindowAverager<M extends Model> {
  private nextWindow = 0;

  constructor(private readonly deps: AveragerDeps<M>) {}

  /** Window ids never repeat, so a late report from a stopped run cannot land in a new window. */
  open(run: Run<M>, startIteration: number): Window {
    const window: Window = { id: this.nextWindow++, startIteration, examples: [], expected: new Set(), received: new Map(), openedAt: performance.now(), receivedAt: new Map(), rounds: 0, done: false };
    run.windows.set(window.id, window);
    return window;
  }

  /** Averages a window once every worker expected in it has reported, then tells every worker. */
  tryComplete(run: Run<M>, window: Window): void {
    if (window.done || window.reducing === true || window.expected.size === 0 || ![...window.expected].every((s) => window.received.has(s))) return;
    // Earlier windows complete first: every worker reports its windows in order.
    window.reducing = true;
    const ordered = [...window.expected].sort((a, b) => a.index - b.index);
    const reports = ordered.map((s) => window.received.get(s) as Extract<FromWorker, { type: 'synced' }>);
    const counters: Counters = { iteration: window.startIteration + window.rounds, epoch: this.deps.network.epoch };
    // Workers that trained in the window, with their reports.
    const trained = ordered.map((slot, i) => ({ slot, report: reports[i] as Extract<FromWorker, { type: 'synced' }> })).filter(({ report }) => report.state !== undefined || report.stateStored === true);
    const participating = trained.map((t) => t.report);
    const participants = trained.map((t) => t.slot);
    // Each replica weighs as the examples it trained on: a short last minibatch counts for less.
    const weights = participating.map((r) => r.examples);
    if (participants.length === 0) {
      window.done = true;
      wake(run);
      return;
    }
    const updaters = this.deps.options.averageUpdaters;
    const { transport } = this.deps.options;
    if (reports.some((r) => r.stateStored === true)) {
      // The transport averages where the states are and hands the workers the result itself.
      const length = this.deps.layout().length(updaters);
      run.reductions = run.reductions
        .then(() => {
          if (transport.reduce === undefined) throw new ConfigError(`ParallelTrainer: the ${transport.name} transport reported stored states but cannot average them (no reduce())`);
          return transport.reduce(window.id, participants.map((s) => s.index), { length, weights, receivers: ordered.map((s) => s.index), updaters, counters });
        })
        .then((state) => this.complete(run, window, reports, { state, counters }))
        .catch((error: unknown) => this.deps.fail(error instanceof WorkerError ? error : new WorkerError(`ParallelTrainer: averaging window ${window.id} failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`, -1, 'train', error instanceof Error ? error.name : undefined)));
      return;
    }
    const states = participating.map((r) => r.state as Float32Array);
    const length = (states[0] as Float32Array).length;
    const out = transport.sharedMemory ? new Float32Array(new SharedArrayBuffer(length * 4)) : new Float32Array(length);
    const state = averageBuffers(states, out, weights);
    this.deps.pool.broadcast({ type: 'average', window: window.id, state, updaters, counters });
    this.complete(run, window, reports, { state, counters });
  }

  /** A window's average is known: it becomes the latest, and its rounds are announced. */
  private complete(run: Run<M>, window: Window, reports: readonly Extract<FromWorker, { type: 'synced' }>[], averaged: Averaged): void {
    window.done = true;
    run.latest = averaged;
    run.syncedRounds += window.rounds;
    const scores = roundScores(reports, window.rounds);
    if (run.listeners.length > 0) {
      const stats = windowStats(window, performance.now());
      run.notifications = run.notifications
        .then(() => this.announce(run, window, averaged, scores, stats))
        .catch((error: unknown) => {
          run.listenerError ??= error;
          wake(run);
        });
    }
    wake(run);
  }

  /** Puts a window's average in the main network and tells the listeners about its rounds. */
  private async announce(run: Run<M>, window: Window, averaged: Averaged, roundScores: number[], stats: WindowInfo): Promise<void> {
    if (run.stopReason !== undefined || this.deps.stopped()) return;
    this.apply(run, averaged);
    await notifyListeners(run.listeners, (l) => ('onWindow' in l ? (l as WindowListener).onWindow?.(stats) : undefined));
    const stop = (reason: string): void => {
      run.stopReason ??= reason;
      wake(run);
    };
    for (let k = 0; k < window.rounds; k++) {
      const score = roundScores[k] as number;
      const info: IterationInfo<M> = {
        network: this.deps.network,
        epoch: this.deps.network.epoch,
        iteration: window.startIteration + k + 1,
        batchInEpoch: window.startIteration + k + 1 - run.epochStartIteration,
        examples: window.examples[k] ?? 0,
        score: () => Promise.resolve(score),
        stop,
      };
      await notifyListeners(run.listeners, (l) => l.onIterationEnd?.(info));
      if (run.stopReason !== undefined) break; // as in fit: no listener hears a later iteration
    }
  }

  apply(run: Run<M>, averaged: Averaged): void {
    this.deps.layout().write(this.deps.network, averaged.state, this.deps.options.averageUpdaters);
    this.deps.network.setCounters(averaged.counters);
    run.applied = averaged;
  }
}

/** The window's figures for {@link WindowListener}: each expected worker's examples, scores and times. */
function windowStats(window: Window, now: number): WindowInfo {
  const workers = [...window.expected]
    .sort((a, b) => a.index - b.index)
    .map((slot) => {
      const report = window.received.get(slot);
      const at = window.receivedAt.get(slot) ?? now;
      const scores = report?.scores ?? [];
      return { worker: slot.index, examples: report?.examples ?? 0, meanScore: scores.length === 0 ? Number.NaN : scores.reduce((a, b) => a + b, 0) / scores.length, reportMs: at - window.openedAt, ageMs: now - at };
    });
  return { window: window.id, iteration: window.startIteration + window.rounds, rounds: window.rounds, ms: now - window.openedAt, workers };
}
