import { ConfigError, formatValue } from '@dl4ts/core';
import { checkUrl, type RetryOptions } from './connection';
import type { ChunkOptions } from './envelope';
import { RunKeys } from './keys';

/** What the coordinator and the workers of one run must agree on. */
export interface RedisRunOptions extends RetryOptions {
  /** `redis://[user:password@]host[:port][/db]`, or `rediss://` for TLS. Never logged. */
  readonly url: string;
  /** The run's name: keeps runs on one server apart (letters, digits, `._-`). */
  readonly run: string;
  /** First part of every key. Default `'dl4ts'`. */
  readonly prefix?: string;
  /** A lease (heartbeat) lives this long unless renewed; renewed every third of it. Default 5000 ms. */
  readonly leaseMs?: number;
  /** Messages above this many bytes go as chunks of this size. Default 4 MiB. */
  readonly chunkBytes?: number;
  /** Expiry of a chunk nobody read. Default 10 minutes. */
  readonly chunkTtlMs?: number;
}

/** Options with defaults applied. */
export interface ResolvedRunOptions extends ChunkOptions {
  readonly url: string;
  readonly keys: RunKeys;
  readonly leaseMs: number;
  readonly retry: RetryOptions;
}

/** `value` if it is an integer of at least `min`, else a `ConfigError` naming `owner`'s option `name`. */
export function integerAtLeast(owner: string, name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw new ConfigError(`${owner}: ${name} must be an integer >= ${min}, received ${formatValue(value)}`);
  return value;
}

/** Validates the options shared by both sides; each bad value is a `ConfigError` naming it. */
export function resolveRunOptions(owner: string, options: RedisRunOptions): ResolvedRunOptions {
  if (options === null || typeof options !== 'object') throw new ConfigError(`${owner}: expected an options object with url and run, received ${formatValue(options)}`);
  const url = checkUrl(options.url);
  const keys = new RunKeys(options.run, options.prefix);
  return {
    url,
    keys,
    leaseMs: integerAtLeast(owner, 'leaseMs', options.leaseMs ?? 5000, 300),
    chunkBytes: integerAtLeast(owner, 'chunkBytes', options.chunkBytes ?? 4 * 1024 * 1024, 1024),
    chunkTtlMs: integerAtLeast(owner, 'chunkTtlMs', options.chunkTtlMs ?? 600_000, 1000),
    retry: { retries: integerAtLeast(owner, 'retries', options.retries ?? 10, 0), maxBackoffMs: integerAtLeast(owner, 'maxBackoffMs', options.maxBackoffMs ?? 1000, 10) },
  };
}

