import type { BatchSource } from '../data-set';
import { ConfigError, formatValue } from '../errors';
import type { FitResult, IterationInfo, TrainingListener } from '../listener';
import type { FitOptions } from '../fit-loop';
import type { Model } from '../model';
import { sameKind } from '../model';
import type { Network } from '../network';
import type { AnyBatch } from '../training-strategy';
import type { ModelSaver } from './model-saver';
import { InMemoryModelSaver } from './model-saver';
import type { ScoreCalculator } from './score-calculators';
import type { EpochTerminationCondition, IterationTerminationCondition } from './termination';

/** Configuration of {@link fitEarlyStopping}, after DL4J's `EarlyStoppingConfiguration`; `M` is the model trained. */
export interface EarlyStoppingConfig<M extends Model = Network> {
  /** Checked after every epoch; at least one is required (usually `maxEpochs` and `scoreImprovement`). */
  readonly epochConditions: readonly EpochTerminationCondition[];
  /** Checked on the training score every `iterationCheckEvery` iterations. */
  readonly iterationConditions?: readonly IterationTerminationCondition[];
  /** Read the minibatch score for the iteration conditions every N iterations (each read waits for the device). Default 1. */
  readonly iterationCheckEvery?: number;
  /** Scores the model after evaluated epochs. Default: the epoch's mean training score (minimised). */
  readonly scoreCalculator?: ScoreCalculator;
  /** Score the model every N epochs. Default 1. */
  readonly evaluateEveryEpochs?: number;
  /** Where the best model goes. Default {@link InMemoryModelSaver}. */
  readonly modelSaver?: ModelSaver;
  /** Also save the model after every epoch as the latest one. Default false. */
  readonly saveLastModel?: boolean;
  /**
   * What trains each epoch, in place of `network.fit` (for instance a `ParallelTrainer` of
   * `@dl4ts/parallel` built on `network`). It must leave the trained state in `network`.
   */
  readonly trainer?: { fit(data: BatchSource<AnyBatch>, options: FitOptions<M>): Promise<FitResult> };
}

/** Why early stopping ended. `error`: training threw after at least one epoch (the error is in `error`). */
export type TerminationReason = 'epoch-condition' | 'iteration-condition' | 'aborted' | 'error';

/** What {@link fitEarlyStopping} returns. */
export interface EarlyStoppingResult<M extends Model = Network> {
  readonly terminationReason: TerminationReason;
  /** The condition that fired (`scoreImprovement(...)`, `maxEpochs(20)`), the abort reason, or the error message. */
  readonly terminationDetails: string;
  /** Score after every evaluated epoch (1-based epoch count of this run -> score). */
  readonly scoreVsEpoch: ReadonlyMap<number, number>;
  /** Epoch (1-based, counted in this run) whose model scored best; 0 when none was evaluated. */
  readonly bestModelEpoch: number;
  readonly bestModelScore: number;
  /** Epochs completed in this run. */
  readonly totalEpochs: number;
  /** Set when `terminationReason` is `error`. */
  readonly error?: unknown;
  /** Loads the best model from the saver: a new model of the trained one's kind, which the caller disposes. */
  bestModel(): Promise<M>;
}

/**
 * Trains `network` epoch by epoch until a termination condition fires, scoring it after evaluated
 * epochs and saving the best one (DL4J's `EarlyStoppingTrainer`). `network` itself ends in the state
 * of the last epoch run; the best model comes from `result.bestModel()`.
 *
 * Errors thrown before the first epoch completes (bad data, bad config) propagate; later ones end
 * training with reason `error`, keeping the best model so far.
 *
 * @example
 * ```ts
 * const result = await fitEarlyStopping(net, train, {
 *   epochConditions: [maxEpochs(100), scoreImprovement({ patience: 5 })],
 *   iterationConditions: [invalidScore()],
 *   scoreCalculator: lossCalculator(validation),
 * }, { batchSize: 64 });
 * const best = await result.bestModel();
 * ```
 */
export async function fitEarlyStopping<M extends Model>(network: M, data: BatchSource<AnyBatch>, config: EarlyStoppingConfig<M>, fitOptions: Omit<FitOptions<M>, 'epochs'> = {}): Promise<EarlyStoppingResult<M>> {
  if (!Array.isArray(config.epochConditions) || config.epochConditions.length === 0) {
    throw new ConfigError('fitEarlyStopping: epochConditions must list at least one condition (e.g. maxEpochs(100)), or training would never end');
  }
  const checkEvery = config.iterationCheckEvery ?? 1;
  const evaluateEvery = config.evaluateEveryEpochs ?? 1;
  for (const [name, v] of [['iterationCheckEvery', checkEvery], ['evaluateEveryEpochs', evaluateEvery]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new ConfigError(`fitEarlyStopping: ${name} must be a positive integer, received ${formatValue(v)}`);
  }
  const saver = config.modelSaver ?? new InMemoryModelSaver();
  const calculator = config.scoreCalculator;
  const minimize = calculator?.minimize ?? true;
  const iterationConditions = config.iterationConditions ?? [];
  for (const c of [...config.epochConditions, ...iterationConditions]) c.initialize?.();

  let fired: IterationTerminationCondition | undefined;
  const guard: TrainingListener<Model> = {
    async onIterationEnd(info: IterationInfo<Model>) {
      if (iterationConditions.length === 0 || info.iteration % checkEvery !== 0) return;
      const score = await info.score();
      fired = iterationConditions.find((c) => c.terminate(score));
      if (fired !== undefined) info.stop(`iteration condition ${fired.describe()} (minibatch score ${score})`);
    },
  };
  const scoreVsEpoch = new Map<number, number>();
  let bestEpoch = 0;
  let bestScore = Number.NaN;
  let latestScore = Number.NaN;
  let epoch = 0;
  const result = (terminationReason: TerminationReason, terminationDetails: string, error?: unknown): EarlyStoppingResult<M> => ({
    terminationReason,
    terminationDetails,
    scoreVsEpoch,
    bestModelEpoch: bestEpoch,
    bestModelScore: bestScore,
    totalEpochs: epoch,
    ...(error !== undefined && { error }),
    async bestModel() {
      const best = await saver.getBest(network);
      if (best === undefined) throw new ConfigError(`fitEarlyStopping: no best model was saved (training ended with ${terminationReason}: ${terminationDetails} before any epoch was scored)`);
      if (!sameKind(best, network)) throw new ConfigError('fitEarlyStopping: the model saver returned a model of another kind than the one trained (a network for a graph, or the reverse)');
      return best;
    },
  });

  for (;;) {
    let fit;
    try {
      fit = await (config.trainer ?? network).fit(data, { ...fitOptions, epochs: 1, listeners: [guard, ...(fitOptions.listeners ?? [])] });
    } catch (error) {
      if (epoch === 0) throw error;
      return result('error', error instanceof Error ? error.message : String(error), error);
    }
    if (fit.stopReason !== undefined) {
      return fired !== undefined ? result('iteration-condition', fired.describe()) : result('aborted', fit.stopReason);
    }
    epoch++;
    if (epoch % evaluateEvery === 0) {
      latestScore = calculator === undefined ? (fit.meanScores[0] as number) : await calculator.calculate(network);
      scoreVsEpoch.set(epoch, latestScore);
      const better = minimize ? latestScore < bestScore : latestScore > bestScore;
      if (Number.isNaN(bestScore) ? !Number.isNaN(latestScore) : better) {
        bestScore = latestScore;
        bestEpoch = epoch;
        await saver.saveBest(network, latestScore);
      }
    }
    if (config.saveLastModel === true) await saver.saveLatest(network, latestScore);
    const stop = config.epochConditions.find((c) => c.terminate(epoch, latestScore, minimize));
    if (stop !== undefined) return result('epoch-condition', stop.describe());
  }
}
