import * as tf from '@tensorflow/tfjs-core';
import { compareArrays } from '@dl4ts/core/testing';
import { describe, expect, it } from 'vitest';
import { adam } from './adam';
import { adamRule } from './reference-rules';
import { describeUpdater } from './updater-suite';

describe('adam', () => {
  describeUpdater({
    key: 'updaters/adam',
    names: ['adam', 'ADAM', 'Adam'],
    defaults: { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
    custom: { learningRate: 0.05, beta1: 0.8, beta2: 0.99, epsilon: 1e-3 },
    reference: adamRule,
    initialState: { m: 0, v: 0 },
    bad: [
      [{ learningRate: -1 }, /learningRate must be a positive finite number, received -1/],
      [{ beta1: 1 }, /beta1 must be a number in \[0, 1\), received 1/],
      [{ beta2: -0.5 }, /beta2 must be a number in \[0, 1\), received -0.5/],
      [{ epsilon: 0 }, /epsilon must be a positive finite number, received 0/],
      [{ lr: 0.1 }, /unknown option "lr"; it takes learningRate, beta1, beta2, epsilon/],
      [{ learningRate: { type: 'exponential', initialValue: 0.1 } }, /learningRate: exponential schedule needs gamma as a positive finite number, received undefined/],
    ],
  });

  it('first step is lr * g / (|g| + eps / sqrt(1 - b2)) for every weight (closed form)', async () => {
    const updater = adam({ type: 'updaters/adam', learningRate: 0.01, epsilon: 1e-3 });
    const g = tf.tensor1d([2, -0.5, 1e-4]);
    const state = updater.initState(g);
    const { update, state: next } = updater.apply(g, state, { iteration: 0, epoch: 0 });
    const expected = [2, -0.5, 1e-4].map((gi) => (0.01 * gi) / (Math.abs(gi) + 1e-3 / Math.sqrt(1 - 0.999)));
    expect(compareArrays(await update.data(), expected, { rtol: 1e-5, atol: 1e-9 }).ok).toBe(true);
    tf.dispose([g, update, ...Object.values(state), ...Object.values(next)]);
  });

  it('replaces a zero step size by epsilon, as DL4J does (a poly schedule past maxIter gives lr = 0)', async () => {
    const updater = adam({ type: 'updaters/adam', learningRate: { type: 'poly', initialValue: 0.1, power: 1, maxIter: 2 }, epsilon: 1e-4 });
    expect(updater.learningRateAt?.({ iteration: 3, epoch: 0 })).toBe(0);
    const g = tf.tensor1d([1, -2]);
    const state = updater.initState(g);
    const { update, state: next } = updater.apply(g, state, { iteration: 3, epoch: 0 });
    // m' = 0.1 g, v' = 0.001 g^2, update = eps * m' / (sqrt(v') + eps)
    const expected = [1, -2].map((gi) => (1e-4 * 0.1 * gi) / (Math.sqrt(0.001 * gi * gi) + 1e-4));
    expect(compareArrays(await update.data(), expected, { rtol: 1e-5, atol: 0 }).ok).toBe(true);
    tf.dispose([g, update, ...Object.values(state), ...Object.values(next)]);
  });
});
