import type { Redis } from 'ioredis';
import { averageBuffers } from '@dl4ts/parallel';
import { Dl4tsError } from '@dl4ts/core';
import { execPipeline } from './connection';
import type { RunKeys } from './keys';

// The sharded reduction of one averaging window. Each participating worker stores its state as
// raw float32 chunks under the window's keys; participant p (in worker order) then averages chunk
// k of every state for each k with k mod M = p (M participants), writes those averaged chunks and
// counts itself done with INCR. The one that completes the count pushes a token per waiter onto
// the window's barrier list; every participant and the coordinator pop one (BLPOP, with a
// deadline) and read the whole average with pipelined gets. No process moves every state: each
// moves about three times the state's size, whatever the number of workers.

/** Where one window's reduction happens and how its state is cut. */
export interface RoundSpec {
  readonly session: string;
  readonly window: number;
  /** Worker indices, increasing: the order of the float64 sum, as in `averageBuffers`. */
  readonly participants: readonly number[];
  /** Each participant's weight (the examples it trained on in the window). */
  readonly weights: readonly number[];
  /** Processes that read the average from Redis: the window's workers and the coordinator, less a participant alone in it. */
  readonly readers: number;
  /** Floats in the state. */
  readonly length: number;
  /** Floats per chunk. */
  readonly chunkFloats: number;
  readonly ttlMs: number;
}

/** The window's average was not complete by its deadline (a participant died or stalled). */
export class RoundTimeoutError extends Dl4tsError {
  static override readonly errorName = 'RoundTimeoutError';
  constructor(message: string) {
    super('DL4TS_TRANSPORT', message);
  }
}

/**
 * With one participant its state is the average: nothing is averaged or rewritten, the coordinator
 * reads the state's own chunks, and the worker keeps the state it has.
 */
export const alone = (spec: Pick<RoundSpec, 'participants'>): boolean => spec.participants.length === 1;

/** Where chunk `k` of the window's average is. */
const averageKey = (keys: RunKeys, spec: RoundSpec, k: number): string =>
  alone(spec) ? keys.roundState(spec.session, spec.window, spec.participants[0] as number, k) : keys.roundAverage(spec.session, spec.window, k);

export const chunkCount = (spec: Pick<RoundSpec, 'length' | 'chunkFloats'>): number => Math.max(1, Math.ceil(spec.length / spec.chunkFloats));

/** A float32 view of a buffer read from Redis (copied when it is not 4-byte aligned). */
function floats(buffer: Buffer): Float32Array {
  if (buffer.byteOffset % 4 === 0) return new Float32Array(buffer.buffer, buffer.byteOffset, buffer.length / 4);
  return new Float32Array(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.length));
}

/** Stores worker `index`'s state for the window as raw chunks (no copy), each with an expiry. */
export async function storeState(redis: Redis, keys: RunKeys, spec: Pick<RoundSpec, 'session' | 'window' | 'chunkFloats' | 'ttlMs'>, index: number, state: Float32Array): Promise<void> {
  const bytes = Buffer.from(state.buffer, state.byteOffset, state.byteLength);
  const count = chunkCount({ length: state.length, chunkFloats: spec.chunkFloats });
  const writes = redis.pipeline();
  for (let k = 0; k < count; k++) writes.set(keys.roundState(spec.session, spec.window, index, k), bytes.subarray(k * spec.chunkFloats * 4, (k + 1) * spec.chunkFloats * 4), 'PX', spec.ttlMs);
  await execPipeline(writes);
}

/**
 * Averages participant `position`'s share of the chunks, writes it, and counts it done; the process
 * that completes the count releases every waiter. A share done twice (the coordinator taking over
 * the share of a worker that died after doing it) writes the same values and releases nobody twice.
 */
export async function reduceShare(redis: Redis, keys: RunKeys, spec: RoundSpec, position: number): Promise<void> {
  const { session, window, participants } = spec;
  const count = chunkCount(spec);
  const mine = alone(spec) ? [] : Array.from({ length: count }, (_, k) => k).filter((k) => k % participants.length === position);
  if (mine.length > 0) {
    const reads = redis.pipeline();
    for (const k of mine) for (const index of participants) reads.getBuffer(keys.roundState(session, window, index, k));
    const chunks = (await execPipeline(reads)) as (Buffer | null)[];
    const writes = redis.pipeline();
    mine.forEach((k, m) => {
      const inputs = participants.map((index, p) => {
        const chunk = chunks[m * participants.length + p];
        if (chunk === null || chunk === undefined) throw new RoundTimeoutError(`window ${window}: chunk ${k} of worker ${index}'s state is gone (expired before it was averaged)`);
        return floats(chunk);
      });
      const average = averageBuffers(inputs, undefined, spec.weights);
      writes.set(keys.roundAverage(session, window, k), Buffer.from(average.buffer, average.byteOffset, average.byteLength), 'PX', spec.ttlMs);
    });
    await execPipeline(writes);
  }
  const done = (await redis.incr(keys.roundDone(session, window))) as number;
  if (done === 1) await redis.pexpire(keys.roundDone(session, window), spec.ttlMs);
  if (done === participants.length) {
    // Every reader of the average takes one token.
    const release = redis.pipeline();
    release.set(keys.roundReaders(session, window), spec.readers, 'PX', spec.ttlMs);
    release.rpush(keys.roundBarrier(session, window), ...Array.from({ length: spec.readers }, () => '1'));
    release.pexpire(keys.roundBarrier(session, window), spec.ttlMs);
    await execPipeline(release);
  }
}

/**
 * Waits (on its own blocking connection) until every share is averaged, then reads the whole
 * average; the last of its readers deletes the window's keys.
 */
export async function awaitAverage(redis: Redis, blocking: Redis, keys: RunKeys, spec: RoundSpec, deadlineMs: number, closed: () => boolean): Promise<Float32Array> {
  const { session, window, participants } = spec;
  const until = Date.now() + deadlineMs;
  for (;;) {
    if (closed()) throw new RoundTimeoutError(`window ${window}: the transport closed while waiting for the average`);
    const popped = await blocking.blpop(keys.roundBarrier(session, window), Math.max(0.05, Math.min(1, (until - Date.now()) / 1000)));
    if (popped !== null) break;
    if (Date.now() >= until) throw new RoundTimeoutError(`window ${window}: the average of ${participants.length} worker(s) (${participants.join(', ')}) was not complete within ${deadlineMs} ms`);
  }
  const count = chunkCount(spec);
  const reads = redis.pipeline();
  for (let k = 0; k < count; k++) reads.getBuffer(averageKey(keys, spec, k));
  reads.decr(keys.roundReaders(session, window));
  const results = await execPipeline(reads);
  const average = new Float32Array(spec.length);
  for (let k = 0; k < count; k++) {
    const chunk = results[k] as Buffer | null;
    if (chunk === null) throw new RoundTimeoutError(`window ${window}: averaged chunk ${k} is gone (expired before it was read)`);
    average.set(floats(chunk), k * spec.chunkFloats);
  }
  if ((results[count] as number) <= 0) {
    const names = [keys.roundDone(session, window), keys.roundBarrier(session, window), keys.roundReaders(session, window)];
    for (let k = 0; k < count; k++) {
      names.push(keys.roundAverage(session, window, k));
      for (const index of participants) names.push(keys.roundState(session, window, index, k));
    }
    await redis.del(...names);
  }
  return average;
}
