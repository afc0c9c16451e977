import type { BatchSource } from '../data-set';
import type { AnyBatch } from '../training-strategy';
import type { EvaluateOptions, OutputChoice } from '../evaluate';
import { evaluateClassifier, evaluateRegression, heldOutScore } from '../evaluate';
import { ConfigError } from '../errors';
import type { Model } from '../model';

/** Scores a model (a network or a graph) for early stopping (DL4J's `ScoreCalculator`). */
export interface ScoreCalculator {
  /** True when lower is better (a loss, an error); false for accuracy, F1, R². */
  readonly minimize: boolean;
  /** `loss`, `accuracy`, `mse`... for messages and results. */
  readonly name: string;
  calculate(model: Model): Promise<number>;
}

/** The network's score (mean loss plus penalties) on held-out data; lower is better (DL4J's `DataSetLossCalculator`). */
export function lossCalculator(data: BatchSource<AnyBatch>, options: EvaluateOptions = {}): ScoreCalculator {
  return { minimize: true, name: 'loss', calculate: (network) => heldOutScore(network, data, options) };
}

/** Classification metrics for {@link classificationCalculator}; all macro-averaged except accuracy. */
export type ClassificationMetric = 'accuracy' | 'f1' | 'precision' | 'recall' | 'mcc';

/** A classification metric on held-out data; higher is better (DL4J's `ClassificationScoreCalculator`). */
export function classificationCalculator(data: BatchSource<AnyBatch>, metric: ClassificationMetric = 'accuracy', options: EvaluateOptions & OutputChoice = {}): ScoreCalculator {
  const metrics: Record<ClassificationMetric, true> = { accuracy: true, f1: true, precision: true, recall: true, mcc: true };
  if (!(metric in metrics)) throw new ConfigError(`classificationCalculator: unknown metric ${JSON.stringify(metric)}; expected one of ${Object.keys(metrics).join(', ')}`);
  return {
    minimize: false,
    name: metric,
    async calculate(network) {
      const e = await evaluateClassifier(network, data, options);
      switch (metric) {
        case 'accuracy':
          return e.accuracy();
        case 'f1':
          return e.f1();
        case 'precision':
          return e.precision();
        case 'recall':
          return e.recall();
        case 'mcc':
          return e.matthewsCorrelation();
      }
    },
  };
}

/** Regression metrics for {@link regressionCalculator}, averaged over output columns. */
export type RegressionMetric = 'mse' | 'mae' | 'rmse' | 'rse' | 'r2' | 'pearson';

/** A regression metric on held-out data; errors are minimised, R² and correlation maximised (DL4J's `RegressionScoreCalculator`). */
export function regressionCalculator(data: BatchSource<AnyBatch>, metric: RegressionMetric = 'mse', options: EvaluateOptions & OutputChoice = {}): ScoreCalculator {
  const read = {
    mse: (e) => e.meanSquaredError(),
    mae: (e) => e.meanAbsoluteError(),
    rmse: (e) => e.rootMeanSquaredError(),
    rse: (e) => e.relativeSquaredError(),
    r2: (e) => e.rSquared(),
    pearson: (e) => e.pearsonCorrelation(),
  } satisfies Record<RegressionMetric, (e: Awaited<ReturnType<typeof evaluateRegression>>) => number>;
  if (!(metric in read)) throw new ConfigError(`regressionCalculator: unknown metric ${JSON.stringify(metric)}; expected one of ${Object.keys(read).join(', ')}`);
  return {
    minimize: metric !== 'r2' && metric !== 'pearson',
    name: metric,
    calculate: async (network) => read[metric](await evaluateRegression(network, data, options)),
  };
}
