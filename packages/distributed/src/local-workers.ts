import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '@dl4ts/core';
import { resolveRunOptions, type RedisRunOptions } from './options';

/** The `dl4ts-worker` command's script, for starting it with `node` from code. */
export const WORKER_SCRIPT = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '../dist/cli/worker.js' : './cli/worker.js', import.meta.url));

/** One worker process started by {@link startLocalWorkers}. */
export interface LocalWorker {
  readonly index: number;
  readonly child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** What it printed so far (stdout and stderr). */
  output(): string;
}

/** Options of {@link startLocalWorkers}. */
export interface LocalWorkersOptions extends RedisRunOptions {
  /** Worker indices to start: a count (0 to count - 1) or the indices themselves. */
  readonly workers: number | readonly number[];
  /** Extra `dl4ts-worker` arguments. */
  readonly args?: readonly string[];
  /** Working folder of the processes (where relative module paths resolve). Default: this process's. */
  readonly cwd?: string;
}

/**
 * Starts `dl4ts-worker` processes on this host, for a run whose coordinator is this process or
 * another: the simplest way to use every core of one machine with separate processes, and what
 * the tests use. The Redis URL reaches them through the environment, never the command line.
 *
 * @example
 * ```ts
 * const workers = startLocalWorkers({ url, run: 'local-1', workers: 2 });
 * // ... new ParallelTrainer(net, { transport: redisWorkers({ url, run: 'local-1' }), workers: 2 })
 * await Promise.all(workers.map((w) => w.exited)); // 0 once the trainer is closed
 * ```
 */
export function startLocalWorkers(options: LocalWorkersOptions): LocalWorker[] {
  const resolved = resolveRunOptions('startLocalWorkers', options);
  const indices = typeof options.workers === 'number' ? Array.from({ length: options.workers }, (_, i) => i) : [...options.workers];
  if (indices.length === 0 || indices.some((i) => !Number.isInteger(i) || i < 0)) throw new ConfigError(`startLocalWorkers: workers must be a count >= 1 or non-negative integer indices, received ${JSON.stringify(options.workers)}`);
  const common = ['--run', options.run, '--lease-ms', String(resolved.leaseMs), ...(options.prefix === undefined ? [] : ['--prefix', options.prefix]), ...(options.args ?? [])];
  return indices.map((index) => {
    const child = spawn(process.execPath, [WORKER_SCRIPT, ...common, '--index', String(index)], {
      cwd: options.cwd ?? process.cwd(),
      env: { ...process.env, DL4TS_REDIS_URL: resolved.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    const append = (chunk: Buffer) => {
      text += chunk.toString();
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    const exited = new Promise<number | null>((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.once('error', () => resolve(null));
    });
    return { index, child, exited, output: () => text };
  });
}
