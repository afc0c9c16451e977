import { randomUUID } from 'node:crypto';
import type { Counters, ToWorker, WorkerHandle, WorkerTransport } from '@dl4ts/parallel';
import { ConfigError } from '@dl4ts/core';
import { connect, type Connection, type RedisUnavailableError } from './connection';
import { decode, push, type Envelope } from './envelope';
import { integerAtLeast, resolveRunOptions, type RedisRunOptions, type ResolvedRunOptions } from './options';
import { awaitAverage, reduceShare, type RoundSpec } from './sharded-reduce';
import type { ToWorkerProcess } from './worker-process';

/** Options of {@link redisWorkers}. */
export interface RedisWorkersOptions extends RedisRunOptions {
  /** How long a worker process may take to appear (its first lease) after the trainer starts. Default 120000 ms. */
  readonly startTimeoutMs?: number;
  /**
   * How a window is averaged: `'sharded'` (default), each worker averages a share of every state
   * and all read the result; `'star'`, every state goes to the coordinator, which sends back the average.
   */
  readonly reduction?: 'sharded' | 'star';
  /** How long one sharded average may take before `fit` fails. Default 120000 ms. */
  readonly roundTimeoutMs?: number;
}

/** The Redis transport: a `WorkerTransport`, plus the traffic it has moved and a way to end it. */
export interface RedisTransport extends WorkerTransport {
  /**
   * Bytes this process moved so far: messages sent to workers (counted once per worker that reads
   * them) and received from them, and in sharded reduction the averages it read.
   */
  readonly traffic: { readonly sentBytes: number; readonly receivedBytes: number };
  /** Ends every connection and timer; the trainer's `close()` does it when its last worker ends. */
  close(): Promise<void>;
}

interface RemoteWorker {
  readonly index: number;
  readonly listeners: ((message: unknown) => void)[];
  readonly failureListeners: ((error: Error, exitCode: number | undefined) => void)[];
  readonly spawnedAt: number;
  /** The process holding the index (its lease value), once seen. */
  instance: string | undefined;
  /** No more messages go to it or come from it. */
  ended: boolean;
  /** Ended by a failure (its lease expired or changed hands): a new process for its index may replace it. */
  failed: boolean;
  /** The new process last offered to the trainer as its replacement. */
  offered: string | undefined;
}

/**
 * Workers as separate processes reached through Redis: the coordinator (the process running
 * `ParallelTrainer`) and each worker process (`dl4ts-worker`, `runRedisWorker`) talk over Redis
 * lists, large messages go as chunk keys with an expiry, and each side holds a lease that the
 * other watches. `spawn(index)` starts nothing: it waits for the worker process started with that
 * index (by Kubernetes, systemd, a shell) and fails when none appears within `startTimeoutMs`, or
 * when its lease expires later.
 *
 * @example
 * ```ts
 * const transport = redisWorkers({ url: process.env.REDIS_URL!, run: 'mnist-1' });
 * const trainer = new ParallelTrainer(net, { transport, workers: 4, backend: 'native' });
 * ```
 */
export function redisWorkers(options: RedisWorkersOptions): RedisTransport {
  const resolved = resolveRunOptions('redisWorkers', options);
  const startTimeoutMs = integerAtLeast('redisWorkers', 'startTimeoutMs', options.startTimeoutMs ?? 120_000, 100);
  const roundTimeoutMs = integerAtLeast('redisWorkers', 'roundTimeoutMs', options.roundTimeoutMs ?? 120_000, 100);
  const reduction = options.reduction ?? 'sharded';
  if (reduction !== 'sharded' && reduction !== 'star') throw new ConfigError(`redisWorkers: reduction must be "sharded" or "star", received ${JSON.stringify(reduction)}`);
  return new Coordinator(resolved, startTimeoutMs, reduction === 'sharded' ? roundTimeoutMs : undefined);
}

class Coordinator implements RedisTransport {
  readonly name = 'Redis worker processes';
  readonly sharedMemory = false;
  readonly traffic = { sentBytes: 0, receivedBytes: 0 };
  private readonly session = randomUUID();
  private readonly workers = new Map<number, RemoteWorker>();
  private command: Connection | undefined;
  private blocking: Connection | undefined;
  /** Waits on averaging barriers, beside the message reader. */
  private barrier: Connection | undefined;
  /** Sharded averages in flight, by window. */
  private readonly rounds = new Map<number, RoundSpec>();
  /** Which process stored each worker's state of a window: a replacement for its index holds none of it. */
  private readonly storedBy = new Map<number, Map<number, RemoteWorker>>();
  /** Floats per stored chunk in sharded reduction. */
  private readonly chunkFloats: number;
  private timer: ReturnType<typeof setInterval> | undefined;
  private sending: Promise<void> = Promise.resolve();
  private readonly outbox = new Map<unknown, number[]>();
  private readonly availableListeners: ((index: number) => void)[] = [];
  private closed = false;
  private started = false;

  /** Averages where the states are (set for sharded reduction; the trainer uses it when present). */
  readonly reduce: WorkerTransport['reduce'];

  constructor(
    private readonly options: ResolvedRunOptions,
    private readonly startTimeoutMs: number,
    /** Set for sharded reduction. */
    private readonly roundTimeoutMs: number | undefined,
  ) {
    this.chunkFloats = Math.floor(options.chunkBytes / 4);
    this.reduce = roundTimeoutMs === undefined ? undefined : (window, participants, average) => this.reduceWindow(window, participants, average);
  }

  defaultWorkers(): number {
    throw new ConfigError('redisWorkers: set the workers option to the number of worker processes');
  }

  spawn(index: number): WorkerHandle {
    if (this.closed) throw new ConfigError('redisWorkers: the transport is closed; create a new one');
    const previous = this.workers.get(index);
    if (previous !== undefined && !previous.ended) throw new ConfigError(`redisWorkers: worker ${index} is already running on this transport`);
    // A replacement is the process whose lease was offered; anything its predecessor still sends is dropped.
    const worker: RemoteWorker = { index, listeners: [], failureListeners: [], spawnedAt: Date.now(), instance: previous?.offered, ended: false, failed: false, offered: undefined };
    this.workers.set(index, worker);
    this.start();
    // Messages a previous coordinator left for this index are stale.
    void this.enqueue(() => this.redis().del(this.options.keys.toWorker(index)).then(() => undefined));
    return {
      post: (message) => this.post(worker, message as ToWorker),
      onMessage: (listener) => worker.listeners.push(listener),
      onFailure: (listener) => worker.failureListeners.push(listener),
      terminate: () => this.terminate(worker),
      keepAlive: (alive) => this.keepAlive(alive),
    };
  }

  onWorkerAvailable(listener: (index: number) => void): void {
    this.availableListeners.push(listener);
  }

  private redis() {
    return (this.command as Connection).redis;
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    const giveUp = (error: RedisUnavailableError) => this.failAll(error);
    this.command = connect(this.options.url, 'dl4ts-coordinator', this.options.retry, giveUp);
    this.blocking = connect(this.options.url, 'dl4ts-coordinator-reader', this.options.retry, giveUp);
    if (this.roundTimeoutMs !== undefined) this.barrier = connect(this.options.url, 'dl4ts-coordinator-barrier', this.options.retry, giveUp);
    void this.enqueue(() => this.redis().del(this.options.keys.toCoordinator).then(() => undefined));
    this.renewLease().catch((error: unknown) => this.failAll(error instanceof Error ? error : new Error(String(error))));
    this.timer = setInterval(() => void this.tick(), Math.floor(this.options.leaseMs / 3));
    void this.read();
  }

  /** Runs sends one after another, so every list receives its messages in posting order. */
  private enqueue(task: () => Promise<void>): Promise<void> {
    this.sending = this.sending.then(task).catch((error: unknown) => {
      if (!this.closed) this.failAll(error instanceof Error ? error : new Error(String(error)));
    });
    return this.sending;
  }

  /**
   * Posts collect until the end of the current task: the same message object posted to several
   * workers (the trainer's broadcasts) is stored once and announced to each.
   */
  private post(worker: RemoteWorker, message: ToWorker | ToWorkerProcess): void {
    if (worker.ended || this.closed) return;
    const targets = this.outbox.get(message);
    if (targets !== undefined) {
      targets.push(worker.index);
      return;
    }
    if (this.outbox.size === 0) queueMicrotask(() => this.flush());
    this.outbox.set(message, [worker.index]);
  }

  private flush(): void {
    const batch = [...this.outbox];
    this.outbox.clear();
    for (const [message, indices] of batch) {
      const envelope: Envelope<unknown> = { session: this.session, from: -1, message, ...(this.roundTimeoutMs !== undefined && { chunkFloats: this.chunkFloats }) };
      void this.enqueue(async () => {
        const bytes = await push(this.redis(), this.options.keys, indices.map((i) => this.options.keys.toWorker(i)), envelope, this.options);
        this.traffic.sentBytes += bytes * indices.length;
      });
    }
  }

  /** Reads the workers' messages, one at a time, until the transport closes. */
  private async read(): Promise<void> {
    const { keys } = this.options;
    const waitSeconds = Math.max(0.1, Math.min(1, this.options.leaseMs / 3000));
    while (!this.closed) {
      let popped: [Buffer, Buffer] | null;
      try {
        popped = await (this.blocking as Connection).redis.blpopBuffer(keys.toCoordinator, waitSeconds);
      } catch (error) {
        if (!this.closed) this.failAll(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      if (popped === null) continue;
      try {
        const { envelope, bytes } = await decode<unknown>(this.redis(), keys, popped[1]);
        this.traffic.receivedBytes += bytes;
        const worker = this.workers.get(envelope.from);
        if (envelope.session !== this.session || worker === undefined || worker.ended) continue;
        worker.instance ??= envelope.instance;
        if (envelope.instance !== worker.instance) continue;
        const report = envelope.message as { type?: unknown; window?: unknown; stateStored?: unknown };
        if (report.type === 'synced' && report.stateStored === true && typeof report.window === 'number') {
          const stored = this.storedBy.get(report.window) ?? new Map<number, RemoteWorker>();
          this.storedBy.set(report.window, stored.set(worker.index, worker));
        }
        for (const listener of worker.listeners) listener(envelope.message);
      } catch (error) {
        if (!this.closed) this.failAll(error instanceof Error ? error : new Error(String(error)));
        return;
      }
    }
  }

  private async renewLease(): Promise<void> {
    await this.redis().set(this.options.keys.coordinatorLease, this.session, 'PX', this.options.leaseMs);
  }

  /** Renews the coordinator's lease and checks every worker's. */
  private async tick(): Promise<void> {
    if (this.closed) return;
    // Live workers are checked for their lease; failed ones are watched for a replacement process.
    const live = [...this.workers.values()].filter((w) => !w.ended || w.failed);
    try {
      const pipeline = this.redis().pipeline();
      pipeline.set(this.options.keys.coordinatorLease, this.session, 'PX', this.options.leaseMs);
      for (const worker of live) pipeline.get(this.options.keys.workerLease(worker.index));
      const results = (await pipeline.exec()) ?? [];
      const now = Date.now();
      live.forEach((worker, k) => {
        const [error, value] = results[k + 1] ?? [null, null];
        if (error !== null) throw error;
        this.check(worker, typeof value === 'string' ? value : undefined, now);
      });
    } catch (error) {
      if (!this.closed) this.failAll(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private check(worker: RemoteWorker, lease: string | undefined, now: number): void {
    const key = this.options.keys.workerLease(worker.index);
    if (worker.failed) {
      if (lease !== undefined && lease !== worker.instance && lease !== worker.offered) {
        worker.offered = lease;
        for (const listener of this.availableListeners) listener(worker.index);
      }
      return;
    }
    if (lease === undefined) {
      if (worker.instance !== undefined) this.fail(worker, new Error(`its lease (${key}) expired: no heartbeat for more than ${this.options.leaseMs} ms (the process died, was killed or lost its link to Redis)`));
      else if (now - worker.spawnedAt > this.startTimeoutMs) this.fail(worker, new Error(`no worker process took index ${worker.index} within ${this.startTimeoutMs} ms (no lease at ${key}); start one with dl4ts-worker --index ${worker.index}`));
      return;
    }
    if (worker.instance === undefined) worker.instance = lease;
    else if (worker.instance !== lease) this.fail(worker, new Error(`its process was replaced (a new process holds index ${worker.index}); the one that trained is gone`));
  }

  /**
   * A sharded average: each participant averages its share (told by a `reduce` message) and takes
   * the average itself; this process waits for the barrier and reads it for the main network.
   */
  private async reduceWindow(
    window: number,
    participants: readonly number[],
    average: { readonly length: number; readonly weights: readonly number[]; readonly receivers: readonly number[]; readonly updaters: boolean; readonly counters: Counters },
  ): Promise<Float32Array> {
    // Every receiver reads the average, and the coordinator, except a participant alone in the window (it keeps its own).
    const readers = average.receivers.length + 1 - (participants.length === 1 ? 1 : 0);
    const spec: RoundSpec = { session: this.session, window, participants, weights: average.weights, readers, length: average.length, chunkFloats: this.chunkFloats, ttlMs: this.options.chunkTtlMs };
    this.rounds.set(window, spec);
    try {
      const stored = this.storedBy.get(window);
      const message = { window, participants, weights: average.weights, readers, length: average.length, chunkFloats: this.chunkFloats, updaters: average.updaters, counters: average.counters };
      participants.forEach((index, position) => {
        // The process that stored the state averages the share, unless it is gone since.
        const worker = stored?.get(index);
        if (worker === undefined || worker.ended) this.takeOver(spec, position);
        else this.post(worker, { type: 'reduce', ...message, position });
      });
      // Workers that trained on nothing in the window take the average too (position -1: no share).
      for (const index of average.receivers) {
        const worker = this.workers.get(index);
        if (!participants.includes(index) && worker !== undefined && !worker.ended) this.post(worker, { type: 'reduce', ...message, position: -1 });
      }
      const state = await awaitAverage(this.redis(), (this.barrier as Connection).redis, this.options.keys, spec, this.roundTimeoutMs as number, () => this.closed);
      this.traffic.receivedBytes += state.byteLength;
      return state;
    } finally {
      this.rounds.delete(window);
      this.storedBy.delete(window);
    }
  }

  /** Averages a lost participant's share here, so the window completes without it. */
  private takeOver(spec: RoundSpec, position: number): void {
    reduceShare(this.redis(), this.options.keys, spec, position).catch((error: unknown) => {
      if (!this.closed) this.failAll(error instanceof Error ? error : new Error(String(error)));
    });
  }

  private fail(worker: RemoteWorker, error: Error): void {
    if (worker.ended) return;
    for (const spec of this.rounds.values()) {
      const position = spec.participants.indexOf(worker.index);
      if (position >= 0 && this.storedBy.get(spec.window)?.get(worker.index) === worker) this.takeOver(spec, position);
    }
    worker.ended = true;
    worker.failed = true;
    for (const listener of worker.failureListeners) listener(error, undefined);
  }

  private failAll(error: Error): void {
    for (const worker of this.workers.values()) this.fail(worker, error);
  }

  private async terminate(worker: RemoteWorker): Promise<void> {
    // Ending is work in flight: it must keep the process alive until Redis has the exit message.
    if (!this.closed) this.keepAlive(true);
    if (!worker.ended && !this.closed) {
      this.post(worker, { type: 'exit' });
      worker.ended = true;
      this.flush();
      await this.sending;
    }
    worker.ended = true;
    if ([...this.workers.values()].every((w) => w.ended)) await this.close();
  }

  private keepAlive(alive: boolean): void {
    for (const connection of [this.command, this.blocking, this.barrier]) {
      const stream = connection?.redis.stream;
      if (stream !== undefined) {
        if (alive) stream.ref();
        else stream.unref();
      }
    }
    if (alive) this.timer?.ref();
    else this.timer?.unref();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.keepAlive(true);
    this.flush(); // messages posted in this task, such as the workers' exit, still go out
    this.closed = true;
    clearInterval(this.timer);
    for (const worker of this.workers.values()) worker.ended = true;
    if (!this.started) return;
    await this.sending;
    try {
      await this.redis().del(this.options.keys.coordinatorLease);
    } catch {
      // Redis is gone: the lease expires by itself.
    }
    await Promise.all([this.command?.close(), this.blocking?.close(), this.barrier?.close()]);
  }
}
