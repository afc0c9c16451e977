import * as tf from '@tensorflow/tfjs-core';
import type { Tensor1D } from '@tensorflow/tfjs-core';
import type { Batch } from '@dl4ts/core';
import { afterAll, describe, expect, it } from 'vitest';
import { autoencoderData, autoencoderInit, autoencoderObjective } from './autoencoder-fixture';
import { hessianFree } from './hessian-free';
import { logisticObjective, logisticProblem } from './logistic-fixture';
import type { FunctionTarget } from './test-support';
import { dummyBatch, functionTarget, rosenbrock } from './test-support';
import { truncatedCg } from './truncated-cg';

// A x = b with A SPD; solved by hand: x = (-1/9, 13/9, 20/9), phi(x) = -b'x/2 = -85/18.
const A = [
  [4, 1, 0],
  [1, 3, -1],
  [0, -1, 2],
];
const matrix = tf.tensor2d(A);
const times = (m: tf.Tensor2D) => (v: Tensor1D): Tensor1D => tf.tidy(() => tf.reshape(tf.matMul(m, tf.reshape(v, [3, 1])), [3]) as Tensor1D);
const cgOptions = { maxIterations: 10, tolerance: 5e-4, fallbackScale: 0.5 };
afterAll(() => matrix.dispose());

async function values(t: tf.Tensor): Promise<number[]> {
  return Array.from(await t.data());
}

describe('truncatedCg', () => {
  it('solves an SPD system in n = 3 products from 0, and reports phi(x) = -b\'x/2 at the solution', async () => {
    const b = tf.tensor1d([1, 2, 3]);
    const before = tf.memory().numTensors;
    const result = truncatedCg(times(matrix), b, undefined, cgOptions);
    const last = result.iterates.at(-1);
    expect(result.products).toBe(3);
    expect(result.stop).toBe('residual');
    // Iterates kept at ceil(1.3^j) = 2, 3, ... and the final one.
    expect(result.iterates.map((i) => i.iteration)).toEqual([2, 3]);
    (await values(last?.x as Tensor1D)).forEach((v, i) => expect(v).toBeCloseTo([-1 / 9, 13 / 9, 20 / 9][i] as number, 5));
    expect(last?.phi).toBeCloseTo(-85 / 18, 5);
    expect(tf.memory().numTensors - before).toBe(result.iterates.length);
    for (const it of result.iterates) it.x.dispose();
    b.dispose();
  });

  it('starts from x0 when phi(x0) < 0 and from 0 otherwise', async () => {
    const b = tf.tensor1d([1, 2, 3]);
    const good = tf.tensor1d([0, 1.4, 2.2]);
    const warm = truncatedCg(times(matrix), b, good, { ...cgOptions, maxIterations: 1 });
    // One product for r0 = b - A x0, then one CG iteration. phi(x0) = -4.7; one iteration from 0
    // would only reach -(b'b)^2 / (2 b'Ab) = -196/52 = -3.77, so phi < -4.7 proves the warm start.
    expect(warm.products).toBe(2);
    expect(warm.iterates.at(-1)?.phi).toBeLessThan(-4.7);
    expect(warm.iterates.at(-1)?.phi).toBeGreaterThan(-85 / 18 - 1e-5);
    const bad = tf.tensor1d([-10, -10, -10]);
    const cold = truncatedCg(times(matrix), b, bad, cgOptions);
    expect(cold.products).toBe(4); // the wasted product at x0, then 3 from zero
    (await values(cold.iterates.at(-1)?.x as Tensor1D)).forEach((v, i) => expect(v).toBeCloseTo([-1 / 9, 13 / 9, 20 / 9][i] as number, 5));
    for (const it of [...warm.iterates, ...cold.iterates]) it.x.dispose();
    tf.dispose([b, good, bad]);
  });

  it('falls back to fallbackScale * b at non-positive curvature before any progress', async () => {
    const negative = tf.tensor2d([
      [-1, 0, 0],
      [0, -2, 0],
      [0, 0, 1],
    ]);
    const b = tf.tensor1d([1, 1, 0]);
    const result = truncatedCg(times(negative), b, undefined, cgOptions);
    expect(result.stop).toBe('negative-curvature');
    expect(result.iterates).toHaveLength(1);
    expect(await values(result.iterates[0]?.x as Tensor1D)).toEqual([0.5, 0.5, 0]);
    // phi(s b) = s^2 b'Ab / 2 - s b'b = 0.125 * (-3) - 0.5 * 2.
    expect(result.iterates[0]?.phi).toBeCloseTo(-1.375, 10);
    result.iterates[0]?.x.dispose();
    tf.dispose([negative, b]);
  });
});

describe('hessian-free', () => {
  it('reaches the Rosenbrock minimum within 1e-3 in at most 30 Newton iterations', async () => {
    const batch = dummyBatch();
    const target = functionTarget({ w: { values: [-1.2, 1], shape: [2] } }, rosenbrock);
    const strategy = hessianFree({ type: 'updaters/hessian-free', maxIterations: 30 });
    strategy.step(target, batch).dispose();
    const [x, y] = (await target.values()).w as number[];
    expect(Math.hypot((x as number) - 1, (y as number) - 1)).toBeLessThan(1e-3);
    strategy.dispose();
    target.dispose();
    tf.dispose([batch.features, batch.labels]);
  });

  it('lowers the damping (x 2/3) while the quadratic model predicts the decrease well, and reaches the logistic optimum', () => {
    const problem = logisticProblem();
    const batch: Batch = { features: tf.tensor2d(problem.features), labels: tf.tensor2d(problem.labels, [problem.labels.length, 1]) };
    const target = functionTarget({ W: { values: [0, 0, 0, 0, 0], shape: [5, 1] }, b: { values: [0], shape: [1] } }, logisticObjective(problem.l2));
    // Two strategies share the target: the first 3 Newton iterations, then 7 more.
    const first = hessianFree({ type: 'updaters/hessian-free', maxIterations: 3 });
    first.step(target, batch).dispose();
    expect(first.damping).toBeCloseTo(0.1 * (2 / 3) ** 3, 12);
    const more = hessianFree({ type: 'updaters/hessian-free', maxIterations: 7, initialDamping: first.damping });
    const score = more.step(target, batch);
    const gap = (score.dataSync()[0] as number) - problem.optimum.loss;
    expect(Math.abs(gap)).toBeLessThan(1e-5);
    score.dispose();
    first.dispose();
    more.dispose();
    target.dispose();
    tf.dispose([batch.features, batch.labels]);
  });

  it('reaches a lower autoencoder loss than the best plain SGD of a learning-rate grid, for the same number of passes', { timeout: 120_000 }, () => {
    const data = tf.tensor2d(autoencoderData());
    const batch: Batch = { features: data, labels: data };
    const passes = (t: FunctionTarget) => t.calls.score + t.calls.gradient;
    const budget = 150;
    const hfTarget = functionTarget(autoencoderInit(), autoencoderObjective);
    const strategy = hessianFree({ type: 'updaters/hessian-free' });
    let hfLoss = Number.NaN;
    while (passes(hfTarget) < budget) {
      const score = strategy.step(hfTarget, batch);
      hfLoss = score.dataSync()[0] as number;
      score.dispose();
    }
    const used = passes(hfTarget);
    const sgdLosses = [1, 2, 4].map((lr) => {
      const target = functionTarget(autoencoderInit(), autoencoderObjective);
      for (let i = 0; i < used; i++) {
        tf.tidy(() => {
          const { gradients } = target.scoreAndGradients(batch, true);
          const current = target.trainableParams();
          target.setParams(new Map([...gradients].map(([name, g]) => [name, tf.sub(current.get(name) as tf.Tensor, tf.mul(g, lr))])));
        });
      }
      const loss = tf.tidy(() => target.score(batch, true).dataSync()[0] as number);
      target.dispose();
      return loss;
    });
    const initial = target0Loss(batch);
    expect(initial).toBeGreaterThan(0.3); // measured 0.329
    expect(hfLoss).toBeLessThan(0.5 * Math.min(...sgdLosses)); // measured 0.0089 vs 0.0565 (lr 2)
    strategy.dispose();
    hfTarget.dispose();
    data.dispose();
  });
});

function target0Loss(batch: Batch): number {
  const target = functionTarget(autoencoderInit(), autoencoderObjective);
  const loss = tf.tidy(() => target.score(batch, true).dataSync()[0] as number);
  target.dispose();
  return loss;
}
