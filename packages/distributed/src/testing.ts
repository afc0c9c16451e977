// Test helpers for code that trains over Redis: a throwaway redis-server on a free loopback port.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

/**
 * Why a local redis-server cannot be started here (not installed), or undefined when it can.
 * With `DL4TS_REQUIRE_REDIS=1` in the environment a missing server is an error instead.
 */
export function redisServerMissing(): string | undefined {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.error === undefined && probe.status === 0) return undefined;
  const why = 'redis-server is not installed (Debian: apt-get install redis-server)';
  if (process.env.DL4TS_REQUIRE_REDIS === '1') throw new Error(`DL4TS_REQUIRE_REDIS=1 but ${why}`);
  return why;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A redis-server started by {@link startRedisServer}. */
export interface LocalRedisServer {
  readonly url: string;
  readonly port: number;
  /** Stops the server (SIGKILL with `hard`); resolves once it has exited. */
  stop(hard?: boolean): Promise<void>;
}

/** Starts `redis-server` on a free loopback port without persistence (with `password`, requiring it); resolves once it answers PING. */
export async function startRedisServer(options: { readonly port?: number; readonly timeoutMs?: number; readonly password?: string } = {}): Promise<LocalRedisServer> {
  const port = options.port ?? (await freePort());
  const auth = options.password === undefined ? [] : ['--requirepass', options.password];
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning', ...auth], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `redis://${options.password === undefined ? '' : `:${encodeURIComponent(options.password)}@`}127.0.0.1:${port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      break;
    } catch (error) {
      probe.disconnect();
      if (Date.now() > deadline || child.exitCode !== null) {
        child.kill('SIGKILL');
        throw new Error(`redis-server did not answer on port ${port}: ${String(error)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    url,
    port,
    async stop(hard = false) {
      if (child.exitCode === null && child.signalCode === null) child.kill(hard ? 'SIGKILL' : 'SIGTERM');
      await exited;
    },
  };
}
