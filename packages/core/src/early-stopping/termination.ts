import { ConfigError, formatValue } from '../errors';

/**
 * Decides after each epoch whether early stopping ends training (DL4J's
 * `EpochTerminationCondition`). `score` is the latest held-out score (from the last evaluated
 * epoch); `minimize` says which direction is better.
 */
export interface EpochTerminationCondition {
  /** Called once before training starts; resets any state. */
  initialize?(): void;
  terminate(epoch: number, score: number, minimize: boolean): boolean;
  /** Why it terminated, for the result: `maxEpochs(10)`. */
  describe(): string;
}

/**
 * Decides after each checked iteration whether early stopping ends training at once (DL4J's
 * `IterationTerminationCondition`). `score` is that minibatch's training score.
 */
export interface IterationTerminationCondition {
  initialize?(): void;
  terminate(score: number): boolean;
  describe(): string;
}

function check(name: string, value: number, ok: boolean, expected: string): void {
  if (!ok) throw new ConfigError(`${name}: expected ${expected}, received ${formatValue(value)}`);
}

/** Ends training after `n` epochs in total (counted by early stopping, from 1). */
export function maxEpochs(n: number): EpochTerminationCondition {
  check('maxEpochs', n, Number.isInteger(n) && n > 0, 'a positive integer');
  return { terminate: (epoch) => epoch >= n, describe: () => `maxEpochs(${n})` };
}

/**
 * Ends training when the score has not improved by more than `minImprovement` for `patience`
 * epochs in a row (DL4J's `ScoreImprovementEpochTerminationCondition`). Improvement is measured
 * against the best score so far.
 */
export function scoreImprovement(options: { readonly patience: number; readonly minImprovement?: number }): EpochTerminationCondition {
  const { patience } = options;
  const minImprovement = options.minImprovement ?? 0;
  check('scoreImprovement patience', patience, Number.isInteger(patience) && patience > 0, 'a positive integer');
  check('scoreImprovement minImprovement', minImprovement, minImprovement >= 0 && Number.isFinite(minImprovement), 'a finite number >= 0');
  let best = Number.NaN;
  let bestEpoch = 0;
  return {
    initialize: () => {
      best = Number.NaN;
      bestEpoch = 0;
    },
    terminate: (epoch, score, minimize) => {
      const gain = minimize ? best - score : score - best;
      if (Number.isNaN(best) || gain > minImprovement) {
        best = score;
        bestEpoch = epoch;
        return false;
      }
      return epoch - bestEpoch >= patience;
    },
    describe: () => `scoreImprovement(patience ${patience}, minImprovement ${minImprovement}): no improvement since epoch ${bestEpoch}`,
  };
}

/** Ends training once the score is at least as good as `target` (DL4J's `BestScoreEpochTerminationCondition`). */
export function bestScore(target: number): EpochTerminationCondition {
  check('bestScore', target, Number.isFinite(target), 'a finite number');
  return { terminate: (_epoch, score, minimize) => (minimize ? score <= target : score >= target), describe: () => `bestScore(${target})` };
}

/** Ends training once it has run for `ms` milliseconds (DL4J's `MaxTimeIterationTerminationCondition`). */
export function maxTime(ms: number, now: () => number = Date.now): IterationTerminationCondition {
  check('maxTime', ms, ms > 0 && Number.isFinite(ms), 'a positive number of milliseconds');
  let start = now();
  return { initialize: () => void (start = now()), terminate: () => now() - start >= ms, describe: () => `maxTime(${ms} ms)` };
}

/** Ends training when a minibatch's score exceeds `max` (DL4J's `MaxScoreIterationTerminationCondition`). */
export function maxScore(max: number): IterationTerminationCondition {
  check('maxScore', max, Number.isFinite(max), 'a finite number');
  return { terminate: (score) => score > max, describe: () => `maxScore(${max})` };
}

/** Ends training when a minibatch's score is NaN or infinite (DL4J's `InvalidScoreIterationTerminationCondition`). */
export function invalidScore(): IterationTerminationCondition {
  return { terminate: (score) => !Number.isFinite(score), describe: () => 'invalidScore(NaN or Inf)' };
}
