import * as tf from '@tensorflow/tfjs-core';
import { compareArrays } from '@dl4ts/core/testing';
import { describe, expect, it } from 'vitest';
import { rmspropRule } from './reference-rules';
import { rmsprop } from './rmsprop';
import { describeUpdater } from './updater-suite';

describe('rmsprop', () => {
  describeUpdater({
    key: 'updaters/rmsprop',
    names: ['rmsprop', 'RMSPROP', 'RmsProp'],
    defaults: { learningRate: 0.1, rmsDecay: 0.95, epsilon: 1e-8 },
    custom: { learningRate: 0.02, rmsDecay: 0.8, epsilon: 1e-3 },
    reference: rmspropRule,
    initialState: { s: 1e-8 },
    bad: [
      [{ learningRate: 0 }, /learningRate must be a positive finite number, received 0/],
      [{ rmsDecay: 1 }, /rmsDecay must be a number in \[0, 1\), received 1/],
      [{ rmsDecay: -0.05 }, /rmsDecay must be a number in \[0, 1\), received -0.05/],
      [{ epsilon: -1 }, /epsilon must be a positive finite number, received -1/],
      [{ decay: 0.9 }, /unknown option "decay"; it takes learningRate, rmsDecay, epsilon/],
    ],
  });

  it('first step from s = eps: lr g / (sqrt(d eps + (1 - d) g^2) + eps)', async () => {
    const updater = rmsprop({ type: 'updaters/rmsprop', learningRate: 0.01, rmsDecay: 0.9, epsilon: 1e-4 });
    const g = tf.tensor1d([2, -0.01]);
    const state = updater.initState(g);
    const { update, state: next } = updater.apply(g, state, { iteration: 0, epoch: 0 });
    const expected = [2, -0.01].map((gi) => (0.01 * gi) / (Math.sqrt(0.9 * 1e-4 + 0.1 * gi * gi) + 1e-4));
    expect(compareArrays(await update.data(), expected, { rtol: 1e-5, atol: 0 }).ok).toBe(true);
    tf.dispose([g, update, ...Object.values(state), ...Object.values(next)]);
  });
});
