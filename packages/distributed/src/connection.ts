import { Redis } from 'ioredis';
import { ConfigError, Dl4tsError } from '@dl4ts/core';

/** Redis became unreachable and stayed so past the retry budget, or refused us. */
export class RedisUnavailableError extends Dl4tsError {
  static override readonly errorName = 'RedisUnavailableError';
  constructor(message: string) {
    super('DL4TS_TRANSPORT', message);
  }
}

/** How connections retry: attempts and the bounded backoff between them. */
export interface RetryOptions {
  /** Reconnection attempts after a connection drops before giving up. Default 10. */
  readonly retries?: number;
  /** Largest pause between attempts, in ms (the pause doubles from 50 ms up to this). Default 1000. */
  readonly maxBackoffMs?: number;
}

/**
 * The URL as it may appear in messages and logs: scheme, host, port and database, never the user
 * name or password.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return '(unparsable Redis URL)';
  }
}

/** Checks a Redis URL without ever echoing it: `redis://` or `rediss://` (TLS). */
export function checkUrl(url: unknown): string {
  if (typeof url !== 'string') throw new ConfigError(`the Redis URL must be a string such as "redis://host:6379", received ${typeof url}`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError('the Redis URL is not a URL; expected redis://[user:password@]host[:port][/db] or rediss://… for TLS');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new ConfigError(`the Redis URL must start with redis:// or rediss://, received ${parsed.protocol}//`);
  return url;
}

/** A Redis connection and the way to end it without it counting as a failure. */
export interface Connection {
  readonly redis: Redis;
  /** Ends the connection (pending blocking reads are cut); `onGiveUp` is not called for it. */
  close(): Promise<void>;
}

/**
 * A connection that retries a dropped link with a bounded, doubling backoff and then gives up:
 * commands fail and `onGiveUp` is called once with a {@link RedisUnavailableError}. Commands issued
 * while disconnected wait for the reconnection (bounded by the same budget).
 */
export function connect(url: string, name: string, retry: RetryOptions, onGiveUp: (error: RedisUnavailableError) => void): Connection {
  const retries = retry.retries ?? 10;
  const maxBackoffMs = retry.maxBackoffMs ?? 1000;
  let lastError = 'no error reported';
  let gaveUp = false;
  const redis = new Redis(checkUrl(url), {
    connectionName: name,
    lazyConnect: false,
    maxRetriesPerRequest: retries,
    enableOfflineQueue: true,
    retryStrategy: (times) => (times > retries ? null : Math.min(maxBackoffMs, 50 * 2 ** (times - 1))),
    // A server that stops answering (not only a closed socket) must also end in an error.
    connectTimeout: Math.max(2000, maxBackoffMs * 2),
  });
  redis.on('error', (error: Error) => {
    lastError = error.message;
  });
  redis.on('end', () => {
    if (gaveUp) return;
    gaveUp = true;
    onGiveUp(new RedisUnavailableError(`Redis at ${redactUrl(url)} is unreachable (${name}): gave up after ${retries} reconnection attempts; last error: ${lastError.replaceAll(url, redactUrl(url))}`));
  });
  return {
    redis,
    async close() {
      if (gaveUp) return;
      gaveUp = true;
      redis.disconnect(false);
      await Promise.resolve();
    },
  };
}

/** Runs a pipeline and returns its replies, throwing the first command's error instead of returning it. */
export async function execPipeline(pipeline: ReturnType<Redis['pipeline']>): Promise<unknown[]> {
  const results = (await pipeline.exec()) ?? [];
  return results.map(([error, value]) => {
    if (error !== null) throw error;
    return value;
  });
}
