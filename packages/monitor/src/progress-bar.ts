import type { EpochInfo, FitEndInfo, FitStartInfo, IterationInfo, TrainingListener } from '@dl4ts/core';
import cliProgress from 'cli-progress';
import { checkEvery, isScoreIteration } from './schedule';

/** What the bar writes to: a Node writable, with `isTTY` and `columns` as a terminal stream has them. */
export type ProgressStream = NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number };

/** Options of {@link ProgressBarListener}. */
export interface ProgressBarOptions {
  /** Where the bar is drawn. Default `process.stderr`. */
  readonly stream?: ProgressStream;
  /**
   * Reads and shows the minibatch loss at the first iteration of each `fit` call and then every
   * `scoreEvery` iterations (each read waits for the device). Default 20.
   */
  readonly scoreEvery?: number;
  /**
   * Draws even when the stream is not a terminal or the `CI` environment variable is set; on a
   * non-terminal it then writes one plain line every 2 s and a last one at the end. Default false.
   */
  readonly force?: boolean;
  /** Width of the bar in characters. Default: fitted to the terminal, between 10 and 40. */
  readonly barSize?: number;
}

/** True when the `CI` environment variable is set to anything but "", "0" or "false". */
function inCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/** A number in at most 5 significant digits, without an exponent in the usual range of a loss. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a === 0 || (a >= 1e-3 && a < 1e5) ? String(Number(x.toPrecision(5))) : x.toExponential(3);
}

// cli-progress re-arms a redraw timer after every render; unref it so that a bar left running by a
// `fit` that threw (onFitEnd is not called then) never keeps the process alive.
class UnrefBar extends cliProgress.SingleBar {
  override render(): void {
    super.render();
    // Cast: cli-progress's types do not declare the bar's timer.
    (this as unknown as { timer: NodeJS.Timeout | null }).timer?.unref();
  }
}

interface Run {
  readonly bar: UnrefBar;
  readonly epochs: number;
  readonly startEpoch: number;
  readonly startIteration: number;
  readonly batchesPerEpoch: number | undefined;
  readonly started: number;
  batches: number;
  examples: number;
}

/**
 * A terminal progress bar for `Network.fit`: epoch k/N, batch i/M (a count when the data source
 * does not know its size), the minibatch loss read every `scoreEvery` iterations, the mean loss of
 * the last epoch, samples per second and the time left for the whole `fit` call.
 *
 * Quiet (writes nothing, reads nothing from the device) when the stream is not a terminal or the
 * `CI` environment variable is set, unless `force` is true.
 *
 * @example
 * ```ts
 * await net.fit(train, { epochs: 20, listeners: [new ProgressBarListener({ scoreEvery: 50 })] });
 * // epoch 3/20 █████░░░░░░░░░░ 14% | batch 12/469 | loss 0.3127 | mean 0.3391 | 8210 samples/s | ETA 1m32s
 * ```
 */
export class ProgressBarListener implements TrainingListener {
  private readonly stream: ProgressStream;
  private readonly scoreEvery: number;
  private readonly force: boolean;
  private readonly barSize: number | undefined;
  private run: Run | undefined;

  constructor(options: ProgressBarOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.scoreEvery = checkEvery('ProgressBarListener', 'scoreEvery', options.scoreEvery, 20);
    this.barSize = options.barSize === undefined ? undefined : checkEvery('ProgressBarListener', 'barSize', options.barSize, 0);
    this.force = options.force ?? false;
  }

  /** Whether a `fit` started now would draw: a terminal outside CI, or `force`. */
  get active(): boolean {
    return this.force || (this.stream.isTTY === true && !inCi());
  }

  onFitStart(info: FitStartInfo): void {
    this.finish(); // a previous fit that threw left its bar running
    if (!this.active) return;
    const tty = this.stream.isTTY === true;
    const known = info.batchesPerEpoch !== undefined;
    const barsize = this.barSize ?? Math.max(10, Math.min(40, (this.stream.columns ?? 80) - 85));
    const bar = new UnrefBar({
      stream: this.stream,
      format: known
        ? 'epoch {epoch} {bar} {percentage}% | batch {batch} | loss {loss} | mean {mean} | {rate} samples/s | ETA {eta_formatted}{status}'
        : 'epoch {epoch} | batch {batch} | loss {loss} | mean {mean} | {rate} samples/s | {duration_formatted}{status}',
      barsize,
      barCompleteChar: '\u2588',
      barIncompleteChar: '\u2591',
      // Trim to the terminal width instead of turning wrapping off: a bar left by a fit that threw
      // must not leave the terminal without line wrapping.
      linewrap: true,
      noTTYOutput: !tty,
      etaBuffer: 50,
      hideCursor: false,
    });
    const run: Run = {
      bar,
      epochs: info.epochs,
      startEpoch: info.startEpoch,
      startIteration: info.startIteration,
      batchesPerEpoch: info.batchesPerEpoch,
      started: performance.now(),
      batches: 0,
      examples: 0,
    };
    this.run = run;
    bar.start(known ? info.epochs * (info.batchesPerEpoch as number) : 0, 0, {
      epoch: `${Math.min(1, info.epochs)}/${info.epochs}`,
      batch: known ? `0/${info.batchesPerEpoch as number}` : '0',
      loss: '-',
      mean: '-',
      rate: '-',
      status: '',
    });
  }

  async onIterationEnd(info: IterationInfo): Promise<void> {
    const run = this.run;
    if (run === undefined) return;
    run.batches++;
    run.examples += info.examples;
    const payload: Record<string, string> = {
      epoch: `${info.epoch - run.startEpoch + 1}/${run.epochs}`,
      batch: run.batchesPerEpoch === undefined ? String(info.batchInEpoch) : `${info.batchInEpoch}/${run.batchesPerEpoch}`,
      rate: this.rate(run),
    };
    if (isScoreIteration(info.iteration, run.startIteration, this.scoreEvery)) payload.loss = formatNumber(await info.score());
    run.bar.update(run.batches, payload);
  }

  onEpochEnd(info: EpochInfo): void {
    this.run?.bar.update({ mean: formatNumber(info.meanScore) });
  }

  onFitEnd(info: FitEndInfo): void {
    const run = this.run;
    if (run === undefined) return;
    run.bar.update({ rate: this.rate(run), status: info.stopReason === undefined ? '' : ` | stopped: ${info.stopReason}` });
    this.finish();
  }

  private rate(run: Run): string {
    const seconds = (performance.now() - run.started) / 1000;
    if (run.examples === 0 || seconds <= 0) return '-';
    const r = run.examples / seconds;
    return r >= 100 ? String(Math.round(r)) : r.toPrecision(3);
  }

  /** Draws the last state and releases the line. */
  private finish(): void {
    this.run?.bar.stop();
    this.run = undefined;
  }
}
