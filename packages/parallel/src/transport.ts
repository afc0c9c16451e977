import type { Counters } from './protocol';

/** A buffer that a message may hand over without copying. */
export type TransferableBuffer = ArrayBuffer;

/**
 * One worker as the trainer sees it: messages in both directions, failure, termination. The Node
 * implementation wraps `worker_threads` (`nodeWorkers` in `@dl4ts/parallel/node`); a browser one
 * would wrap a `Worker` (not written yet, see the README).
 */
export interface WorkerHandle {
  /** Posts a structured-clonable message; `transfer` buffers move instead of being copied. */
  post(message: unknown, transfer?: readonly TransferableBuffer[]): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once if the worker dies or throws uncaught: the error and, when it exited, its code. */
  onFailure(listener: (error: Error, exitCode: number | undefined) => void): void;
  /** Ends the worker; resolves once it is gone. Failure listeners are not called for this. */
  terminate(): Promise<void>;
  /** Whether a live worker keeps the host process running (Node `ref`/`unref`); optional. */
  keepAlive?(alive: boolean): void;
}

/** Starts workers that run the dl4ts worker entry. */
export interface WorkerTransport {
  /** For messages: `node worker_threads`. */
  readonly name: string;
  /**
   * Whether a `SharedArrayBuffer` may be posted to the workers (Node: always; browsers: only when
   * cross-origin isolated). Without it the averaged parameters are copied to each worker.
   */
  readonly sharedMemory: boolean;
  /** Workers to run by default: the machine's cores. */
  defaultWorkers(): number;
  /** Starts worker `index` (0-based); it is given the index to read at start-up. */
  spawn(index: number): WorkerHandle;
  /**
   * Optional: tells the trainer that a lost worker's index can be started again (a restarted
   * process, as `@dl4ts/distributed` sees one). Under `onWorkerFailure: 'continue'` the trainer then
   * calls `spawn(index)` again and the replacement joins at the next averaging window.
   */
  onWorkerAvailable?(listener: (index: number) => void): void;
  /**
   * Optional: averages a window's states where the transport holds them (workers that report
   * `stateStored`), for example by having each worker average a share of every state, and hands
   * each of `receivers` (every live worker of the window, participants or not) the average as an
   * `average` message itself. Resolves with the
   * average for the main network; the trainer then sends no `average` message. `participants` are
   * worker indices in increasing order, the order the element-wise float64 mean runs in (the same
   * bits as `averageBuffers` with `weights`, the examples each trained on).
   */
  reduce?(
    window: number,
    participants: readonly number[],
    average: { readonly length: number; readonly weights: readonly number[]; readonly receivers: readonly number[]; readonly updaters: boolean; readonly counters: Counters },
  ): Promise<Float32Array>;
}
