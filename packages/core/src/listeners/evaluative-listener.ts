import type { BatchSource } from '../data-set';
import type { EvaluateOptions } from '../evaluate';
import { evaluateClassifier, evaluateRegression } from '../evaluate';
import type { Evaluation } from '../evaluation';
import type { EpochInfo, TrainingListener } from '../listener';
import type { RegressionEvaluation } from '../regression-evaluation';
import { checkEvery } from './score-listeners';

/** One evaluation made by {@link EvaluativeListener}. */
export interface EvaluationRecord<E> {
  /** Epochs completed when it was made. */
  readonly epoch: number;
  readonly iteration: number;
  readonly evaluation: E;
}

/** Options of {@link EvaluativeListener}. */
export interface EvaluativeListenerOptions<K extends 'classification' | 'regression'> extends EvaluateOptions {
  /** Held-out data, walked in order in inference mode. */
  readonly data: BatchSource;
  /** Evaluate every N epochs. Default 1. */
  readonly every?: number;
  /** `classification` (default): {@link Evaluation}; `regression`: {@link RegressionEvaluation}. */
  readonly kind?: K;
  /** Called with every evaluation; default: log one line (accuracy and F1, or MSE and R²). */
  readonly onEvaluation?: (record: EvaluationRecord<EvaluationOf<K>>) => void | Promise<void>;
}

/** The evaluation class for a kind. */
export type EvaluationOf<K> = K extends 'regression' ? RegressionEvaluation : Evaluation;

/**
 * Evaluates the network on held-out data every N epochs (DL4J's `EvaluativeListener`) and keeps
 * every result in `records`.
 *
 * @example
 * ```ts
 * const evaluator = new EvaluativeListener({ data: test, every: 2 });
 * await net.fit(train, { epochs: 10, listeners: [evaluator] });
 * console.log(evaluator.records.map((r) => r.evaluation.accuracy()));
 * ```
 */
export class EvaluativeListener<K extends 'classification' | 'regression' = 'classification'> implements TrainingListener {
  readonly records: EvaluationRecord<EvaluationOf<K>>[] = [];
  private readonly every: number;

  constructor(private readonly options: EvaluativeListenerOptions<K>) {
    this.every = checkEvery('EvaluativeListener', options.every ?? 1);
  }

  async onEpochEnd(info: EpochInfo): Promise<void> {
    if (info.epoch % this.every !== 0) return;
    const evaluation = (this.options.kind === 'regression'
      ? await evaluateRegression(info.network, this.options.data, this.options)
      : await evaluateClassifier(info.network, this.options.data, this.options)) as EvaluationOf<K>;
    const record = { epoch: info.epoch, iteration: info.iteration, evaluation };
    this.records.push(record);
    if (this.options.onEvaluation !== undefined) {
      await this.options.onEvaluation(record);
      return;
    }
    const e = evaluation as Evaluation | RegressionEvaluation;
    const summary = 'accuracy' in e ? `accuracy ${e.accuracy().toFixed(4)}, F1 ${e.f1().toFixed(4)}` : `MSE ${e.meanSquaredError().toPrecision(4)}, R² ${e.rSquared().toFixed(4)}`;
    console.log(`evaluation after epoch ${info.epoch}: ${summary}`);
  }
}
