import * as tf from '@tensorflow/tfjs-core';
import { compareArrays } from '@dl4ts/core/testing';
import { describe, expect, it } from 'vitest';
import { adamax } from './adamax';
import { adamaxRule } from './reference-rules';
import { describeUpdater } from './updater-suite';

describe('adamax', () => {
  describeUpdater({
    key: 'updaters/adamax',
    names: ['adamax', 'ADAMAX', 'AdaMax'],
    defaults: { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
    custom: { learningRate: 0.05, beta1: 0.8, beta2: 0.9 },
    reference: adamaxRule,
    initialState: { m: 0, u: 0 },
    bad: [
      [{ learningRate: 0 }, /learningRate must be a positive finite number, received 0/],
      [{ beta1: 1.5 }, /beta1 must be a number in \[0, 1\), received 1.5/],
      [{ beta2: 'x' }, /beta2 must be a number in \[0, 1\), received "x"/],
      [{ epsilon: -1e-8 }, /epsilon must be a positive finite number, received -1e-8/],
      [{ momentum: 0.9 }, /unknown option "momentum"/],
    ],
  });

  it('keeps u as the decayed running maximum of |g| (infinity norm)', async () => {
    const updater = adamax({ type: 'updaters/adamax', beta2: 0.5 });
    let state = updater.initState(tf.zeros([2]));
    for (const [i, g] of [[4, -1], [1, -3], [-0.5, 0.5]].entries()) {
      const grad = tf.tensor1d(g);
      const result = updater.apply(grad, state, { iteration: i, epoch: 0 });
      tf.dispose([grad, result.update, ...Object.values(state).filter((t) => !Object.values(result.state).includes(t))]);
      state = result.state;
    }
    // max(0.5 max(0.5 * 4, 1), 0.5) = 1 and max(0.5 max(0.5 * 1, 3), 0.5) = 1.5
    expect(compareArrays(await state.u!.data(), [1, 1.5], { rtol: 1e-6, atol: 0 }).ok).toBe(true);
    tf.dispose(Object.values(state));
  });

  it('a zero gradient on a fresh weight gives a zero update, not 0 / 0', async () => {
    const updater = adamax({ type: 'updaters/adamax' });
    const g = tf.tensor1d([0, 1]);
    const state = updater.initState(g);
    const { update, state: next } = updater.apply(g, state, { iteration: 0, epoch: 0 });
    const values = Array.from(await update.data());
    expect(values[0]).toBe(0);
    expect(values[1]).toBeCloseTo(1e-3, 8);
    tf.dispose([g, update, ...Object.values(state), ...Object.values(next)]);
  });
});
