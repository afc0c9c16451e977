import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, ValueError, formatShape } from './errors';

/**
 * Classification evaluation accumulated over batches: a confusion matrix with accuracy.
 *
 * @example
 * ```ts
 * const ev = new Evaluation(3);
 * await ev.eval(labels, net.output(features));
 * ev.accuracy();
 * ```
 */
export class Evaluation {
  /** `confusion[actual][predicted]` counts. */
  readonly confusion: number[][];

  constructor(readonly numClasses: number) {
    if (!Number.isInteger(numClasses) || numClasses < 2) throw new ValueError(`Evaluation: numClasses must be an integer >= 2, received ${numClasses}`);
    this.confusion = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  }

  /** Adds a batch: one-hot (or probability) labels and network outputs, both `[n, numClasses]`. */
  async eval(labels: tf.Tensor, outputs: tf.Tensor): Promise<this> {
    for (const [name, t] of [['labels', labels], ['outputs', outputs]] as const) {
      if (t.rank !== 2 || t.shape[1] !== this.numClasses) {
        throw new ShapeError(`Evaluation: ${name} have shape ${formatShape(t.shape)}, expected [n, ${this.numClasses}]`, t.shape, [-1, this.numClasses]);
      }
    }
    const [actual, predicted] = tf.tidy(() => [tf.argMax(labels, 1), tf.argMax(outputs, 1)]) as [tf.Tensor, tf.Tensor];
    const [a, p] = await Promise.all([actual.data(), predicted.data()]);
    actual.dispose();
    predicted.dispose();
    for (let i = 0; i < a.length; i++) (this.confusion[a[i] as number] as number[])[p[i] as number]! += 1;
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
    for (let c = 0; c < this.numClasses; c++) correct += (this.confusion[c] as number[])[c] as number;
    return correct / total;
  }

  /** The confusion matrix as an aligned text table (rows: actual, columns: predicted). */
  confusionTable(): string {
    const width = Math.max(3, ...this.confusion.flat().map((v) => String(v).length));
    const label = `actual ${this.numClasses - 1}`.length + 1;
    const head = ' '.repeat(label) + Array.from({ length: this.numClasses }, (_, i) => String(i).padStart(width)).join(' ');
    const rows = this.confusion.map((row, i) => `actual ${i}`.padEnd(label) + row.map((v) => String(v).padStart(width)).join(' '));
    return [`predicted ->`, head, ...rows].join('\n');
  }
}
