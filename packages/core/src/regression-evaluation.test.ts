import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ShapeError } from './errors';
import { RegressionEvaluation } from './regression-evaluation';

// Two columns, values exactly representable in float32.
const Y = [
  [1, 10],
  [2, 20],
  [3, 30],
  [4, 40],
  [6, 35],
];
const P = [
  [1.5, 12],
  [1.75, 18],
  [3.25, 33],
  [4.5, 38],
  [5, 36],
];

function reference(j: number) {
  const y = Y.map((r) => r[j] as number);
  const p = P.map((r) => r[j] as number);
  const n = y.length;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const sse = y.reduce((s, v, i) => s + (v - (p[i] as number)) ** 2, 0);
  const sae = y.reduce((s, v, i) => s + Math.abs(v - (p[i] as number)), 0);
  const my = mean(y);
  const mp = mean(p);
  const sst = y.reduce((s, v) => s + (v - my) ** 2, 0);
  const spp = p.reduce((s, v) => s + (v - mp) ** 2, 0);
  const cov = y.reduce((s, v, i) => s + (v - my) * ((p[i] as number) - mp), 0);
  return { mse: sse / n, mae: sae / n, rmse: Math.sqrt(sse / n), rse: sse / sst, r2: 1 - sse / sst, pc: cov / Math.sqrt(sst * spp) };
}

describe('RegressionEvaluation', () => {
  it('computes MSE, MAE, RMSE, RSE, R^2 and Pearson correlation per column and their means, over batches', async () => {
    const ev = new RegressionEvaluation(['a', 'b']);
    // Two batches: 3 rows then 2, as a data set iterated in minibatches would give.
    for (const [start, end] of [[0, 3], [3, 5]] as const) {
      const labels = tf.tensor2d(Y.slice(start, end));
      const outputs = tf.tensor2d(P.slice(start, end));
      await ev.eval(labels, outputs);
      tf.dispose([labels, outputs]);
    }
    expect(ev.count()).toBe(5);
    const refs = [reference(0), reference(1)];
    refs.forEach((ref, j) => {
      expect(ev.meanSquaredError(j)).toBeCloseTo(ref.mse, 12);
      expect(ev.meanAbsoluteError(j)).toBeCloseTo(ref.mae, 12);
      expect(ev.rootMeanSquaredError(j)).toBeCloseTo(ref.rmse, 12);
      expect(ev.relativeSquaredError(j)).toBeCloseTo(ref.rse, 12);
      expect(ev.rSquared(j)).toBeCloseTo(ref.r2, 12);
      expect(ev.pearsonCorrelation(j)).toBeCloseTo(ref.pc, 12);
    });
    const mean = (key: keyof (typeof refs)[0]) => (refs[0]![key] + refs[1]![key]) / 2;
    expect(ev.meanSquaredError()).toBeCloseTo(mean('mse'), 12);
    expect(ev.meanAbsoluteError()).toBeCloseTo(mean('mae'), 12);
    expect(ev.rootMeanSquaredError()).toBeCloseTo(mean('rmse'), 12);
    expect(ev.rSquared()).toBeCloseTo(mean('r2'), 12);
    expect(ev.pearsonCorrelation()).toBeCloseTo(mean('pc'), 12);

    const stats = ev.stats().split('\n');
    expect(stats[0]).toBe('Column  MSE          MAE          RMSE         RSE          PC           R^2');
    expect(stats[1]).toMatch(new RegExp(`^a +${refs[0]!.mse.toExponential(5).replace('.', '\\.').replace('+', '\\+')}`));
    expect(stats).toHaveLength(4);
    expect(stats[3]).toMatch(/^mean /);
  });

  it('accepts rank-1 tensors for one column and gives NaN where a metric is undefined', async () => {
    const ev = new RegressionEvaluation(1);
    expect(ev.meanSquaredError()).toBeNaN();
    const y = tf.tensor1d([2, 2, 2]);
    const p = tf.tensor1d([1, 2, 4]);
    await ev.eval(y, p);
    expect(ev.meanSquaredError()).toBeCloseTo(5 / 3, 14);
    expect(ev.meanAbsoluteError(0)).toBeCloseTo(1, 14);
    expect(ev.rSquared()).toBeNaN(); // constant labels
    expect(ev.stats()).toContain('col_0');
    tf.dispose([y, p]);
  });

  it('rejects wrong shapes and columns', async () => {
    const ev = new RegressionEvaluation(2);
    const a = tf.zeros([3, 2]);
    const b = tf.zeros([3, 3]);
    await expect(ev.eval(a, b)).rejects.toThrow(ShapeError);
    await expect(ev.eval(a, b)).rejects.toThrow('outputs have shape [3, 3], expected [n, 2]');
    await expect(ev.eval(a, tf.zeros([2, 2]))).rejects.toThrow('labels have 3 rows but outputs have 2');
    expect(() => ev.rSquared(2)).toThrow('column 2 is out of range; expected an integer in [0, 1]');
    expect(() => new RegressionEvaluation(0)).toThrow('columns must be a positive integer');
    tf.dispose([a, b]);
  });
});
