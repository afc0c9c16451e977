// Where a StatsListener's records go and where the dashboard reads them: the interface, and the
// in-memory storage the file storage builds on.
import { Dl4tsError } from '@dl4ts/core';
import type { RunInfo, StatsEvent, StatsReport } from './stats';

/** A run id that the storage does not hold. */
export class UnknownRunError extends Dl4tsError {
  static override readonly errorName = 'UnknownRunError';
  constructor(
    readonly runId: string,
    readonly known: readonly string[],
  ) {
    super('DL4TS_UNKNOWN_RUN', `Unknown run id ${JSON.stringify(runId)}; the storage holds ${known.length === 0 ? 'no runs' : known.map((k) => JSON.stringify(k)).join(', ')}`);
  }
}

/**
 * Stores runs and their reports, and tells subscribers as they arrive. Implementations:
 * {@link MemoryStatsStorage}, and `FileStatsStorage` (an append-only file that can be reopened).
 */
export interface StatsStorage {
  /** Records a run. A run id already held is left as it is (a resumed run goes on adding reports). */
  putRun(run: RunInfo): Promise<void>;
  /** Records a report of a run put before; an unknown run id is an {@link UnknownRunError}. */
  putReport(report: StatsReport): Promise<void>;
  /** Every run held, in the order they were put. */
  runs(): readonly RunInfo[];
  /** One run; an {@link UnknownRunError} naming the known ids otherwise. */
  run(runId: string): RunInfo;
  /** A run's reports in arrival order; with `afterIteration`, only those of later iterations. */
  reports(runId: string, options?: { afterIteration?: number }): readonly StatsReport[];
  /** Calls `listener` for every run and report put from now on; returns the unsubscribe function. */
  subscribe(listener: (event: StatsEvent) => void): () => void;
  /** Finishes pending writes and releases files. */
  close(): Promise<void>;
}

/** Keeps everything in memory: for a dashboard that lives as long as the training process. */
export class MemoryStatsStorage implements StatsStorage {
  private readonly runInfos = new Map<string, RunInfo>();
  private readonly reportLists = new Map<string, StatsReport[]>();
  private readonly listeners = new Set<(event: StatsEvent) => void>();

  async putRun(run: RunInfo): Promise<void> {
    this.addRun(run);
  }

  async putReport(report: StatsReport): Promise<void> {
    this.addReport(report);
  }

  /** Adds a run, telling subscribers; false when the id was held already. */
  protected addRun(run: RunInfo): boolean {
    if (this.runInfos.has(run.runId)) return false;
    this.runInfos.set(run.runId, run);
    this.reportLists.set(run.runId, []);
    this.emit({ type: 'run', run });
    return true;
  }

  protected addReport(report: StatsReport): void {
    this.reportsOf(report.runId).push(report);
    this.emit({ type: 'report', report });
  }

  runs(): readonly RunInfo[] {
    return [...this.runInfos.values()];
  }

  run(runId: string): RunInfo {
    const run = this.runInfos.get(runId);
    if (run === undefined) throw new UnknownRunError(runId, [...this.runInfos.keys()]);
    return run;
  }

  reports(runId: string, options: { afterIteration?: number } = {}): readonly StatsReport[] {
    const all = this.reportsOf(runId);
    const after = options.afterIteration;
    return after === undefined ? [...all] : all.filter((r) => r.iteration > after);
  }

  subscribe(listener: (event: StatsEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): Promise<void> {
    this.listeners.clear();
    return Promise.resolve();
  }

  private reportsOf(runId: string): StatsReport[] {
    const list = this.reportLists.get(runId);
    if (list === undefined) throw new UnknownRunError(runId, [...this.runInfos.keys()]);
    return list;
  }

  private emit(event: StatsEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
