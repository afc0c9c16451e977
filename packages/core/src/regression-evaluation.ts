import type * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError, ValueError, formatShape } from './errors';

/** Per-column running sums, updated one example at a time (Welford) in float64. */
interface ColumnAccumulator {
  n: number;
  meanLabel: number;
  meanOutput: number;
  /** Sum of squared deviations of the labels from their mean. */
  m2Label: number;
  m2Output: number;
  /** Sum of (label - mean label) * (output - mean output). */
  coMoment: number;
  sumSquaredError: number;
  sumAbsoluteError: number;
}

/**
 * Regression evaluation accumulated over batches, per output column: mean squared error, mean
 * absolute error, root mean squared error, relative squared error, Pearson correlation and R^2.
 * With y the labels, p the outputs and n the examples:
 * `MSE = sum (y - p)^2 / n`, `MAE = sum |y - p| / n`, `RMSE = sqrt(MSE)`,
 * `RSE = sum (y - p)^2 / sum (y - mean y)^2`, `R^2 = 1 - RSE`. A metric asked without a column
 * is the mean over columns. Columns whose labels are constant have NaN RSE, R^2 and correlation.
 *
 * @example
 * ```ts
 * const ev = new RegressionEvaluation(['price', 'volume']);
 * await ev.eval(labels, net.output(features));
 * ev.meanSquaredError(0); ev.rSquared(); console.log(ev.stats());
 * ```
 */
export class RegressionEvaluation {
  readonly columns: number;
  readonly names: readonly string[];
  private readonly acc: ColumnAccumulator[];

  /** `columns`: the number of output columns, or their names. */
  constructor(columns: number | readonly string[]) {
    const count = typeof columns === 'number' ? columns : columns.length;
    if (!Number.isInteger(count) || count < 1) throw new ConfigError(`RegressionEvaluation: columns must be a positive integer or a non-empty name list, received ${JSON.stringify(columns)}`);
    this.columns = count;
    this.names = typeof columns === 'number' ? Array.from({ length: count }, (_, i) => `col_${i}`) : [...columns];
    this.acc = Array.from({ length: count }, () => ({ n: 0, meanLabel: 0, meanOutput: 0, m2Label: 0, m2Output: 0, coMoment: 0, sumSquaredError: 0, sumAbsoluteError: 0 }));
  }

  /** Adds a batch of labels and outputs, both `[n, columns]` (or `[n]` for one column). */
  async eval(labels: tf.Tensor, outputs: tf.Tensor): Promise<this> {
    const c = this.columns;
    for (const [name, t] of [['labels', labels], ['outputs', outputs]] as const) {
      const ok = (t.rank === 2 && t.shape[1] === c) || (t.rank === 1 && c === 1);
      if (!ok) throw new ShapeError(`RegressionEvaluation: ${name} have shape ${formatShape(t.shape)}, expected [n, ${c}]`, t.shape, [-1, c]);
    }
    if (labels.shape[0] !== outputs.shape[0]) {
      throw new ShapeError(`RegressionEvaluation: labels have ${labels.shape[0]} rows but outputs have ${outputs.shape[0]}; expected the same number of examples`, [outputs.shape[0] as number], [labels.shape[0] as number]);
    }
    const [y, p] = await Promise.all([labels.data(), outputs.data()]);
    for (let i = 0; i < y.length; i++) {
      const a = this.acc[i % c] as ColumnAccumulator;
      const label = y[i] as number;
      const output = p[i] as number;
      a.n++;
      const dLabel = label - a.meanLabel;
      const dOutput = output - a.meanOutput;
      a.meanLabel += dLabel / a.n;
      a.meanOutput += dOutput / a.n;
      a.m2Label += dLabel * (label - a.meanLabel);
      a.m2Output += dOutput * (output - a.meanOutput);
      a.coMoment += dLabel * (output - a.meanOutput);
      a.sumSquaredError += (label - output) ** 2;
      a.sumAbsoluteError += Math.abs(label - output);
    }
    return this;
  }

  /** Number of examples seen. */
  count(): number {
    return (this.acc[0] as ColumnAccumulator).n;
  }

  /** Mean squared error of `column`, or the mean over columns. */
  meanSquaredError(column?: number): number {
    return this.metric(column, (a) => a.sumSquaredError / a.n);
  }

  /** Mean absolute error of `column`, or the mean over columns. */
  meanAbsoluteError(column?: number): number {
    return this.metric(column, (a) => a.sumAbsoluteError / a.n);
  }

  /** Root mean squared error of `column`, or the mean of the per-column values. */
  rootMeanSquaredError(column?: number): number {
    return this.metric(column, (a) => Math.sqrt(a.sumSquaredError / a.n));
  }

  /** Relative squared error `SSE / sum (y - mean y)^2` of `column`, or the mean over columns. */
  relativeSquaredError(column?: number): number {
    return this.metric(column, (a) => (a.m2Label === 0 ? Number.NaN : a.sumSquaredError / a.m2Label));
  }

  /** Coefficient of determination `1 - SSE / sum (y - mean y)^2` of `column`, or the mean over columns. */
  rSquared(column?: number): number {
    return this.metric(column, (a) => (a.m2Label === 0 ? Number.NaN : 1 - a.sumSquaredError / a.m2Label));
  }

  /** Pearson correlation of labels and outputs in `column`, or the mean over columns. */
  pearsonCorrelation(column?: number): number {
    return this.metric(column, (a) => {
      const d = Math.sqrt(a.m2Label * a.m2Output);
      return d === 0 ? Number.NaN : a.coMoment / d;
    });
  }

  /** A table of every metric per column, DL4J style. */
  stats(): string {
    const f = (v: number): string => (Number.isNaN(v) ? 'NaN' : v.toExponential(5)).padEnd(13);
    const w = Math.max(6, ...this.names.map((n) => n.length));
    const lines = [`${'Column'.padEnd(w)}  ${['MSE', 'MAE', 'RMSE', 'RSE', 'PC', 'R^2'].map((h) => h.padEnd(13)).join('')}`.trimEnd()];
    for (let c = 0; c < this.columns; c++) {
      const values = [this.meanSquaredError(c), this.meanAbsoluteError(c), this.rootMeanSquaredError(c), this.relativeSquaredError(c), this.pearsonCorrelation(c), this.rSquared(c)];
      lines.push(`${(this.names[c] as string).padEnd(w)}  ${values.map(f).join('')}`.trimEnd());
    }
    if (this.columns > 1) {
      const means = [this.meanSquaredError(), this.meanAbsoluteError(), this.rootMeanSquaredError(), this.relativeSquaredError(), this.pearsonCorrelation(), this.rSquared()];
      lines.push(`${'mean'.padEnd(w)}  ${means.map(f).join('')}`.trimEnd());
    }
    return lines.join('\n');
  }

  private metric(column: number | undefined, of: (a: ColumnAccumulator) => number): number {
    if (column !== undefined) {
      const a = Number.isInteger(column) ? this.acc[column] : undefined;
      if (a === undefined) throw new ValueError(`RegressionEvaluation: column ${column} is out of range; expected an integer in [0, ${this.columns - 1}]`);
      return a.n === 0 ? Number.NaN : of(a);
    }
    if (this.count() === 0) return Number.NaN;
    return this.acc.reduce((s, a) => s + of(a), 0) / this.columns;
  }
}
