import { Dl4tsError } from '@dl4ts/core';

/** Where in its life a worker failed. */
export type WorkerPhase = 'start' | 'train';

/**
 * A training worker threw, could not start, or died (exited, was terminated, ran out of memory).
 * Names the worker and what it reported; `fit` rejects with it after stopping every worker, and the
 * main network keeps the state of the last completed averaging step.
 */
export class WorkerError extends Dl4tsError {
  static override readonly errorName = 'WorkerError';
  constructor(
    message: string,
    /** 0-based index of the worker; -1 when no single worker failed (an average the transport could not complete). */
    readonly worker: number,
    readonly phase: WorkerPhase,
    /** The class name of the error the worker reported (`ArtifactError`, `Error`), when it reported one. */
    readonly causeName?: string,
    /** The thread's exit code, when it died. */
    readonly exitCode?: number,
  ) {
    super('DL4TS_WORKER', message);
  }
}
