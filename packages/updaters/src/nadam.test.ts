import * as tf from '@tensorflow/tfjs-core';
import { compareArrays } from '@dl4ts/core/testing';
import { describe, expect, it } from 'vitest';
import { nadam } from './nadam';
import { adamRule, nadamRule } from './reference-rules';
import { create, quadraticReference, runOnQuadratic } from './test-support';
import { describeUpdater } from './updater-suite';

describe('nadam', () => {
  describeUpdater({
    key: 'updaters/nadam',
    names: ['nadam', 'NADAM', 'Nadam'],
    defaults: { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
    custom: { learningRate: 0.02, beta1: 0.85, beta2: 0.95, epsilon: 1e-4 },
    reference: nadamRule,
    initialState: { m: 0, v: 0 },
    bad: [
      [{ learningRate: Number.NaN }, /learningRate must be a positive finite number, received NaN/],
      [{ beta1: -0.1 }, /beta1 must be a number in \[0, 1\), received -0.1/],
      [{ beta2: 1 }, /beta2 must be a number in \[0, 1\), received 1/],
      [{ epsilon: Number.POSITIVE_INFINITY }, /epsilon must be a positive finite number, received Infinity/],
    ],
  });

  it('first step: lr (b1 (1 - b1) + (1 - b1)) g / (1 - b1) / (sqrt(1 - b2) |g| + eps)', async () => {
    const updater = nadam({ type: 'updaters/nadam', learningRate: 0.1 });
    const g = tf.tensor1d([3, -0.25]);
    const state = updater.initState(g);
    const { update, state: next } = updater.apply(g, state, { iteration: 0, epoch: 0 });
    const expected = [3, -0.25].map((gi) => (0.1 * (0.9 * 0.1 * gi + 0.1 * gi)) / 0.1 / (Math.sqrt(0.001) * Math.abs(gi) + 1e-8));
    expect(compareArrays(await update.data(), expected, { rtol: 1e-5, atol: 0 }).ok).toBe(true);
    tf.dispose([g, update, ...Object.values(state), ...Object.values(next)]);
  });

  it('takes different steps from adam with the same options', async () => {
    const options = { learningRate: 0.02, beta1: 0.85, beta2: 0.95, epsilon: 1e-4 };
    const run = await runOnQuadratic(create({ type: 'updaters/nadam', ...options }));
    const adamTrace = quadraticReference(adamRule(options, () => 0.02));
    expect(Math.abs(run.w[4]![1]! - adamTrace.w[4]![1]!)).toBeGreaterThan(1e-3);
  });
});
