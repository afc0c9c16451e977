import { randomUUID } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';
import type { Redis } from 'ioredis';
import { Dl4tsError } from '@dl4ts/core';
import { execPipeline } from './connection';
import type { RunKeys } from './keys';

// Messages over Redis lists. A message is serialised with V8's structured serialisation (typed
// arrays and all); above `chunkBytes` its bytes go first to chunk keys with an expiry, written in
// one pipeline, and only then is a small reference pushed, so a reader never sees half a message.

/** What travels in a list: who sent it, for which coordinator session, and the message. */
export interface Envelope<M> {
  /** The coordinator session (a random id per coordinator start); stale messages are dropped. */
  readonly session: string;
  /** The sending worker's index, or -1 from the coordinator. */
  readonly from: number;
  /** The sending worker process's random id (its lease value), so a dead process's last words are not taken for its replacement's. */
  readonly instance?: string;
  /** From the coordinator, in sharded reduction: the floats per chunk a worker stores its state in. */
  readonly chunkFloats?: number;
  readonly message: M;
}

const INLINE = 0;
const CHUNKED = 1;

/** Sizes of the chunked path. */
export interface ChunkOptions {
  /** Largest message pushed as it is, and the size of each chunk above it. */
  readonly chunkBytes: number;
  /** Expiry of chunk keys: a reader that never comes leaves nothing behind. */
  readonly chunkTtlMs: number;
}

/** A chunk that expired or vanished before its reader came: the message is lost, never half read. */
export class ChunkLostError extends Dl4tsError {
  static override readonly errorName = 'ChunkLostError';
  constructor(message: string) {
    super('DL4TS_TRANSPORT', message);
  }
}

/**
 * Pushes `envelope` onto each list in `lists` (a broadcast stores a large message's chunks once,
 * with a count of the readers still to come; the last reader deletes them). Resolves once Redis
 * holds all of it; returns the message's size in bytes.
 */
export async function push<M>(redis: Redis, keys: RunKeys, lists: readonly string[], envelope: Envelope<M>, options: ChunkOptions): Promise<number> {
  const bytes = serialize(envelope);
  if (bytes.length <= options.chunkBytes) {
    const entry = Buffer.concat([Buffer.of(INLINE), bytes]);
    const writes = redis.pipeline();
    for (const list of lists) writes.rpush(list, entry);
    await execPipeline(writes);
    return bytes.length;
  }
  const id = randomUUID();
  const count = Math.ceil(bytes.length / options.chunkBytes);
  const writes = redis.pipeline();
  for (let k = 0; k < count; k++) writes.set(keys.chunk(id, k), bytes.subarray(k * options.chunkBytes, (k + 1) * options.chunkBytes), 'PX', options.chunkTtlMs);
  writes.set(keys.chunkReaders(id), lists.length, 'PX', options.chunkTtlMs);
  await execPipeline(writes);
  // Only now, with every chunk stored, does any reader learn of the message.
  const entry = Buffer.concat([Buffer.of(CHUNKED), Buffer.from(JSON.stringify({ id, count, bytes: bytes.length }))]);
  const announce = redis.pipeline();
  for (const list of lists) announce.rpush(list, entry);
  await execPipeline(announce);
  return bytes.length;
}

/** Decodes one list entry, reading its chunks with pipelined gets; the last reader deletes them. Also returns the message's size. */
export async function decode<M>(redis: Redis, keys: RunKeys, entry: Buffer): Promise<{ envelope: Envelope<M>; bytes: number }> {
  if (entry[0] === INLINE) return { envelope: deserialize(entry.subarray(1)) as Envelope<M>, bytes: entry.length - 1 };
  const ref = JSON.parse(entry.subarray(1).toString('utf8')) as { id: string; count: number; bytes: number };
  const names = Array.from({ length: ref.count }, (_, k) => keys.chunk(ref.id, k));
  const reads = redis.pipeline();
  for (const name of names) reads.getBuffer(name);
  reads.decr(keys.chunkReaders(ref.id));
  const results = await execPipeline(reads);
  const chunks = results.slice(0, ref.count) as (Buffer | null)[];
  if ((results[ref.count] as number) <= 0) await redis.del(...names, keys.chunkReaders(ref.id));
  const missing = chunks.findIndex((c) => c === null);
  if (missing >= 0) throw new ChunkLostError(`a ${ref.bytes}-byte message lost chunk ${missing} of ${ref.count} (expired before it was read; raise chunkTtlMs)`);
  return { envelope: deserialize(Buffer.concat(chunks as Buffer[], ref.bytes)) as Envelope<M>, bytes: ref.bytes };
}
