import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { ConfigError, formatValue } from '@dl4ts/core';
import type { EpochInfo, FitStartInfo, IterationInfo, TrainingListener } from '@dl4ts/core';
import type { ChartAssets, ChartData } from './chart-html';
import { renderChartHtml } from './chart-html';
import type { HeldOutData } from './held-out';
import { checkHeldOut, evaluateHeldOut } from './held-out';
import { checkEvery, isScoreIteration } from './schedule';

/** Options of {@link ChartListener}. */
export interface ChartOptions {
  /** The HTML file to write (its directory is created when missing). */
  readonly path: string;
  /** Page title. Default "dl4ts training". */
  readonly title?: string;
  /** Reads the minibatch loss at the first iteration of each `fit` call, then every `scoreEvery`. Default 10. */
  readonly scoreEvery?: number;
  /**
   * Held-out examples (a `DataSet`, or `{ features, labels }` tensors) scored after every epoch:
   * validation loss (mean loss plus penalties, like the training loss) and, for a classifier,
   * accuracy. The listener does not own them: dispose them after `fit`.
   */
  readonly validation?: HeldOutData;
  /** Examples per forward pass on the validation data. Default 1024. */
  readonly validationBatchSize?: number;
  /**
   * Validation accuracy: `undefined` (auto) computes it only when the network outputs a
   * probability vector per example (softmax: `[n, k]`, k >= 2, rows summing to 1) and the labels
   * are one-hot `[n, k]` or class indices `[n, 1]`; `true` also for other outputs of that shape
   * (arg-max of logits), throwing when the shapes do not fit; `false` never.
   */
  readonly accuracy?: boolean;
  /** While training runs, the page reloads itself every this many seconds; 0 (default): never. */
  readonly refreshSeconds?: number;
}

const requireHere = createRequire(import.meta.url);
let uplotAssets: Promise<ChartAssets> | undefined;

/** Reads uPlot's browser build and stylesheet from the installed `uplot` package (once). */
export function loadUplotAssets(): Promise<ChartAssets> {
  uplotAssets ??= Promise.all([
    readFile(requireHere.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    readFile(requireHere.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  ]).then(
    ([script, style]) => ({ script, style }),
    (error: unknown) => {
      uplotAssets = undefined;
      throw error;
    },
  );
  return uplotAssets;
}

/**
 * Writes `text` to `path` so that a reader sees the old file or the new one, never a part: a
 * temporary file in the same directory (so on the same file system), then a rename over `path`.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, text, 'utf8');
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer E)[] ? E[] : T[K] };

/**
 * Charts a `fit` in one self-contained HTML file: the minibatch loss every `scoreEvery` iterations
 * with the epoch means, the loss per epoch and, given validation data, the validation loss and
 * accuracy per epoch. The file is rewritten atomically after every epoch and when `fit` ends, so
 * refreshing the browser shows the latest state and never a half-written page.
 *
 * Across several `fit` calls the same listener keeps adding to its data (x values are the
 * network's counters).
 *
 * @example
 * ```ts
 * const chart = new ChartListener({ path: 'runs/mnist.html', validation: test });
 * await net.fit(train, { epochs: 10, listeners: [chart] }); // then open runs/mnist.html
 * console.log(chart.data.validationAccuracies);
 * ```
 */
export class ChartListener implements TrainingListener {
  /** Absolute path of the HTML file. */
  readonly path: string;
  private readonly scoreEvery: number;
  private readonly validation: HeldOutData | undefined;
  private readonly validationBatchSize: number;
  private readonly accuracy: boolean | undefined;
  private readonly refreshSeconds: number;
  private readonly collected: Mutable<ChartData>;
  private startIteration = 0;

  constructor(options: ChartOptions) {
    if (options === null || typeof options !== 'object' || typeof options.path !== 'string' || options.path === '') {
      throw new ConfigError(`ChartListener: expected options with a non-empty "path" string, received ${JSON.stringify(options)}`);
    }
    if (options.title !== undefined && typeof options.title !== 'string') throw new ConfigError(`ChartListener: title must be a string, received ${typeof options.title}`);
    const refresh = options.refreshSeconds ?? 0;
    if (!(refresh >= 0) || !Number.isFinite(refresh)) throw new ConfigError(`ChartListener: refreshSeconds must be a number >= 0, received ${formatValue(refresh)}`);
    if (options.validation !== undefined) checkHeldOut('ChartListener', options.validation);
    this.path = resolve(options.path);
    this.scoreEvery = checkEvery('ChartListener', 'scoreEvery', options.scoreEvery, 10);
    this.validationBatchSize = checkEvery('ChartListener', 'validationBatchSize', options.validationBatchSize, 1024);
    this.validation = options.validation;
    this.accuracy = options.accuracy;
    this.refreshSeconds = refresh;
    this.collected = {
      title: options.title ?? 'dl4ts training',
      iterations: [],
      losses: [],
      epochs: [],
      epochIterations: [],
      epochLosses: [],
      validationLosses: [],
      validationAccuracies: [],
      finished: false,
      updated: new Date().toISOString(),
    };
  }

  /** A copy of the data collected so far. */
  get data(): ChartData {
    return structuredClone(this.collected);
  }

  onFitStart(info: FitStartInfo): void {
    this.startIteration = info.startIteration;
    this.collected.finished = false;
  }

  async onIterationEnd(info: IterationInfo): Promise<void> {
    if (!isScoreIteration(info.iteration, this.startIteration, this.scoreEvery)) return;
    const loss = await info.score();
    this.collected.iterations.push(info.iteration);
    this.collected.losses.push(loss);
  }

  async onEpochEnd(info: EpochInfo): Promise<void> {
    const data = this.collected;
    data.epochs.push(info.epoch);
    data.epochIterations.push(info.iteration);
    data.epochLosses.push(info.meanScore);
    if (this.validation !== undefined) {
      const result = await evaluateHeldOut(info.network, this.validation, { batchSize: this.validationBatchSize, accuracy: this.accuracy });
      data.validationLosses.push(result.loss);
      data.validationAccuracies.push(result.accuracy ?? null);
    }
    await this.save();
  }

  async onFitEnd(): Promise<void> {
    this.collected.finished = true;
    await this.save();
  }

  /** Writes the page now (atomically); `fit` calls it after every epoch and at its end. */
  async save(): Promise<void> {
    this.collected.updated = new Date().toISOString();
    const html = renderChartHtml(this.collected, await loadUplotAssets(), { refreshSeconds: this.refreshSeconds });
    await writeFileAtomic(this.path, html);
  }
}
