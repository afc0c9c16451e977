import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ShapeError } from './errors';
import { Evaluation } from './evaluation';

describe('Evaluation', () => {
  it('counts the confusion matrix and accuracy from arg-max labels and outputs', async () => {
    // actual:    0 0 1 2 2 2
    // predicted: 0 1 1 2 0 2  -> 4 of 6 correct
    const labels = tf.oneHot(tf.tensor1d([0, 0, 1, 2, 2, 2], 'int32'), 3);
    const outputs = tf.tensor2d([
      [0.8, 0.1, 0.1],
      [0.2, 0.7, 0.1],
      [0.1, 0.6, 0.3],
      [0.1, 0.2, 0.7],
      [0.5, 0.2, 0.3],
      [0.3, 0.3, 0.4],
    ]);
    const ev = await new Evaluation(3).eval(labels, outputs);
    expect(ev.confusion).toEqual([
      [1, 1, 0],
      [0, 1, 0],
      [1, 0, 2],
    ]);
    expect(ev.accuracy()).toBeCloseTo(4 / 6, 12);
    expect(ev.count()).toBe(6);
    expect(ev.confusionTable().split('\n')).toEqual(['predicted ->', '           0   1   2', 'actual 0   1   1   0', 'actual 1   0   1   0', 'actual 2   1   0   2']);
    tf.dispose([labels, outputs]);
  });

  it('rejects outputs of the wrong width', async () => {
    const labels = tf.zeros([2, 3]);
    await expect(new Evaluation(4).eval(labels, labels)).rejects.toThrow(ShapeError);
    await expect(new Evaluation(4).eval(labels, labels)).rejects.toThrow('labels have shape [2, 3], expected [n, 4]');
    labels.dispose();
  });

  it('counts one-column binary outputs as two classes, class 1 from 0.5 up (DL4J binary case)', async () => {
    const labels = tf.tensor2d([[1], [0], [1], [0], [1]]);
    const outputs = tf.tensor2d([[0.9], [0.2], [0.4], [0.5], [0.5]]);
    const ev = await new Evaluation(2).eval(labels, outputs);
    // actual 0: predicted 0 once (0.2), 1 once (0.5); actual 1: predicted 1 twice (0.9, 0.5), 0 once (0.4).
    expect(ev.confusion).toEqual([
      [1, 1],
      [1, 2],
    ]);
    expect(ev.accuracy()).toBeCloseTo(3 / 5, 12);
    tf.dispose([labels, outputs]);
  });
});

/** Reference metrics computed straight from a confusion matrix in float64. */
function reference(m: number[][]) {
  const k = m.length;
  const total = m.flat().reduce((a, b) => a + b, 0);
  const tp = m.map((row, c) => row[c] as number);
  const actual = m.map((row) => row.reduce((a, b) => a + b, 0));
  const predicted = m[0]!.map((_, c) => m.reduce((s, row) => s + (row[c] as number), 0));
  const precision = tp.map((t, c) => t / (predicted[c] as number));
  const recall = tp.map((t, c) => t / (actual[c] as number));
  const f1 = precision.map((p, c) => (2 * p * (recall[c] as number)) / (p + (recall[c] as number)));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const correct = tp.reduce((a, b) => a + b, 0);
  let pt = 0;
  let pp = 0;
  let tt = 0;
  for (let c = 0; c < k; c++) {
    pt += (predicted[c] as number) * (actual[c] as number);
    pp += (predicted[c] as number) ** 2;
    tt += (actual[c] as number) ** 2;
  }
  const mcc = (correct * total - pt) / Math.sqrt((total ** 2 - pp) * (total ** 2 - tt));
  const binaryMcc = tp.map((t, c) => {
    const fp = (predicted[c] as number) - t;
    const fn = (actual[c] as number) - t;
    const tn = total - t - fp - fn;
    return (t * tn - fp * fn) / Math.sqrt((t + fp) * (t + fn) * (tn + fp) * (tn + fn));
  });
  return { total, precision, recall, f1, macro: { precision: mean(precision), recall: mean(recall), f1: mean(f1) }, micro: correct / total, mcc, binaryMcc };
}

/** Labels (class indices) and one-hot-ish outputs that reproduce confusion matrix `m` exactly. */
function batchFor(m: number[][]): { labels: tf.Tensor2D; outputs: tf.Tensor2D } {
  const k = m.length;
  const actual: number[] = [];
  const outputs: number[][] = [];
  m.forEach((row, a) =>
    row.forEach((count, p) => {
      for (let i = 0; i < count; i++) {
        actual.push(a);
        // The predicted class gets 0.6; the actual class (if another) is second with 0.3.
        outputs.push(Array.from({ length: k }, (_, j) => (j === p ? 0.6 : j === a ? 0.3 : 0.1 / k)));
      }
    }),
  );
  return { labels: tf.oneHot(tf.tensor1d(actual, 'int32'), k) as tf.Tensor2D, outputs: tf.tensor2d(outputs) };
}

describe('Evaluation metrics', () => {
  const m = [
    [50, 3, 2, 0],
    [4, 40, 6, 2],
    [1, 7, 30, 5],
    [0, 1, 9, 25],
  ];

  it('computes per-class, macro and micro precision, recall and F1 and the MCC from the counts', async () => {
    const { labels, outputs } = batchFor(m);
    const ev = await new Evaluation(4).eval(labels, outputs);
    const ref = reference(m);
    expect(ev.confusion).toEqual(m);
    expect(ev.count()).toBe(ref.total);
    for (let c = 0; c < 4; c++) {
      expect(ev.precision(c)).toBeCloseTo(ref.precision[c] as number, 14);
      expect(ev.recall(c)).toBeCloseTo(ref.recall[c] as number, 14);
      expect(ev.f1(c)).toBeCloseTo(ref.f1[c] as number, 14);
      expect(ev.matthewsCorrelation(c)).toBeCloseTo(ref.binaryMcc[c] as number, 14);
    }
    expect(ev.truePositives(1)).toBe(40);
    expect(ev.falsePositives(1)).toBe(3 + 7 + 1);
    expect(ev.falseNegatives(1)).toBe(4 + 6 + 2);
    expect(ev.trueNegatives(1)).toBe(ref.total - 40 - 11 - 12);
    expect(ev.precision()).toBeCloseTo(ref.macro.precision, 14);
    expect(ev.recall('macro')).toBeCloseTo(ref.macro.recall, 14);
    expect(ev.f1()).toBeCloseTo(ref.macro.f1, 14);
    for (const metric of [ev.precision('micro'), ev.recall('micro'), ev.f1('micro')]) expect(metric).toBeCloseTo(ref.micro, 14);
    expect(ev.accuracy()).toBeCloseTo(ref.micro, 14);
    expect(ev.matthewsCorrelation()).toBeCloseTo(ref.mcc, 14);
    tf.dispose([labels, outputs]);
  });

  it('agrees with the binary MCC for two classes, and gives 0 or NaN in degenerate cases', async () => {
    const two = [
      [6, 2],
      [1, 3],
    ];
    const { labels, outputs } = batchFor(two);
    const ev = await new Evaluation(2).eval(labels, outputs);
    const binary = (6 * 3 - 2 * 1) / Math.sqrt((6 + 1) * (6 + 2) * (3 + 2) * (3 + 1));
    expect(ev.matthewsCorrelation()).toBeCloseTo(binary, 14);
    expect(ev.matthewsCorrelation(0)).toBeCloseTo(binary, 14);
    const empty = new Evaluation(3);
    expect(empty.matthewsCorrelation()).toBeNaN();
    expect(empty.precision()).toBeNaN();
    // Everything predicted as class 0: MCC's denominator is 0.
    const constant = batchFor([
      [2, 0],
      [3, 0],
    ]);
    const flat = await new Evaluation(2).eval(constant.labels, constant.outputs);
    expect(flat.matthewsCorrelation()).toBe(0);
    tf.dispose([labels, outputs, constant.labels, constant.outputs]);
  });

  it('leaves classes that were never predicted out of the macro precision, as DL4J does', async () => {
    const never = [
      [3, 1, 0],
      [1, 2, 0],
      [1, 1, 0],
    ];
    const { labels, outputs } = batchFor(never);
    const ev = await new Evaluation(3).eval(labels, outputs);
    expect(ev.precision(2)).toBeNaN();
    expect(ev.recall(2)).toBe(0);
    expect(ev.f1(2)).toBeNaN();
    expect(ev.precision()).toBeCloseTo((3 / 5 + 2 / 4) / 2, 14);
    expect(ev.recall()).toBeCloseTo((3 / 4 + 2 / 3 + 0) / 3, 14);
    expect(ev.stats()).toContain('Warning: 1 class(es) never predicted, left out of average precision: 2');
    tf.dispose([labels, outputs]);
  });

  it('counts top-N accuracy from the outputs when topN is given', async () => {
    const labels = tf.tensor1d([0, 1, 2, 2], 'int32');
    const outputs = tf.tensor2d([
      [0.5, 0.3, 0.2], // actual 0 ranked 1st
      [0.5, 0.3, 0.2], // actual 1 ranked 2nd
      [0.5, 0.3, 0.2], // actual 2 ranked 3rd
      [0.4, 0.2, 0.4], // actual 2 tied with class 0, ranked 2nd (ties go to the lower index)
    ]);
    const top2 = await new Evaluation(3, { topN: 2 }).eval(labels, outputs);
    expect(top2.topNAccuracy()).toBeCloseTo(3 / 4, 14);
    expect(top2.accuracy()).toBeCloseTo(1 / 4, 14);
    expect((await new Evaluation(3, { topN: 3 }).eval(labels, outputs)).topNAccuracy()).toBe(1);
    expect((await new Evaluation(3).eval(labels, outputs)).topNAccuracy()).toBeCloseTo(1 / 4, 14);
    const merged = new Evaluation(3, { topN: 2 }).merge(top2).merge(top2);
    expect(merged.count()).toBe(8);
    expect(merged.topNAccuracy()).toBeCloseTo(3 / 4, 14);
    expect(() => new Evaluation(3).merge(top2)).toThrow('other has 3 classes and topN 2; expected 3 and 1');
    expect(() => new Evaluation(3, { topN: 4 })).toThrow('topN must be an integer in [1, 3], received 4');
    await expect(new Evaluation(3).eval(tf.tensor1d([3], 'int32'), tf.zeros([1, 3]))).rejects.toThrow('label 3 at row 0 is not a class index');
    await expect(new Evaluation(3).eval(tf.zeros([2, 3]), tf.zeros([1, 3]))).rejects.toThrow('labels have 2 rows but outputs have 1');
    tf.dispose([labels, outputs]);
  });

  it('reports stats like DL4J, with class labels in the tables', async () => {
    const { labels, outputs } = batchFor([
      [5, 1, 0],
      [0, 4, 0],
      [1, 0, 9],
    ]);
    const ev = await new Evaluation(3, { labels: ['setosa', 'versicolor', 'virginica'], topN: 2 }).eval(labels, outputs);
    const stats = ev.stats();
    expect(stats).toContain(' # of classes:    3');
    expect(stats).toContain(` Accuracy:        ${(18 / 20).toFixed(4)}`);
    expect(stats).toContain(` Precision:       ${ev.precision().toFixed(4)}`);
    expect(stats).toContain(` Recall:          ${ev.recall().toFixed(4)}`);
    expect(stats).toContain(` F1 Score:        ${ev.f1().toFixed(4)}`);
    expect(stats).toContain(' Top-2 Accuracy:  1.0000');
    expect(stats).toMatch(/ versicolor +0\.8000 +1\.0000 +0\.8889 +\S+ +4/);
    expect(ev.confusionTable().split('\n')).toEqual([
      'predicted ->',
      '                      setosa versicolor  virginica',
      'actual setosa              5          1          0',
      'actual versicolor          0          4          0',
      'actual virginica           1          0          9',
    ]);
    expect(stats).toContain(ev.confusionTable());
    expect(() => new Evaluation(3, { labels: ['a', 'b'] })).toThrow('received 2 class labels for 3 classes');
    expect(() => ev.precision(3)).toThrow('class 3 is out of range; expected an integer in [0, 2]');
    tf.dispose([labels, outputs]);
  });
});
