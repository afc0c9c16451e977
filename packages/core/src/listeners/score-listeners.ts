import type { Model } from '../model';
import { ConfigError, formatValue } from '../errors';
import type { EpochInfo, IterationInfo, TrainingListener } from '../listener';

export function checkEvery(owner: string, every: number): number {
  if (!Number.isInteger(every) || every < 1) throw new ConfigError(`${owner}: every must be a positive integer, received ${formatValue(every)}`);
  return every;
}

/** Options of {@link ScoreIterationListener}. */
export interface ScoreIterationListenerOptions {
  /** Report every N iterations (each report waits for the device once). Default 10. */
  readonly every?: number;
  /** Where reports go. Default `console.log`. */
  readonly log?: (message: string) => void;
}

/**
 * Reports the minibatch score every N iterations, as DL4J's `ScoreIterationListener`:
 * `Score at iteration 40 (epoch 1) is 0.3127`.
 *
 * @example
 * ```ts
 * await net.fit(train, { epochs: 5, listeners: [new ScoreIterationListener({ every: 100 })] });
 * ```
 */
export class ScoreIterationListener implements TrainingListener<Model> {
  private readonly every: number;
  private readonly log: (message: string) => void;

  constructor(options: ScoreIterationListenerOptions = {}) {
    this.every = checkEvery('ScoreIterationListener', options.every ?? 10);
    this.log = options.log ?? ((m) => console.log(m));
  }

  async onIterationEnd(info: IterationInfo<Model>): Promise<void> {
    if (info.iteration % this.every !== 0) return;
    this.log(`Score at iteration ${info.iteration} (epoch ${info.epoch}) is ${await info.score()}`);
  }
}

/** One score read by {@link CollectScoresListener}. */
export interface ScorePoint {
  readonly iteration: number;
  /** 0-based index of the epoch the iteration belongs to. */
  readonly epoch: number;
  readonly score: number;
}

/**
 * Collects the minibatch score every N iterations and the mean score of every epoch, for plots
 * and tests (DL4J's `CollectScoresIterationListener`).
 */
export class CollectScoresListener implements TrainingListener<Model> {
  /** Scores read every N iterations, in order. */
  readonly scores: ScorePoint[] = [];
  /** Mean score per completed epoch: `{ epoch, iteration, score }` with the 1-based epoch count. */
  readonly epochScores: ScorePoint[] = [];
  private readonly every: number;

  constructor(options: { readonly every?: number } = {}) {
    this.every = checkEvery('CollectScoresListener', options.every ?? 1);
  }

  async onIterationEnd(info: IterationInfo<Model>): Promise<void> {
    if (info.iteration % this.every !== 0) return;
    this.scores.push({ iteration: info.iteration, epoch: info.epoch, score: await info.score() });
  }

  onEpochEnd(info: EpochInfo<Model>): void {
    this.epochScores.push({ iteration: info.iteration, epoch: info.epoch, score: info.meanScore });
  }
}
