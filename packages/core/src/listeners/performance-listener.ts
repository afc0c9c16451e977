import type { Model } from '../model';
import type { FitStartInfo, IterationInfo, TrainingListener } from '../listener';
import { checkEvery } from './score-listeners';

/** One report of {@link PerformanceListener}. */
export interface PerformanceReport {
  readonly iteration: number;
  readonly epoch: number;
  /** Over the iterations since the previous report. */
  readonly samplesPerSecond: number;
  readonly batchesPerSecond: number;
  /** Seconds left in this `fit` call at the current pace; undefined when the data's size is unknown. */
  readonly etaSeconds: number | undefined;
}

/** Options of {@link PerformanceListener}. */
export interface PerformanceListenerOptions {
  /** Report every N iterations. Default 10. */
  readonly every?: number;
  /** Where reports go; default `console.log` of {@link formatPerformance}. Pass `() => {}` to only keep `reports`. */
  readonly log?: (message: string, report: PerformanceReport) => void;
  /** Milliseconds clock; default `performance.now`. Injected by tests. */
  readonly now?: () => number;
}

/** `iteration 200, epoch 1: 1523.4 samples/s, 11.9 batches/s, ETA 1m 02s`. */
export function formatPerformance(r: PerformanceReport): string {
  const eta = r.etaSeconds === undefined ? '' : `, ETA ${formatDuration(r.etaSeconds)}`;
  return `iteration ${r.iteration}, epoch ${r.epoch}: ${r.samplesPerSecond.toFixed(1)} samples/s, ${r.batchesPerSecond.toFixed(2)} batches/s${eta}`;
}

/** `75` -> `1m 15s`; `3725` -> `1h 02m 05s`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (v: number) => String(v).padStart(2, '0');
  if (h > 0) return `${h}h ${pad(m)}m ${pad(s % 60)}s`;
  if (m > 0) return `${m}m ${pad(s % 60)}s`;
  return `${s % 60}s`;
}

/**
 * Measures throughput (samples/s, batches/s) every N iterations and estimates the time left in the
 * `fit` call (DL4J's `PerformanceListener`). It never reads a tensor; the pace includes the device
 * work queued by the iterations it covers, which on asynchronous backends (WebGPU) is only exact on
 * average.
 */
export class PerformanceListener implements TrainingListener<Model> {
  /** Every report, in order. */
  readonly reports: PerformanceReport[] = [];
  private readonly every: number;
  private readonly log: (message: string, report: PerformanceReport) => void;
  private readonly now: () => number;
  private lastTime = 0;
  private samples = 0;
  private batches = 0;
  private totalBatches: number | undefined;
  private startIteration = 0;

  constructor(options: PerformanceListenerOptions = {}) {
    this.every = checkEvery('PerformanceListener', options.every ?? 10);
    this.log = options.log ?? ((m) => console.log(m));
    this.now = options.now ?? (() => performance.now());
  }

  onFitStart(info: FitStartInfo<Model>): void {
    this.lastTime = this.now();
    this.samples = 0;
    this.batches = 0;
    this.startIteration = info.startIteration;
    this.totalBatches = info.batchesPerEpoch === undefined ? undefined : info.batchesPerEpoch * info.epochs;
  }

  onIterationEnd(info: IterationInfo<Model>): void {
    this.samples += info.examples;
    this.batches++;
    if (info.iteration % this.every !== 0) return;
    const t = this.now();
    const seconds = Math.max((t - this.lastTime) / 1000, 1e-9);
    const batchesPerSecond = this.batches / seconds;
    const done = info.iteration - this.startIteration;
    const report: PerformanceReport = {
      iteration: info.iteration,
      epoch: info.epoch,
      samplesPerSecond: this.samples / seconds,
      batchesPerSecond,
      etaSeconds: this.totalBatches === undefined ? undefined : Math.max(0, this.totalBatches - done) / batchesPerSecond,
    };
    this.reports.push(report);
    this.log(formatPerformance(report), report);
    this.lastTime = t;
    this.samples = 0;
    this.batches = 0;
  }
}
