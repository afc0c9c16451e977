import * as tf from '@tensorflow/tfjs-core';
import { compareArrays } from '@dl4ts/core/testing';
import { describe, expect, it } from 'vitest';
import { adadelta } from './adadelta';
import { adadeltaRule } from './reference-rules';
import { describeUpdater } from './updater-suite';

describe('adadelta', () => {
  describeUpdater({
    key: 'updaters/adadelta',
    names: ['adadelta', 'ADADELTA', 'AdaDelta'],
    defaults: { rho: 0.95, epsilon: 1e-6 },
    // A large epsilon gives steps big enough to see within 5 iterations.
    custom: { rho: 0.7, epsilon: 1e-2 },
    reference: adadeltaRule,
    initialState: { msg: 0, msdx: 0 },
    bad: [
      [{ rho: 1 }, /rho must be a number in \[0, 1\), received 1/],
      [{ rho: -0.5 }, /rho must be a number in \[0, 1\), received -0.5/],
      [{ epsilon: 0 }, /epsilon must be a positive finite number, received 0/],
      [{ learningRate: 0.1 }, /unknown option "learningRate"; it takes rho, epsilon/],
    ],
  });

  it('first step: g sqrt(eps) / sqrt((1 - rho) g^2 + eps), then msdx = (1 - rho) update^2', async () => {
    const updater = adadelta({ type: 'updaters/adadelta' });
    const g = tf.tensor1d([1, -0.001]);
    const state = updater.initState(g);
    const { update, state: next } = updater.apply(g, state, { iteration: 0, epoch: 0 });
    const expected = [1, -0.001].map((gi) => (gi * Math.sqrt(1e-6)) / Math.sqrt(0.05 * gi * gi + 1e-6));
    expect(compareArrays(await update.data(), expected, { rtol: 1e-5, atol: 0 }).ok).toBe(true);
    expect(compareArrays(await next.msdx!.data(), expected.map((u) => 0.05 * u * u), { rtol: 1e-5, atol: 0 }).ok).toBe(true);
    tf.dispose([g, update, ...Object.values(state), ...Object.values(next)]);
  });
});
