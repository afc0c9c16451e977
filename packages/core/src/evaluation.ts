import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError, ValueError, formatShape, formatValue } from './errors';

/** Options of {@link Evaluation}. */
export interface EvaluationOptions {
  /** Also count top-N accuracy: the actual class is among the N highest outputs. Default 1. */
  readonly topN?: number;
  /** Class names, used by `stats()` and `confusionTable()`; one per class. */
  readonly labels?: readonly string[];
}

/** How per-class metrics are combined: the mean over classes, or computed from summed counts. */
export type Averaging = 'macro' | 'micro';

/**
 * Classification evaluation accumulated over batches: the confusion matrix and the metrics
 * computed from it (accuracy, precision, recall, F1, Matthews correlation, top-N accuracy).
 * For class c: precision = TP / (TP + FP), recall = TP / (TP + FN), F1 = 2PR / (P + R).
 * A per-class metric whose denominator is 0 is NaN, and macro averages leave such classes out
 * (as DL4J does); micro averages use the summed counts (equal to accuracy for single-label data).
 *
 * @example
 * ```ts
 * const ev = new Evaluation(3, { topN: 2, labels: ['setosa', 'versicolor', 'virginica'] });
 * await ev.eval(labels, net.output(features));
 * console.log(ev.accuracy(), ev.f1(), ev.precision(0), ev.recall('micro'));
 * console.log(ev.stats());
 * ```
 */
export class Evaluation {
  /** `confusion[actual][predicted]` counts. */
  readonly confusion: number[][];
  readonly topN: number;
  readonly labels: readonly string[] | undefined;
  private topNCorrect = 0;

  constructor(
    readonly numClasses: number,
    options: EvaluationOptions = {},
  ) {
    if (!Number.isInteger(numClasses) || numClasses < 2) throw new ValueError(`Evaluation: numClasses must be an integer >= 2, received ${formatValue(numClasses)}`);
    const topN = options.topN ?? 1;
    if (!Number.isInteger(topN) || topN < 1 || topN > numClasses) throw new ConfigError(`Evaluation: topN must be an integer in [1, ${numClasses}], received ${formatValue(topN)}`);
    if (options.labels !== undefined && options.labels.length !== numClasses) {
      throw new ConfigError(`Evaluation: received ${options.labels.length} class labels for ${numClasses} classes; expected one per class`);
    }
    this.topN = topN;
    this.labels = options.labels && [...options.labels];
    this.confusion = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  }

  /**
   * Adds a batch. `labels` are one-hot (or probability) rows `[n, numClasses]` or class indices
   * `[n]`; `outputs` are `[n, numClasses]`. The predicted class is the arg-max output. With two
   * classes, labels and outputs may also be one column `[n, 1]` (a sigmoid output, DL4J's binary
   * case): class 1 where the value is at least 0.5.
   */
  async eval(labels: tf.Tensor, outputs: tf.Tensor): Promise<this> {
    const k = this.numClasses;
    const binary = k === 2 && labels.rank === 2 && labels.shape[1] === 1 && outputs.rank === 2 && outputs.shape[1] === 1;
    if (binary) {
      if (this.topN > 1) throw new ConfigError('Evaluation: topN does not apply to one-column binary outputs');
      const twoColumns = (t: tf.Tensor) => {
        const one = tf.cast(tf.greaterEqual(t, 0.5), 'float32');
        return tf.concat([tf.sub(1, one), one], 1);
      };
      const [asLabels, asOutputs] = tf.tidy(() => [twoColumns(labels), twoColumns(outputs)]);
      try {
        return await this.eval(asLabels as tf.Tensor, asOutputs as tf.Tensor);
      } finally {
        tf.dispose([asLabels as tf.Tensor, asOutputs as tf.Tensor]);
      }
    }
    const checks: [string, tf.Tensor][] = labels.rank === 1 ? [['outputs', outputs]] : [['labels', labels], ['outputs', outputs]];
    for (const [name, t] of checks) {
      if (t.rank !== 2 || t.shape[1] !== k) throw new ShapeError(`Evaluation: ${name} have shape ${formatShape(t.shape)}, expected [n, ${k}]`, t.shape, [-1, k]);
    }
    if (labels.shape[0] !== outputs.shape[0]) {
      throw new ShapeError(`Evaluation: labels have ${labels.shape[0]} rows but outputs have ${outputs.shape[0]}; expected the same number of examples`, [outputs.shape[0] as number], [labels.shape[0] as number]);
    }
    const [actual, predicted] = tf.tidy(() => [labels.rank === 1 ? tf.cast(labels, 'int32') : tf.argMax(labels, 1), tf.argMax(outputs, 1)]) as [tf.Tensor, tf.Tensor];
    const [a, p, o] = await Promise.all([actual.data(), predicted.data(), this.topN > 1 ? outputs.data() : undefined]);
    tf.dispose([actual, predicted]);
    for (let i = 0; i < a.length; i++) {
      const c = a[i] as number;
      if (!(c >= 0 && c < k)) throw new ValueError(`Evaluation: label ${c} at row ${i} is not a class index; expected an integer in [0, ${k - 1}]`);
    }
    for (let i = 0; i < a.length; i++) {
      const c = a[i] as number;
      (this.confusion[c] as number[])[p[i] as number]! += 1;
      if (o !== undefined && rankOf(o, i * k, k, c) < this.topN) this.topNCorrect++;
    }
    return this;
  }

  /** Adds another evaluation's counts (same number of classes and topN) to this one. */
  merge(other: Evaluation): this {
    if (other.numClasses !== this.numClasses || other.topN !== this.topN) {
      throw new ConfigError(`Evaluation.merge: other has ${other.numClasses} classes and topN ${other.topN}; expected ${this.numClasses} and ${this.topN}`);
    }
    other.confusion.forEach((row, i) => row.forEach((v, j) => ((this.confusion[i] as number[])[j]! += v)));
    this.topNCorrect += other.topNCorrect;
    return this;
  }

  /** Number of examples seen. */
  count(): number {
    return this.confusion.reduce((s, row) => s + row.reduce((x, y) => x + y, 0), 0);
  }

  /** Fraction of examples whose arg-max output equals the arg-max label. */
  accuracy(): number {
    const total = this.count();
    if (total === 0) return Number.NaN;
    let correct = 0;
    for (let c = 0; c < this.numClasses; c++) correct += this.truePositives(c);
    return correct / total;
  }

  /** Fraction of examples whose actual class is among the `topN` highest outputs (ties: lower index first). */
  topNAccuracy(): number {
    if (this.topN === 1) return this.accuracy();
    const total = this.count();
    return total === 0 ? Number.NaN : this.topNCorrect / total;
  }

  /** Examples of class `c` predicted as `c`. */
  truePositives(c: number): number {
    return (this.row(c)[c] as number);
  }

  /** Examples of another class predicted as `c`. */
  falsePositives(c: number): number {
    this.row(c);
    return this.confusion.reduce((s, row) => s + (row[c] as number), 0) - this.truePositives(c);
  }

  /** Examples of class `c` predicted as another class. */
  falseNegatives(c: number): number {
    return this.row(c).reduce((s, v) => s + v, 0) - this.truePositives(c);
  }

  /** Examples neither of class `c` nor predicted as `c`. */
  trueNegatives(c: number): number {
    return this.count() - this.truePositives(c) - this.falsePositives(c) - this.falseNegatives(c);
  }

  /** Precision of class `c`, or averaged over classes (default macro). */
  precision(of: number | Averaging = 'macro'): number {
    return this.metric(of, (c) => ratio(this.truePositives(c), this.truePositives(c) + this.falsePositives(c)), () => this.summed('falsePositives'));
  }

  /** Recall of class `c`, or averaged over classes (default macro). */
  recall(of: number | Averaging = 'macro'): number {
    return this.metric(of, (c) => ratio(this.truePositives(c), this.truePositives(c) + this.falseNegatives(c)), () => this.summed('falseNegatives'));
  }

  /** F1 of class `c`; macro: the mean of the per-class F1 values; micro: F1 of micro precision and recall. */
  f1(of: number | Averaging = 'macro'): number {
    if (of === 'micro') return harmonic(this.precision('micro'), this.recall('micro'));
    return this.metric(of, (c) => harmonic(this.precision(c), this.recall(c)), () => Number.NaN);
  }

  /**
   * Matthews correlation. Without a class: the multi-class form (Gorodkin 2004), with t_k the
   * true and p_k the predicted count of class k, c the correct and s all examples:
   * `(c*s - sum p_k t_k) / sqrt((s^2 - sum p_k^2) (s^2 - sum t_k^2))`. With a class: the binary
   * one-vs-rest `(TP*TN - FP*FN) / sqrt((TP+FP)(TP+FN)(TN+FP)(TN+FN))`. A zero denominator
   * gives 0 (as scikit-learn); no examples give NaN.
   */
  matthewsCorrelation(c?: number): number {
    const s = this.count();
    if (s === 0) return Number.NaN;
    if (c !== undefined) {
      const [tp, fp, fn, tn] = [this.truePositives(c), this.falsePositives(c), this.falseNegatives(c), this.trueNegatives(c)];
      const d = Math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn));
      return d === 0 ? 0 : (tp * tn - fp * fn) / d;
    }
    let correct = 0;
    let pt = 0;
    let pp = 0;
    let tt = 0;
    for (let k = 0; k < this.numClasses; k++) {
      const t = this.truePositives(k) + this.falseNegatives(k);
      const p = this.truePositives(k) + this.falsePositives(k);
      correct += this.truePositives(k);
      pt += p * t;
      pp += p * p;
      tt += t * t;
    }
    const d = Math.sqrt((s * s - pp) * (s * s - tt));
    return d === 0 ? 0 : (correct * s - pt) / d;
  }

  /** Name of class `c`: its label if given, else its index. */
  className(c: number): string {
    return this.labels?.[c] ?? String(c);
  }

  /** The confusion matrix as an aligned text table (rows: actual, columns: predicted). */
  confusionTable(): string {
    const names = Array.from({ length: this.numClasses }, (_, i) => this.className(i));
    const width = Math.max(3, ...this.confusion.flat().map((v) => String(v).length), ...names.map((n) => n.length));
    const label = Math.max(...names.map((n) => `actual ${n}`.length)) + 1;
    const head = ' '.repeat(label) + names.map((n) => n.padStart(width)).join(' ');
    const rows = this.confusion.map((row, i) => `actual ${names[i]}`.padEnd(label) + row.map((v) => String(v).padStart(width)).join(' '));
    return [`predicted ->`, head, ...rows].join('\n');
  }

  /** A report in the spirit of DL4J's `stats()`: averaged metrics, per-class metrics, confusion matrix. */
  stats(): string {
    const f = (v: number): string => (Number.isNaN(v) ? 'NaN' : v.toFixed(4));
    const k = this.numClasses;
    const lines = [
      '========================Evaluation Metrics========================',
      ` # of classes:    ${k}`,
      ` # of examples:   ${this.count()}`,
      ` Accuracy:        ${f(this.accuracy())}`,
      ` Precision:       ${f(this.precision())}`,
      ` Recall:          ${f(this.recall())}`,
      ` F1 Score:        ${f(this.f1())}`,
      ` MCC:             ${f(this.matthewsCorrelation())}`,
    ];
    if (this.topN > 1) lines.push(` Top-${this.topN} Accuracy:  ${f(this.topNAccuracy())}`);
    lines.push(`Precision, recall & F1: macro-averaged (equally weighted avg. of ${k} classes)`);
    const neverPredicted = range(k).filter((c) => this.truePositives(c) + this.falsePositives(c) === 0);
    const neverActual = range(k).filter((c) => this.truePositives(c) + this.falseNegatives(c) === 0);
    if (neverPredicted.length > 0) lines.push(`Warning: ${neverPredicted.length} class(es) never predicted, left out of average precision: ${neverPredicted.map((c) => this.className(c)).join(', ')}`);
    if (neverActual.length > 0) lines.push(`Warning: ${neverActual.length} class(es) absent from the labels, left out of average recall: ${neverActual.map((c) => this.className(c)).join(', ')}`);
    const names = range(k).map((c) => this.className(c));
    const w = Math.max(5, ...names.map((n) => n.length));
    lines.push('', '=========================Per-class Metrics========================');
    lines.push(` ${'class'.padEnd(w)}  precision  recall     F1         MCC        examples`);
    for (let c = 0; c < k; c++) {
      const cells = [this.precision(c), this.recall(c), this.f1(c), this.matthewsCorrelation(c)].map((v) => f(v).padEnd(9));
      lines.push(` ${(names[c] as string).padEnd(w)}  ${cells.join('  ')}  ${this.truePositives(c) + this.falseNegatives(c)}`);
    }
    lines.push('', '=========================Confusion Matrix=========================', this.confusionTable(), '');
    lines.push('Confusion matrix format: actual (row) predicted as (column) N times');
    lines.push('==================================================================');
    return lines.join('\n');
  }

  private row(c: number): number[] {
    const row = Number.isInteger(c) ? this.confusion[c] : undefined;
    if (row === undefined) throw new ValueError(`Evaluation: class ${c} is out of range; expected an integer in [0, ${this.numClasses - 1}]`);
    return row;
  }

  private summed(errors: 'falsePositives' | 'falseNegatives'): number {
    let tp = 0;
    let wrong = 0;
    for (let c = 0; c < this.numClasses; c++) {
      tp += this.truePositives(c);
      wrong += this[errors](c);
    }
    return ratio(tp, tp + wrong);
  }

  private metric(of: number | Averaging, perClass: (c: number) => number, micro: () => number): number {
    if (typeof of === 'number') return perClass(of);
    if (of === 'micro') return micro();
    if (of !== 'macro') throw new ValueError(`Evaluation: averaging is ${JSON.stringify(of)}; expected a class index, 'macro' or 'micro'`);
    const defined = range(this.numClasses).map(perClass).filter((v) => !Number.isNaN(v));
    return defined.length === 0 ? Number.NaN : defined.reduce((s, v) => s + v, 0) / defined.length;
  }
}

/** Position of class `c` when row `at..at+k` of `o` is sorted by descending output, ties by index. */
function rankOf(o: ArrayLike<number>, at: number, k: number, c: number): number {
  const v = o[at + c] as number;
  let rank = 0;
  for (let j = 0; j < k; j++) {
    const u = o[at + j] as number;
    if (u > v || (u === v && j < c)) rank++;
  }
  return rank;
}

function ratio(a: number, b: number): number {
  return b === 0 ? Number.NaN : a / b;
}

function harmonic(p: number, r: number): number {
  if (Number.isNaN(p) || Number.isNaN(r)) return Number.NaN;
  return p + r === 0 ? 0 : (2 * p * r) / (p + r);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
