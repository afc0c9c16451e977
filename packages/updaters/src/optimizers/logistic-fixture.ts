import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import type { Batch } from '@dl4ts/core';
import type { Objective } from './test-support';
import { lcg } from './test-support';

/**
 * Test support (not exported): a small, deterministic, non-separable logistic-regression problem
 * with an L2 penalty on the weights, and its optimum computed independently by Newton's method in
 * float64.
 */
export interface LogisticProblem {
  readonly features: number[][];
  readonly labels: number[];
  readonly l2: number;
  /** Regularised mean loss at the optimum, and the optimum (weights then bias), from Newton in float64. */
  readonly optimum: { loss: number; weights: number[]; bias: number };
}

const SCALES = [1, 3, 0.3, 2, 0.5];
const TRUE_WEIGHTS = [1.5, -0.7, 2, 0.4, -1];

/** `n` examples of 5 features with different scales; labels drawn from a logistic model. */
export function logisticProblem(n = 64, l2 = 1e-2, seed = 7): LogisticProblem {
  const rand = lcg(seed);
  const features: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = SCALES.map((s) => s * (2 * rand() - 1));
    const z = x.reduce((acc, v, j) => acc + v * (TRUE_WEIGHTS[j] as number), 0.3);
    features.push(x);
    labels.push(rand() < 1 / (1 + Math.exp(-z)) ? 1 : 0);
  }
  return { features, labels, l2, optimum: newtonOptimum(features, labels, l2) };
}

/** Regularised mean binary cross-entropy at (weights, bias), float64. */
export function logisticLoss(features: number[][], labels: number[], l2: number, weights: number[], bias: number): number {
  let total = 0;
  features.forEach((x, i) => {
    const z = x.reduce((acc, v, j) => acc + v * (weights[j] as number), bias);
    // log(1 + e^z) - y z, computed stably.
    total += Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - (labels[i] as number) * z;
  });
  return total / features.length + 0.5 * l2 * weights.reduce((a, w) => a + w * w, 0);
}

/** Newton's method on the regularised loss, solving each 6x6 system by Gaussian elimination. */
function newtonOptimum(features: number[][], labels: number[], l2: number): LogisticProblem['optimum'] {
  const d = (features[0] as number[]).length;
  let theta = new Array<number>(d + 1).fill(0); // weights..., bias
  for (let iteration = 0; iteration < 30; iteration++) {
    const grad = new Array<number>(d + 1).fill(0);
    const hess = Array.from({ length: d + 1 }, () => new Array<number>(d + 1).fill(0));
    features.forEach((x, i) => {
      const row = [...x, 1];
      const z = row.reduce((acc, v, j) => acc + v * (theta[j] as number), 0);
      const p = 1 / (1 + Math.exp(-z));
      row.forEach((a, j) => {
        (grad[j] as number) += ((p - (labels[i] as number)) * a) / features.length;
        row.forEach((b, k) => ((hess[j] as number[])[k] as number) += (p * (1 - p) * a * b) / features.length);
      });
    });
    for (let j = 0; j < d; j++) {
      (grad[j] as number) += l2 * (theta[j] as number);
      ((hess[j] as number[])[j] as number) += l2;
    }
    const delta = solve(hess, grad);
    theta = theta.map((t, j) => t - (delta[j] as number));
  }
  const weights = theta.slice(0, d);
  const bias = theta[d] as number;
  return { weights, bias, loss: logisticLoss(features, labels, l2, weights, bias) };
}

function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i] as number]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs((m[r] as number[])[c] as number) > Math.abs((m[pivot] as number[])[c] as number)) pivot = r;
    [m[c], m[pivot]] = [m[pivot] as number[], m[c] as number[]];
    const pr = m[c] as number[];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const row = m[r] as number[];
      const factor = (row[c] as number) / (pr[c] as number);
      for (let k = c; k <= n; k++) row[k] = (row[k] as number) - factor * (pr[k] as number);
    }
  }
  return m.map((row, i) => (row[n] as number) / (row[i] as number));
}

/** The problem as a tensor objective of parameters `W` `[5, 1]` and `b` `[1]`, on batch tensors. */
export function logisticObjective(l2: number): Objective {
  return (params, batch: Batch) =>
    tf.tidy(() => {
      const w = params.get('W') as Tensor;
      const z = tf.add(tf.matMul(batch.features as tf.Tensor2D, w as tf.Tensor2D), params.get('b') as Tensor);
      const y = batch.labels;
      const perExample = tf.sub(tf.add(tf.relu(z), tf.log1p(tf.exp(tf.neg(tf.abs(z))))), tf.mul(y, z));
      return tf.add(tf.mean(perExample), tf.mul(0.5 * l2, tf.sum(tf.square(w))));
    });
}
