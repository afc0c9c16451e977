import type { AnyBatch, BatchSource, FitOptions, FitResult, Model, Network, NonFiniteScoreAction } from '@dl4ts/core';
import { ConfigError, DEFAULT_SEED, DivergenceGuard, Dl4tsError, abortReason, formatValue, nonFiniteAction, notifyListeners, serializeModel } from '@dl4ts/core';
import { providersOf } from './default-plugins';
import { deferred, type Deferred } from './deferred';
import { WorkerError, type WorkerPhase } from './errors';
import { epochMeanScore, newRun, wake, type Run, type Slot } from './fit-run';
import { StateLayout } from './flat-state';
import { deals } from './deal';
import { resolveOptions, type ParallelOptions, type ResolvedOptions } from './options';
import { checkDataSpec, isSpecSource } from './own-data';
import { Replicas } from './replicas';
import { WindowAverager } from './window-averager';
import { WorkerPool } from './worker-pool';
import type { FromWorker, ToWorker } from './protocol';

/** What {@link ParallelTrainer.fit} returns: core's `FitResult` and the workers lost on the way. */
export interface ParallelFitResult extends FitResult {
  /** Workers that failed while `onWorkerFailure: 'continue'` kept training going. */
  readonly workerFailures: readonly WorkerError[];
}

const SEED_MIX = 0x9e3779b1;

/**
 * Data-parallel training by parameter averaging, after DL4J's `ParallelWrapper`: N workers each
 * train a replica of `network` on their share of the minibatches (dealt round-robin in the order
 * `network.fit` would use, so a seed gives the same run), and every `averagingFrequency`
 * minibatches per worker the replicas' parameters (and updater state) are averaged; every replica
 * and the main network continue from the same bits.
 *
 * The main thread keeps the authoritative `network`: listeners, checkpoints and early stopping
 * (pass the trainer as `trainer` in `fitEarlyStopping`'s config) see it, and after `fit` it holds
 * the averaged parameters, updater state and counters. An iteration is one round (one minibatch
 * per worker). Workers start on the first `fit` and live until {@link ParallelTrainer.close}.
 *
 * @example
 * ```ts
 * const trainer = new ParallelTrainer(net, { transport: nodeWorkers(), workers: 2, averagingFrequency: 5 });
 * try {
 *   await trainer.fit(train, { epochs: 10, batchSize: 64, listeners: [new ScoreIterationListener({ every: 50 })] });
 * } finally {
 *   await trainer.close();
 * }
 * await saveModel(net, 'model.safetensors');
 * ```
 */
export class ParallelTrainer<M extends Model = Network> {
  readonly network: M;
  private readonly options: ResolvedOptions;
  private readonly pool: WorkerPool;
  private layout: StateLayout | undefined;
  private starting: Promise<void> | undefined;
  private run: Run<M> | undefined;
  private fatal: Deferred<never> = deferred<never>();
  private fatalError: Error | undefined;
  private closed = false;
  private readonly windows: WindowAverager<M>;
  private readonly replicas: Replicas<M>;

  constructor(network: M, options: ParallelOptions) {
    this.options = resolveOptions(options);
    this.pool = new WorkerPool(this.options.transport);
    if (network.layers.length === 0) throw new ConfigError('ParallelTrainer: the network has no layers'); // layers throws if not initialised
    this.network = network;
    this.replicas = new Replicas<M>({
      network,
      pool: this.pool,
      options: this.options,
      layout: () => this.layout as StateLayout,
      run: () => this.run,
      open: () => !this.closed && this.fatalError === undefined,
      race: (promise) => this.race(promise),
    });
    this.windows = new WindowAverager<M>({
      network,
      pool: this.pool,
      options: this.options,
      layout: () => this.layout as StateLayout,
      fail: (error) => this.failRun(error),
      stopped: () => this.fatalError !== undefined,
    });
  }

  /** Number of workers asked for. */
  get workers(): number {
    return this.options.workers;
  }

  /** Workers running now (fewer than asked after failures under `onWorkerFailure: 'continue'`). */
  get liveWorkers(): number {
    return this.pool.live().length;
  }

  /** Starts the workers and builds their replicas; `fit` calls it. Rejects with a {@link WorkerError}. */
  start(): Promise<void> {
    this.assertOpen();
    this.starting ??= this.spawn();
    return this.starting;
  }

  private async spawn(): Promise<void> {
    const artifact = await serializeModel(this.network);
    const plugins = this.options.plugins ?? providersOf(artifact, this.network);
    this.layout = new StateLayout(this.network);
    const seed = this.network.config.seed ?? DEFAULT_SEED;
    this.pool.spawn(
      this.options.workers,
      (slot, message) => this.receive(slot, message),
      (slot, error, exitCode) => this.lost(slot, error.message, this.run === undefined || this.pool.joining.includes(slot) ? 'start' : 'train', error.name, exitCode),
    );
    this.replicas.initialise = (slot) =>
      this.pool.post(slot, {
        type: 'init',
        artifact,
        seed: slot.index === 0 ? seed : (seed ^ Math.imul(slot.index, SEED_MIX)) >>> 0,
        backend: this.options.backend,
        plugins,
        resolveFrom: this.options.resolveFrom,
        updaters: this.options.averageUpdaters,
      });
    for (const slot of this.pool.slots) this.replicas.initialise?.(slot);
    this.options.transport.onWorkerAvailable?.((index) => this.replicas.offer(index));
    try {
      await this.race(Promise.all(this.pool.slots.map((s) => s.ready.promise)));
    } catch (error) {
      await this.close();
      throw error;
    }
    // Idle workers must not keep the process alive (a forgotten close() would hang it).
    this.pool.keepAlive(false);
  }

  /**
   * Trains as `network.fit` would (same options and result), on the workers. Rejects with a
   * {@link WorkerError} when a worker fails (unless `onWorkerFailure: 'continue'`), after stopping
   * every worker; the network then holds the last completed average. Any failure closes the trainer.
   */
  async fit(data: BatchSource<AnyBatch>, options: FitOptions<M> = {}): Promise<ParallelFitResult> {
    this.assertOpen();
    if (this.run !== undefined) throw new Dl4tsError('DL4TS_USAGE', 'ParallelTrainer.fit: a fit is already running on this trainer');
    const epochs = options.epochs ?? 1;
    const batchSize = options.batchSize ?? 32;
    const onNonFinite = nonFiniteAction(options.onNonFiniteScore, 'ParallelTrainer.fit');
    if (isSpecSource(data)) {
      checkDataSpec(data.spec, 'ParallelTrainer.fit: data.spec');
      if (!Number.isInteger(data.size) || data.size < 1) throw new ConfigError(`ParallelTrainer.fit: data the workers open themselves (data.spec) must know its size, a positive integer; received ${formatValue(data.size)}`);
    }
    // Zero epochs runs only fit's checks: options, data values and shapes against the network.
    await this.network.fit(data, { epochs: 0, batchSize });
    await this.start();
    const run = newRun(options.listeners ?? []);
    this.run = run;
    this.pool.keepAlive(true);
    try {
      return await this.train(run, data, epochs, batchSize, options, onNonFinite);
    } catch (error) {
      // The main network holds the last completed average, never a partial one.
      if (run.latest !== undefined && run.latest !== run.applied) this.windows.apply(run, run.latest);
      await this.close();
      throw error;
    } finally {
      this.pool.keepAlive(false);
      this.run = undefined;
    }
  }

  private async train(run: Run<M>, data: BatchSource<AnyBatch>, epochs: number, batchSize: number, options: FitOptions<M>, onNonFinite: NonFiniteScoreAction): Promise<ParallelFitResult> {
    const net = this.network;
    const layout = this.layout as StateLayout;
    const stop = (reason: string): void => {
      run.stopReason ??= reason;
      wake(run);
    };
    const checkSignal = (): void => {
      if (options.signal?.aborted === true) stop(abortReason(options.signal));
    };
    // Every replica starts from the main network, whatever happened to it since the last fit.
    const full = await layout.read(net, true);
    for (const slot of this.pool.live()) this.replicas.load(slot, full, { iteration: net.iteration, epoch: net.epoch }, data);
    const size = data.size;
    const batchesPerEpoch = size === undefined ? undefined : Math.ceil(size / batchSize);
    await notifyListeners(run.listeners, (l) =>
      l.onFitStart?.({
        network: net,
        epochs,
        batchSize,
        startEpoch: net.epoch,
        startIteration: net.iteration,
        examplesPerEpoch: size,
        batchesPerEpoch: batchesPerEpoch === undefined ? undefined : Math.ceil(batchesPerEpoch / this.options.workers),
      }),
    );
    checkSignal();
    const meanScores: number[] = [];
    // As in fit: a diverged epoch is not counted and no listener hears it.
    const guard = new DivergenceGuard(net, onNonFinite);
    try {
      for (let e = 0; e < epochs && run.stopReason === undefined; e++) {
        const { meanScore, examples } = await this.epoch(run, data, batchSize, options.shuffle !== false, checkSignal);
        if (run.stopReason !== undefined) break;
        const diverged = guard.check(net.epoch + 1, meanScore);
        if (diverged !== undefined) {
          stop(diverged);
          break;
        }
        net.setCounters({ iteration: net.iteration, epoch: net.epoch + 1 });
        meanScores.push(meanScore);
        guard.epochCounted();
        const info = { network: net, epoch: net.epoch, iteration: net.iteration, meanScore, batches: run.syncedRounds, examples, stop };
        await notifyListeners(run.listeners, (l) => l.onEpochEnd?.(info));
        checkSignal();
      }
    } finally {
      guard.dispose();
    }
    await notifyListeners(run.listeners, (l) => l.onFitEnd?.({ network: net, epoch: net.epoch, iteration: net.iteration, stopReason: run.stopReason }));
    return { epochs: meanScores.length, meanScores, stopReason: run.stopReason, workerFailures: [...run.failures] };
  }

  /** One epoch: deal, average, wait for every worker to finish it. Returns the mean minibatch score. */
  private async epoch(run: Run<M>, data: BatchSource<AnyBatch>, batchSize: number, shuffle: boolean, checkSignal: () => void): Promise<{ meanScore: number; examples: number }> {
    const net = this.network;
    const { averagingFrequency: frequency, prefetch } = this.options;
    run.epochDone.clear();
    run.syncedRounds = 0;
    run.epochStartIteration = net.iteration;
    const seed = net.config.seed ?? DEFAULT_SEED;
    const rng = shuffle ? net.shuffleRng() : undefined;
    const epochMessage: Extract<ToWorker, { type: 'epoch' }> = { type: 'epoch', ...(isSpecSource(data) && { own: { batchSize, shuffleSeed: shuffle ? seed : undefined, epoch: net.epoch } }) };
    this.pool.broadcast(epochMessage);
    let window = this.windows.open(run, net.iteration);
    let dealtInWindow = 0;
    let windowStart = 0; // rounds of this epoch before the open window
    let examples = 0;
    const closeWindow = (): void => {
      window.rounds = window.examples.length;
      for (const slot of this.pool.live()) {
        window.expected.add(slot);
        this.pool.post(slot, { type: 'sync', window: window.id });
      }
      windowStart += window.rounds;
      dealtInWindow = 0;
      window = this.windows.open(run, window.startIteration + window.rounds);
    };
    for await (const { message, transfer, examples: count } of deals(data, batchSize, rng)) {
      if (run.listenerError !== undefined || run.stopReason !== undefined || this.fatalError !== undefined) {
        if (run.listenerError !== undefined) throw run.listenerError;
        break;
      }
      if (dealtInWindow === 0 && this.replicas.waiting()) await this.replicas.admit(run, data, epochMessage);
      examples += count;
      const live = this.pool.live();
      if (live.length === 0) break;
      const round = Math.floor(dealtInWindow / live.length);
      // Prefetch bound: at most `frequency + prefetch` rounds ahead of the last average.
      while (windowStart + round >= run.syncedRounds + frequency + prefetch && run.stopReason === undefined && this.fatalError === undefined) await this.race(run.progress.promise);
      if (run.stopReason !== undefined) break;
      const target = live[dealtInWindow % live.length] as Slot;
      this.pool.post(target, message, transfer);
      window.examples[round] = (window.examples[round] ?? 0) + count;
      dealtInWindow++;
      if (dealtInWindow >= frequency * live.length) closeWindow();
      checkSignal();
    }
    if (run.stopReason === undefined && window.examples.length > 0) closeWindow();
    run.windows.delete(window.id); // the empty window opened last
    if (run.stopReason !== undefined) {
      this.pool.broadcast({ type: 'stop' });
    } else {
      this.pool.broadcast({ type: 'end' });
    }
    // Wait until every worker has finished its epoch (after a stop, each ends after its current step).
    while (this.pool.live().some((s) => !run.epochDone.has(s))) await this.race(run.progress.promise);
    if (run.stopReason === undefined) while ([...run.windows.values()].some((w) => !w.done)) await this.race(run.progress.promise);
    run.windows.clear();
    await this.race(run.notifications);
    if (run.listenerError !== undefined) throw run.listenerError;
    // A listener's stop keeps the state it saw; otherwise the main network takes the last average.
    if (run.latest !== undefined && run.latest !== run.applied && (run.stopReason === undefined || run.listeners.length === 0)) this.windows.apply(run, run.latest);
    checkSignal();
    return { meanScore: epochMeanScore(run.epochDone), examples };
  }

  private receive(slot: Slot, message: FromWorker): void {
    if (!slot.alive) return;
    const run = this.run;
    switch (message.type) {
      case 'ready': {
        const expected = (this.layout as StateLayout).entries();
        const same = message.layout.length === expected.length && message.layout.every((e, i) => e.name === expected[i]?.name && e.size === expected[i]?.size);
        if (!same) this.lost(slot, `its replica's parameters differ from the main network's (${message.layout.map((e) => `${e.name}:${e.size}`).join(', ')})`, 'start', 'ConfigError');
        else slot.ready.resolve();
        break;
      }
      case 'synced': {
        const window = run?.windows.get(message.window);
        if (run === undefined || window === undefined || window.done) return;
        window.received.set(slot, message);
        window.receivedAt.set(slot, performance.now());
        this.windows.tryComplete(run, window);
        break;
      }
      case 'epoch-done':
        if (run !== undefined) {
          run.epochDone.set(slot, message);
          wake(run);
        }
        break;
      case 'snapshot':
        slot.snapshot?.resolve(message.state);
        break;
      case 'error':
        this.lost(slot, `${message.error.name}: ${message.error.message}`, message.phase, message.error.name);
        break;
    }
  }

  /** A worker failed: stop everything, or go on without it. */
  private lost(slot: Slot, what: string, phase: WorkerPhase, causeName?: string, exitCode?: number): void {
    if (!slot.alive || this.closed) return;
    if (this.pool.joining.includes(slot)) {
      // A replacement that failed before joining: it never held any of the run's work.
      this.pool.kill(slot);
      this.run?.failures.push(new WorkerError(`ParallelTrainer: the replacement for worker ${slot.index} failed while starting: ${what.replace(/\.+$/, '')}.`, slot.index, 'start', causeName, exitCode));
      return;
    }
    this.pool.kill(slot);
    const run = this.run;
    const where = phase === 'start' ? 'while starting' : 'while training';
    const held = run?.latest ?? run?.applied;
    const state =
      phase === 'start'
        ? ''
        : ` The main network holds the state of iteration ${held?.counters.iteration ?? this.network.iteration}${held === undefined ? ' (from before this fit)' : ', the last completed averaging step'}.`;
    const hint = causeName === 'ArtifactError' ? ' Register the missing components in the workers with the plugins option (module specifiers).' : '';
    const error = new WorkerError(`ParallelTrainer: worker ${slot.index} failed ${where}: ${what.replace(/\.+$/, '')}.${state}${hint}`, slot.index, phase, causeName, exitCode);
    const survivors = this.pool.live();
    if (phase === 'train' && run !== undefined && this.options.onWorkerFailure === 'continue' && survivors.length > 0) {
      run.failures.push(error);
      run.epochDone.delete(slot);
      for (const window of run.windows.values()) {
        if (window.done) continue;
        window.expected.delete(slot);
        window.received.delete(slot);
        this.windows.tryComplete(run, window);
      }
      wake(run);
      return;
    }
    slot.ready.reject(error);
    this.failRun(error);
  }

  /** Ends the run: `fit` rejects with `error` and every worker is stopped. */
  private failRun(error: WorkerError): void {
    if (this.fatalError !== undefined) return;
    this.fatalError = error;
    this.fatal.reject(error);
    for (const other of this.pool.live()) this.pool.kill(other);
  }

  /** Waits for `promise` unless a worker fails first; rethrows a listener's error. */
  private async race<T>(promise: Promise<T>): Promise<T> {
    const value = await Promise.race([promise, this.fatal.promise]);
    if (this.run !== undefined && this.run.listenerError !== undefined) throw this.run.listenerError;
    return value;
  }

  private assertOpen(): void {
    if (this.closed) throw new Dl4tsError('DL4TS_USAGE', `ParallelTrainer: the trainer is closed${this.fatalError === undefined ? '' : ` after a failure (${this.fatalError.message})`}; create a new one`);
  }

  /**
   * Each live worker's state in {@link StateLayout}'s order: parameters, then updater state when it
   * is averaged (or when `updaters` is given as true), for checking that every replica holds the
   * same bits. Call between fits.
   */
  async workerStates(options: { updaters?: boolean } = {}): Promise<Float32Array[]> {
    const updaters = options.updaters ?? this.options.averageUpdaters;
    this.assertOpen();
    if (this.run !== undefined) throw new Dl4tsError('DL4TS_USAGE', 'ParallelTrainer.workerStates: call it between fits, not while one runs');
    await this.start();
    this.pool.keepAlive(true);
    try {
      return await this.race(this.pool.snapshots(updaters));
    } finally {
      this.pool.keepAlive(false);
    }
  }

  /** Terminates every worker. The trainer cannot be used afterwards; the network stays usable. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.close();
  }
}
