import { ConfigError } from '@dl4ts/core';

/** Run names become part of Redis keys: letters, digits and `._-` only, at most 64 characters. */
const RUN_NAME = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * The Redis keys of one training run, all under `<prefix>:<run>:` so that runs sharing a server
 * (or a prefix per team) never see each other's lists, heartbeats or chunks.
 */
export class RunKeys {
  readonly base: string;

  constructor(run: string, prefix = 'dl4ts') {
    if (typeof run !== 'string' || !RUN_NAME.test(run)) throw new ConfigError(`run must be 1 to 64 letters, digits, ".", "_" or "-", received ${JSON.stringify(run)}`);
    if (typeof prefix !== 'string' || !RUN_NAME.test(prefix)) throw new ConfigError(`prefix must be 1 to 64 letters, digits, ".", "_" or "-", received ${JSON.stringify(prefix)}`);
    this.base = `${prefix}:${run}`;
  }

  /** The list the coordinator pushes worker `index`'s messages to. */
  toWorker(index: number): string {
    return `${this.base}:to-worker:${index}`;
  }

  /** The list every worker pushes its messages to. */
  get toCoordinator(): string {
    return `${this.base}:to-coordinator`;
  }

  /** Worker `index`'s lease: renewed with `SET ... PX` while the process lives. */
  workerLease(index: number): string {
    return `${this.base}:lease:worker:${index}`;
  }

  /** The coordinator's lease. */
  get coordinatorLease(): string {
    return `${this.base}:lease:coordinator`;
  }

  /** Chunk `k` of worker `index`'s state for averaging window `window` of coordinator session `session`. */
  roundState(session: string, window: number, index: number, k: number): string {
    return `${this.base}:round:${session}:${window}:state:${index}:${k}`;
  }

  /** Chunk `k` of window `window`'s average. */
  roundAverage(session: string, window: number, k: number): string {
    return `${this.base}:round:${session}:${window}:average:${k}`;
  }

  /** The counter of shards averaged in window `window` (`INCR`). */
  roundDone(session: string, window: number): string {
    return `${this.base}:round:${session}:${window}:done`;
  }

  /** The list whose tokens release the window's waiters once every shard is averaged (`BLPOP`). */
  roundBarrier(session: string, window: number): string {
    return `${this.base}:round:${session}:${window}:barrier`;
  }

  /** How many readers of the window's average have yet to read it. */
  roundReaders(session: string, window: number): string {
    return `${this.base}:round:${session}:${window}:readers`;
  }

  /** How many readers of a large message have yet to read it. */
  chunkReaders(id: string): string {
    return `${this.base}:chunk:${id}:readers`;
  }

  /** Chunk `k` of a large message. */
  chunk(id: string, k: number): string {
    return `${this.base}:chunk:${id}:${k}`;
  }
}
