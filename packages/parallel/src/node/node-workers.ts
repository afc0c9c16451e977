import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { WorkerHandle, WorkerTransport } from '../transport';

/** Options of {@link nodeWorkers}. */
export interface NodeWorkersOptions {
  /** Node flags for each worker thread (`worker_threads` `execArgv`). */
  readonly execArgv?: readonly string[];
  /** Heap limits of each worker thread (`worker_threads` `resourceLimits`). */
  readonly resourceLimits?: { readonly maxOldGenerationSizeMb?: number; readonly maxYoungGenerationSizeMb?: number };
}

// This file is bundled into dist/node/index.js beside dist/node/worker.js. Run from this
// monorepo's TypeScript sources (tests), the worker is worker.ts, loaded through module hooks that
// strip types (Node 20 cannot load .ts itself).
const fromSource = import.meta.url.endsWith('.ts');
const ENTRY = new URL(fromSource ? './worker.ts' : './worker.js', import.meta.url);
const SOURCE_HOOKS = new URL('./register-source-hooks.mjs', import.meta.url);

/**
 * Workers as Node `worker_threads`: each thread loads its own tfjs engine and backend. Parameters
 * are averaged through `SharedArrayBuffer`s. Threads keep the process alive only while `fit` runs.
 *
 * @example
 * ```ts
 * const trainer = new ParallelTrainer(net, { transport: nodeWorkers(), workers: 2, backend: 'wasm' });
 * ```
 */
export function nodeWorkers(options: NodeWorkersOptions = {}): WorkerTransport {
  return {
    name: 'node worker_threads',
    sharedMemory: true,
    defaultWorkers: () => availableParallelism(),
    spawn(index: number): WorkerHandle {
      const execArgv = [...(fromSource ? ['--import', SOURCE_HOOKS.href] : []), ...(options.execArgv ?? [])];
      const worker = new Worker(ENTRY, { workerData: { index }, execArgv, ...(options.resourceLimits !== undefined && { resourceLimits: { ...options.resourceLimits } }) });
      let terminating = false;
      let failed = false;
      const failureListeners: ((error: Error, exitCode: number | undefined) => void)[] = [];
      const fail = (error: Error, exitCode: number | undefined): void => {
        if (terminating || failed) return;
        failed = true;
        for (const listener of failureListeners) listener(error, exitCode);
      };
      worker.on('error', (error) => fail(error instanceof Error ? error : new Error(String(error)), undefined));
      worker.on('exit', (code) => fail(new Error(`the worker thread exited with code ${code}`), code));
      return {
        post: (message, transfer) => worker.postMessage(message, transfer === undefined ? undefined : [...transfer]),
        onMessage: (listener) => worker.on('message', listener),
        onFailure: (listener) => failureListeners.push(listener),
        async terminate() {
          terminating = true;
          await worker.terminate();
        },
        keepAlive: (alive) => (alive ? worker.ref() : worker.unref()),
      };
    },
  };
}
