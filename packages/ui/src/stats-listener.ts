// Collects what the dashboard shows while `fit` runs, every N iterations: the minibatch score,
// each parameter's mean magnitude, update magnitude, update:parameter ratio and learning rate,
// histograms of parameters, updates and (on a probe batch) activations every M iterations, the
// throughput, and memory. Parameters are copied during the listener call (they change with the
// next step) and read asynchronously afterwards, in the order taken; the summaries go to the
// storage when their reads complete. `onFitEnd` waits for them and reports any failure.
import { hostname } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, Network, formatValue, heldOutScore, sumOfSquares } from '@dl4ts/core';
import type { BatchSource, EpochInfo, FitEndInfo, FitStartInfo, GradientInfo, IterationInfo, Model, TrainingListener } from '@dl4ts/core';
import type { ActivationStats, LayerInfo, MemoryStats, ParamStats, RunInfo, StatsReport } from './stats';
import type { StatsStorage } from './storage';
import { activationStats, countNonFiniteValues, histogram } from './summaries';

/** Options of {@link StatsListener}. */
export interface StatsListenerOptions {
  /** The run's id in the storage; default a new one from the time and a random suffix. Give the same id to a resumed run. */
  readonly runId?: string;
  /** Shown on the dashboard. Default the run id. */
  readonly title?: string;
  /** Report every N iterations. Default 20 (a report costs about half a millisecond of device work for a 500k-parameter MLP). */
  readonly every?: number;
  /** Histograms (and activation statistics) every N iterations, a multiple of `every`. Default 10 x `every`. */
  readonly histogramEvery?: number;
  /** Histogram bins. Default 20. */
  readonly bins?: number;
  /**
   * Features of a fixed batch (a few hundred examples) whose layer outputs give the activation
   * statistics at histogram iterations (a `Network` only). Not owned: dispose it after `fit`.
   */
  readonly probe?: tf.Tensor;
  /** Scored after every epoch (loss plus penalties), for the validation curve. Not owned. */
  readonly validation?: BatchSource;
  /** Names the worker in reports (the parallel and distributed trainers). */
  readonly worker?: string;
}

/**
 * What `@dl4ts/parallel`'s `ParallelTrainer` tells a listener after each averaging window (its
 * `WindowInfo`; written out here so this package does not depend on the trainer's).
 */
export interface TrainerWindow {
  readonly ms: number;
  readonly workers: readonly { readonly worker: number; readonly examples: number; readonly meanScore: number; readonly reportMs: number; readonly ageMs: number }[];
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 1) throw new ConfigError(`StatsListener: ${name} must be a positive integer, received ${formatValue(value)}`);
  return v;
}

/** A parameter copied at a report iteration, with its copy from the iteration before (for the update). */
interface Taken {
  readonly name: string;
  readonly count: number;
  readonly learningRate: number | undefined;
  readonly hasUpdate: boolean;
  readonly hasGradient: boolean;
  /** The values and the update, kept for their histograms at histogram iterations only. */
  readonly value?: tf.Tensor;
  readonly update?: tf.Tensor;
  readonly gradient?: tf.Tensor;
}

/**
 * Records training statistics into a {@link StatsStorage} for the dashboard, at a chosen frequency,
 * without synchronous reads. Works with a `Network` and a `ComputationGraph` (activations: a
 * `Network` only).
 *
 * @example
 * ```ts
 * const storage = new MemoryStatsStorage();
 * await net.fit(train, { epochs: 3, listeners: [new StatsListener(storage, { every: 20 })] });
 * console.log(storage.reports(storage.runs()[0].runId).at(-1)?.params['dense_0/W']?.log10UpdateRatio);
 * ```
 */
export class StatsListener implements TrainingListener<Model> {
  readonly runId: string;
  private readonly every: number;
  private readonly histogramEvery: number;
  private readonly bins: number;
  private runPut = false;
  private before = new Map<string, tf.Tensor>();
  private pending: Promise<void> = Promise.resolve();
  private failure: unknown;
  private lastTime: number | undefined;
  private readonly gradients = new Map<string, { squares: tf.Tensor; copy?: tf.Tensor }>();
  private window: Pick<StatsReport, 'workers' | 'windowMs'> = {};
  private examples = 0;

  constructor(
    readonly storage: StatsStorage,
    private readonly options: StatsListenerOptions = {},
  ) {
    if (typeof storage?.putReport !== 'function') throw new ConfigError(`StatsListener: expected a StatsStorage (MemoryStatsStorage, FileStatsStorage), received ${formatValue(storage)}`);
    this.every = positiveInteger('every', options.every, 20);
    this.histogramEvery = positiveInteger('histogramEvery', options.histogramEvery, 10 * this.every);
    if (this.histogramEvery % this.every !== 0) throw new ConfigError(`StatsListener: histogramEvery must be a multiple of every (${this.every}), received ${formatValue(this.histogramEvery)}`);
    this.bins = positiveInteger('bins', options.bins, 20);
    this.runId = options.runId ?? `${new Date().toISOString().replace(/[:.]/g, '-')}-${Math.random().toString(36).slice(2, 8)}`;
  }

  async onFitStart(info: FitStartInfo<Model>): Promise<void> {
    this.disposeBefore(); // left by a fit that threw elsewhere
    this.disposeGradients();
    this.lastTime = undefined;
    this.examples = 0;
    if (this.runPut) return;
    await this.storage.putRun(this.describe(info.network));
    this.runPut = true;
  }

  onIterationEnd(info: IterationInfo<Model>): Promise<void> | undefined {
    // A failed report ends fit here, once the reports still in flight have freed their copies.
    if (this.failure !== undefined) return this.flush();
    this.examples += info.examples;
    const network = info.network;
    if (info.iteration % this.every === 0) this.report(info);
    if ((info.iteration + 1) % this.every === 0) {
      // The next iteration reports: keep this one's parameters to measure its update.
      this.disposeBefore();
      for (const name of network.paramNames()) this.before.set(name, network.getParam(name));
    }
    return undefined;
  }

  /** Gradients only of the iterations that report. */
  gradientsWanted(iteration: number): boolean {
    return iteration % this.every === 0;
  }

  /**
   * Keeps each gradient's sum of squares (and, at histogram iterations, a copy) for the report
   * that follows; a truncated-BPTT iteration's last segment wins.
   */
  onGradients(info: GradientInfo<Model>): void {
    this.disposeGradients();
    const withHistograms = info.iteration % this.histogramEvery === 0;
    for (const [name, gradient] of info.gradients) {
      this.gradients.set(name, { squares: tf.keep(sumOfSquares(gradient)), ...(withHistograms ? { copy: tf.keep(tf.clone(gradient)) } : {}) });
    }
  }

  private disposeGradients(): void {
    for (const g of this.gradients.values()) tf.dispose([g.squares, ...(g.copy === undefined ? [] : [g.copy])]);
    this.gradients.clear();
  }

  /** Under the `ParallelTrainer`: the workers' round times and heartbeat ages go into the next reports. */
  onWindow(info: TrainerWindow): void {
    this.window = { windowMs: info.ms, workers: info.workers.map((w) => ({ worker: w.worker, examples: w.examples, meanScore: w.meanScore, roundMs: w.reportMs, heartbeatAgeMs: w.ageMs })) };
  }

  private report(info: IterationInfo<Model>): void {
    const network = info.network;
    const now = Date.now();
    const examplesPerSecond = this.lastTime === undefined || now <= this.lastTime ? undefined : (this.examples * 1000) / (now - this.lastTime);
    this.lastTime = now;
    this.examples = 0;
    const withHistograms = info.iteration % this.histogramEvery === 0;
    // On the device, during the call: each parameter's sum of squares and its update's (one fused
    // pass each where the backend has the kernel), all in one tensor: a report reads two numbers
    // per parameter, and the parameters themselves only at histogram iterations.
    const taken: Taken[] = [];
    const sums: tf.Tensor[] = [];
    for (const name of network.paramNames()) {
      const value = network.getParam(name);
      const previous = this.before.get(name);
      const update = previous === undefined ? undefined : tf.sub(value, previous);
      const gradient = this.gradients.get(name);
      sums.push(...tf.tidy(() => [sumOfSquares(value), update === undefined ? tf.scalar(Number.NaN) : sumOfSquares(update)]), gradient?.squares ?? tf.scalar(Number.NaN));
      const kept = withHistograms ? { value, ...(update === undefined ? {} : { update }), ...(gradient?.copy === undefined ? {} : { gradient: gradient.copy }) } : {};
      taken.push({ name, count: value.size, learningRate: network.learningRate(name), hasUpdate: update !== undefined, hasGradient: gradient !== undefined, ...kept });
      if (!withHistograms) gradient?.copy?.dispose();
      if (!withHistograms) tf.dispose([value, ...(update === undefined ? [] : [update])]);
    }
    this.disposeBefore();
    this.gradients.clear(); // handed over: their sums are in `sums`, their copies in `taken`
    const summaries = tf.stack(sums);
    tf.dispose(sums);
    const activations = withHistograms && this.options.probe !== undefined && network instanceof Network ? network.feedForward(this.options.probe) : undefined;
    const release = (): void => tf.dispose([summaries, ...taken.flatMap((t) => [t.value, t.update, t.gradient].filter((x): x is tf.Tensor => x !== undefined)), ...(activations ?? [])]);
    const layerNames = network.layers.map((l) => l.config.name as string);
    const memory = this.memory();
    // Started now (the score tensor lives only during this call), awaited with the other reads.
    const score = info.score();
    score.catch(() => undefined); // a failure surfaces where it is awaited, below
    const base = { runId: this.runId, iteration: info.iteration, epoch: info.epoch, time: now, ...(examplesPerSecond === undefined ? {} : { examplesPerSecond }), memory, ...(this.options.worker === undefined ? {} : { worker: this.options.worker }), ...this.window };
    // The reads and histograms run after the listener call returns, one report after another.
    this.pending = this.pending.then(async () => {
      try {
        const figures = await summaries.data();
        const minibatchScore = await score;
        const params: Record<string, ParamStats> = {};
        for (const [i, t] of taken.entries()) params[t.name] = await this.paramStats(t, figures[3 * i] as number, figures[3 * i + 1] as number, figures[3 * i + 2] as number);
        const report: StatsReport = { ...base, score: minibatchScore, params, ...(activations === undefined ? {} : { activations: await this.activationStats(activations, layerNames) }) };
        await this.storage.putReport(report);
      } catch (error) {
        this.failure ??= error;
      } finally {
        release();
      }
    });
  }

  private async paramStats(t: Taken, squares: number, updateSquares: number, gradientSquares: number): Promise<ParamStats> {
    const rms = Math.sqrt(squares / t.count);
    const stats: { -readonly [K in keyof ParamStats]: ParamStats[K] } = { meanMagnitude: rms, finite: Number.isFinite(rms) };
    if (t.learningRate !== undefined) stats.learningRate = t.learningRate;
    if (t.hasUpdate) {
      stats.updateMeanMagnitude = Math.sqrt(updateSquares / t.count);
      if (stats.updateMeanMagnitude > 0 && rms > 0) stats.log10UpdateRatio = Math.log10(stats.updateMeanMagnitude / rms);
    }
    if (t.value !== undefined) {
      const values = await t.value.data();
      stats.histogram = histogram(values, this.bins);
      stats.nonFinite = countNonFiniteValues(values);
    }
    if (t.update !== undefined) stats.updateHistogram = histogram(await t.update.data(), this.bins);
    if (t.hasGradient) stats.gradientMeanMagnitude = Math.sqrt(gradientSquares / t.count);
    if (t.gradient !== undefined) stats.gradientHistogram = histogram(await t.gradient.data(), this.bins);
    return stats;
  }

  private async activationStats(outputs: readonly tf.Tensor[], names: readonly string[]): Promise<Record<string, ActivationStats>> {
    const result: Record<string, ActivationStats> = {};
    for (const [i, output] of outputs.entries()) result[names[i] as string] = activationStats(await output.data(), this.bins);
    return result;
  }

  async onEpochEnd(info: EpochInfo<Model>): Promise<void> {
    if (this.failure !== undefined) return this.flush();
    if (this.options.validation === undefined) return;
    const validationScore = await heldOutScore(info.network, this.options.validation);
    // A report at the epoch's last iteration carries the epoch's figures.
    this.pending = this.pending.then(async () => {
      try {
        await this.storage.putReport({ runId: this.runId, iteration: info.iteration, epoch: info.epoch, time: Date.now(), score: info.meanScore, params: {}, memory: this.memory(), epochEnd: { meanScore: info.meanScore, validationScore } });
      } catch (error) {
        this.failure ??= error;
      }
    });
  }

  /** Waits for the reports still being read and written; throws the first failure. */
  async onFitEnd(_info: FitEndInfo<Model>): Promise<void> {
    await this.flush();
  }

  /** Waits for every report taken so far to be stored; throws the first failure. */
  async flush(): Promise<void> {
    await this.pending;
    this.disposeBefore();
    this.disposeGradients();
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure === undefined) return;
    const failure = this.failure;
    this.failure = undefined;
    throw failure;
  }

  private disposeBefore(): void {
    for (const t of this.before.values()) t.dispose();
    this.before.clear();
  }

  private memory(): MemoryStats {
    const engine = tf.memory();
    const process_ = process.memoryUsage();
    return { rssBytes: process_.rss, heapUsedBytes: process_.heapUsed, tensors: engine.numTensors, tensorBytes: engine.numBytes };
  }

  private describe(network: Model): RunInfo {
    const names = network.paramNames();
    const layers: LayerInfo[] = network.layers.map((layer) => {
      const name = layer.config.name as string;
      const params = names.filter((p) => p.startsWith(`${name}/`)).map((p) => {
        const shape = network.paramShape(p);
        return { name: p, shape, count: shape.reduce((a, b) => a * b, 1) };
      });
      return { name, type: layer.key, params };
    });
    return {
      runId: this.runId,
      startedAt: new Date().toISOString(),
      title: this.options.title ?? this.runId,
      modelKind: network instanceof Network ? 'Network' : 'ComputationGraph',
      layers,
      totalParams: network.numParams(),
      config: network.config,
      backend: tf.getBackend(),
      host: { hostname: hostname(), pid: process.pid, node: process.version },
    };
  }
}
