import { randomUUID } from 'node:crypto';
import type { Counters, FromWorker, ToWorker } from '@dl4ts/parallel';
import { runWorker, type RunningWorker } from '@dl4ts/parallel';
import { importModule } from '@dl4ts/parallel/node';
import { Dl4tsError } from '@dl4ts/core';
import { connect, redactUrl, type Connection } from './connection';
import { decode, push } from './envelope';
import { integerAtLeast, resolveRunOptions, type RedisRunOptions } from './options';
import { alone, awaitAverage, reduceShare, storeState } from './sharded-reduce';

/** Messages a worker process gets beyond the trainer's: its share of a sharded average, the end of its run. */
export type ToWorkerProcess =
  | ToWorker
  | { readonly type: 'exit' }
  | {
      readonly type: 'reduce';
      readonly window: number;
      readonly participants: readonly number[];
      /** The participants' weights: the examples each trained on in the window. */
      readonly weights: readonly number[];
      /** This worker's place among the participants: it averages chunks k with k mod participants = position; -1: it only takes the average. */
      readonly position: number;
      /** Processes that read the average (see `RoundSpec.readers`). */
      readonly readers: number;
      readonly length: number;
      readonly chunkFloats: number;
      readonly updaters: boolean;
      readonly counters: Counters;
    };

/** Options of {@link runRedisWorker}. */
export interface RedisWorkerOptions extends RedisRunOptions {
  /** This worker's index, 0 to workers - 1 (Kubernetes: `JOB_COMPLETION_INDEX`). */
  readonly index: number;
  /** How long the coordinator's lease may be missing before this worker gives up. Default 60000 ms. */
  readonly coordinatorTimeoutMs?: number;
  /** Progress lines (never the Redis URL's credentials). Default: to stderr. */
  readonly log?: (line: string) => void;
}

/** Why a worker process ended, as its exit code says. */
export const WORKER_EXIT = {
  /** The coordinator ended the run. */
  done: 0,
  /** Redis was unreachable past the retry budget. */
  redisLost: 3,
  /** The coordinator's lease stayed missing past `coordinatorTimeoutMs`. */
  coordinatorLost: 4,
} as const;

/** A worker process gave up (Redis lost, coordinator lost); `exitCode` is what the process should exit with. */
export class WorkerProcessError extends Dl4tsError {
  static override readonly errorName = 'WorkerProcessError';
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super('DL4TS_WORKER', message);
  }
}

/**
 * Runs one worker process of a Redis run: holds its lease, waits for the coordinator's `init`,
 * trains its replica as a `@dl4ts/parallel` worker (the same code as a worker thread) and reads
 * its own data when the trainer deals minibatch indices. A new coordinator session (a coordinator
 * restarted from its checkpoint) replaces the replica in place. Resolves with
 * {@link WORKER_EXIT}`.done` when the coordinator ends the run, or with the code saying why it gave
 * up; the `dl4ts-worker` command exits with it.
 */
export async function runRedisWorker(options: RedisWorkerOptions): Promise<number> {
  const resolved = resolveRunOptions('runRedisWorker', options);
  const index = integerAtLeast('runRedisWorker', 'index', options.index, 0);
  const coordinatorTimeoutMs = integerAtLeast('runRedisWorker', 'coordinatorTimeoutMs', options.coordinatorTimeoutMs ?? 60_000, 100);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { keys } = resolved;
  const instance = randomUUID();
  let finish!: (code: number) => void;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  let ended = false;
  const end = (code: number, why: string): void => {
    if (ended) return;
    ended = true;
    log(`dl4ts-worker ${index}: ${why}`);
    finish(code);
  };
  const giveUp = (error: Error): void => end(WORKER_EXIT.redisLost, error.message);
  const command: Connection = connect(resolved.url, `dl4ts-worker-${index}`, resolved.retry, giveUp);
  const blocking: Connection = connect(resolved.url, `dl4ts-worker-${index}-reader`, resolved.retry, giveUp);
  const barrier: Connection = connect(resolved.url, `dl4ts-worker-${index}-barrier`, resolved.retry, giveUp);
  /** Set while the coordinator averages by shards: states are stored as chunks of this many floats. */
  let chunkFloats: number | undefined;
  /** The state stored last, kept for a window this worker turns out to be alone in. */
  let stored: { window: number; state: Float32Array } | undefined;
  const renew = () => command.redis.set(keys.workerLease(index), instance, 'PX', resolved.leaseMs);
  const lease = setInterval(() => void renew().catch(() => undefined), Math.floor(resolved.leaseMs / 3));
  let session: string | undefined;
  let sending: Promise<unknown> = Promise.resolve();
  /** The worker serving the current coordinator session, and where its messages go. */
  let current: { worker: RunningWorker; listeners: ((message: ToWorker) => void)[] } | undefined;
  /** Sends a message to the coordinator; in sharded reduction a state is stored where the reducers read it. */
  const send = async (to: string, message: FromWorker): Promise<void> => {
    let outgoing: FromWorker = message;
    if (message.type === 'synced' && message.state !== undefined && chunkFloats !== undefined) {
      const { state, ...report } = message;
      await storeState(command.redis, keys, { session: to, window: message.window, chunkFloats, ttlMs: resolved.chunkTtlMs }, index, state);
      stored = { window: message.window, state };
      outgoing = { ...report, stateStored: true };
    }
    await push(command.redis, keys, [keys.toCoordinator], { session: to, from: index, instance, message: outgoing }, resolved);
  };
  /** This worker's share of a sharded average, then the whole average for its replica. */
  const reduce = async (to: string, message: Extract<ToWorkerProcess, { type: 'reduce' }>): Promise<void> => {
    const spec = { session: to, window: message.window, participants: message.participants, weights: message.weights, readers: message.readers, length: message.length, chunkFloats: message.chunkFloats, ttlMs: resolved.chunkTtlMs };
    if (message.position >= 0) await reduceShare(command.redis, keys, spec, message.position);
    // Alone in the window, this worker's own state is the average.
    const own = alone(spec) && message.position === 0 && stored?.window === message.window ? stored.state : undefined;
    stored = undefined;
    const state = own ?? (await awaitAverage(command.redis, barrier.redis, keys, spec, coordinatorTimeoutMs, () => ended || session !== to));
    if (session !== to) return;
    const average: ToWorker = { type: 'average', window: message.window, state, updaters: message.updaters, counters: message.counters };
    for (const listener of current?.listeners ?? []) listener(average);
  };
  const attach = (to: string): void => {
    session = to;
    const listeners: ((message: ToWorker) => void)[] = [];
    const worker = runWorker(
      {
        post: (message: FromWorker) => {
          sending = sending.then(() => send(to, message)).catch((error: unknown) => giveUp(error as Error));
        },
        onMessage: (listener) => listeners.push(listener),
      },
      importModule,
      index,
    );
    current = { worker, listeners };
  };

  const receive = async (): Promise<void> => {
    await renew();
    log(`dl4ts-worker ${index}: waiting for the coordinator of run ${keys.base} at ${redactUrl(resolved.url)}`);
    let coordinatorSeen = Date.now();
    const waitSeconds = Math.max(0.1, Math.min(1, resolved.leaseMs / 3000));
    while (!ended) {
      const popped = await blocking.redis.blpopBuffer(keys.toWorker(index), waitSeconds);
      if (ended) return;
      if (popped === null) {
        const holder = await command.redis.get(keys.coordinatorLease);
        if (holder !== null && (session === undefined || holder === session)) coordinatorSeen = Date.now();
        else if (session !== undefined && Date.now() - coordinatorSeen > coordinatorTimeoutMs) {
          throw new WorkerProcessError(`the coordinator's lease (${keys.coordinatorLease}) has been missing for more than ${coordinatorTimeoutMs} ms; giving up`, WORKER_EXIT.coordinatorLost);
        }
        continue;
      }
      const { envelope } = await decode<ToWorkerProcess>(command.redis, keys, popped[1]);
      const { message } = envelope;
      if (envelope.session !== session) {
        if (message.type !== 'init') continue; // left over from an earlier coordinator
        // A coordinator (a first one, or one restarted from its checkpoint): serve it with a fresh replica.
        if (current !== undefined) {
          log(`dl4ts-worker ${index}: coordinator session ${String(session)} ended; reattaching`);
          await current.worker.close();
        }
        attach(envelope.session);
        log(`dl4ts-worker ${index}: joined coordinator session ${envelope.session}`);
      }
      coordinatorSeen = Date.now();
      chunkFloats = envelope.chunkFloats;
      if (message.type === 'reduce') {
        const to = envelope.session;
        reduce(to, message).catch((error: unknown) => log(`dl4ts-worker ${index}: averaging window ${message.window} failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`));
        continue;
      }
      if (message.type === 'exit') {
        end(WORKER_EXIT.done, 'the coordinator ended the run');
        return;
      }
      for (const listener of current?.listeners ?? []) listener(message);
    }
  };
  receive().catch((error: unknown) => {
    if (error instanceof WorkerProcessError) end(error.exitCode, error.message);
    else giveUp(error instanceof Error ? error : new Error(String(error)));
  });

  const code = await finished;
  clearInterval(lease);
  await current?.worker.close();
  await sending;
  if (code !== WORKER_EXIT.redisLost) await command.redis.del(keys.workerLease(index)).catch(() => undefined);
  await Promise.all([command.close(), blocking.close(), barrier.close()]);
  return code;
}
