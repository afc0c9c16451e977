import type { AnyBatch, BatchSource, Model } from '@dl4ts/core';
import { wake, type Run, type Slot } from './fit-run';
import type { StateLayout } from './flat-state';
import type { ResolvedOptions } from './options';
import { isSpecSource } from './own-data';
import type { Counters, ToWorker } from './protocol';
import type { WorkerPool } from './worker-pool';

/** What bringing replicas up to date needs from the trainer. */
export interface ReplicasDeps<M extends Model> {
  readonly network: M;
  readonly pool: WorkerPool;
  readonly options: ResolvedOptions;
  layout(): StateLayout;
  /** The running fit, if any. */
  run(): Run<M> | undefined;
  /** Whether the trainer is neither closed nor failed. */
  open(): boolean;
  /** Waits for a promise unless the run fails first. */
  race<T>(promise: Promise<T>): Promise<T>;
}

/**
 * The replicas' state from the trainer's side: loading a replica with the main network's or the
 * newest average's state, and replacements for lost workers, started when the transport offers a
 * new process for their index and admitted at a window boundary.
 */
export class Replicas<M extends Model> {
  /** Sends a replica its `init` (set once the model artifact exists). */
  initialise: ((slot: Slot) => void) | undefined;

  constructor(private readonly deps: ReplicasDeps<M>) {}

  /**
   * Brings a replica to `full` (parameters, then updater state: sent the first time, and always
   * when updater state is averaged) and `counters`, with the data spec it reads its minibatches from.
   */
  load(slot: Slot, full: Float32Array, counters: Counters, data: BatchSource<AnyBatch>): void {
    const { pool, options } = this.deps;
    if (isSpecSource(data)) pool.post(slot, { type: 'data', spec: data.spec });
    const updaters = options.averageUpdaters || !slot.updatersLoaded;
    slot.updatersLoaded ||= updaters;
    const state = (updaters ? full : full.subarray(0, this.deps.layout().length(false))).slice();
    pool.post(slot, { type: 'load', state, updaters, counters }, [state.buffer]);
  }

  /** A new process for lost worker `index`: under `'continue'`, start it; it joins at a window boundary. */
  offer(index: number): void {
    if (!this.deps.open() || this.deps.options.onWorkerFailure !== 'continue' || this.initialise === undefined) return;
    const slot = this.deps.pool.respawn(index);
    if (slot === undefined) return;
    this.initialise(slot);
    void slot.ready.promise.then(() => {
      slot.joinable = true;
      const run = this.deps.run();
      if (run !== undefined) wake(run);
    });
  }

  /** Whether a replacement has built its replica and waits to join. */
  waiting(): boolean {
    return this.deps.pool.joining.some((s) => s.joinable === true);
  }

  /**
   * Lets started replacements join before the next window is dealt: once every window dealt so far
   * is averaged, each gets the newest average (or the main network's state) and counters, the data
   * spec and the running epoch, then takes its index's place in the dealing.
   */
  async admit(run: Run<M>, data: BatchSource<AnyBatch>, epochMessage: Extract<ToWorker, { type: 'epoch' }>): Promise<void> {
    const { pool, network } = this.deps;
    while ([...run.windows.values()].some((w) => !w.done && w.rounds > 0) && this.deps.open()) await this.deps.race(run.progress.promise);
    const layout = this.deps.layout();
    const { latest } = run;
    // The newest average, with the main network's updater state where averages carry none.
    let full = latest?.state;
    if (full === undefined || full.length < layout.length(true)) {
      full = await layout.read(network, true);
      if (latest !== undefined) full.set(latest.state);
    }
    const counters = latest?.counters ?? { iteration: network.iteration, epoch: network.epoch };
    for (const slot of pool.joining.filter((s) => s.joinable === true)) {
      this.load(slot, full, counters, data);
      pool.post(slot, epochMessage);
      pool.admit(slot);
    }
  }
}
