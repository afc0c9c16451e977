import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { none } from './none';
import { noneRule } from './reference-rules';
import { A, W0, create, runOnQuadratic } from './test-support';
import { describeUpdater } from './updater-suite';

describe('none', () => {
  describeUpdater({
    key: 'updaters/none',
    names: ['none', 'NONE', 'None'],
    defaults: {},
    custom: {},
    reference: noneRule,
    initialState: {},
    bad: [
      [{ learningRate: 0.1 }, /Updater updaters\/none: unknown option "learningRate"; it takes no options/],
      [{ momentum: 0.9 }, /unknown option "momentum"/],
    ],
  });

  it('takes raw gradient steps on the quadratic: w <- w - a w, so w_k = (1 - a)^k w0', async () => {
    const run = await runOnQuadratic(create('NONE'));
    run.w.forEach((w, k) => w.forEach((v, i) => expect(v).toBeCloseTo((1 - A[i]!) ** (k + 1) * W0[i]!, 3)));
  });

  it('returns the gradient itself as the update, and an empty state', async () => {
    const updater = none({ type: 'updaters/none' });
    const g = tf.tensor2d([
      [1, -2],
      [3, 4],
    ]);
    const { update, state } = updater.apply(g, updater.initState(g), { iteration: 3, epoch: 1 });
    expect(update.shape).toEqual([2, 2]);
    expect(Array.from(await update.data())).toEqual([1, -2, 3, 4]);
    expect(state).toEqual({});
    tf.dispose([g, update]);
  });
});
