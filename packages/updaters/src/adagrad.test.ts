import * as tf from '@tensorflow/tfjs-core';
import { compareArrays } from '@dl4ts/core/testing';
import { describe, expect, it } from 'vitest';
import { adagrad } from './adagrad';
import { adagradRule } from './reference-rules';
import { describeUpdater } from './updater-suite';

describe('adagrad', () => {
  describeUpdater({
    key: 'updaters/adagrad',
    names: ['adagrad', 'ADAGRAD', 'AdaGrad'],
    defaults: { learningRate: 0.1, epsilon: 1e-6 },
    custom: { learningRate: 0.3, epsilon: 0.01 },
    reference: adagradRule,
    initialState: { h: 1e-6 },
    bad: [
      [{ learningRate: -0.1 }, /learningRate must be a positive finite number, received -0.1/],
      [{ epsilon: 0 }, /epsilon must be a positive finite number, received 0/],
      [{ beta1: 0.9 }, /unknown option "beta1"; it takes learningRate, epsilon/],
      [{ learningRate: { type: 'fixed', value: -1 } }, /learningRate schedule must start from a positive finite number, received -1/],
    ],
  });

  it('scales each weight by the root of its own gradient history: lr g_k / (sqrt(eps + sum g^2) + eps)', async () => {
    const updater = adagrad({ type: 'updaters/adagrad', learningRate: 0.5, epsilon: 1e-3 });
    let state = updater.initState(tf.zeros([2]));
    const grads = [
      [3, -0.1],
      [4, 0.2],
    ];
    let last: tf.Tensor | undefined;
    for (const [i, g] of grads.entries()) {
      const grad = tf.tensor1d(g);
      const result = updater.apply(grad, state, { iteration: i, epoch: 0 });
      tf.dispose([grad, last, ...Object.values(state)].filter((t): t is tf.Tensor => t !== undefined));
      last = result.update;
      state = result.state;
    }
    const h = [1e-3 + 9 + 16, 1e-3 + 0.01 + 0.04];
    const expected = [4, 0.2].map((g, i) => (0.5 * g) / (Math.sqrt(h[i]!) + 1e-3));
    expect(compareArrays(await last!.data(), expected, { rtol: 1e-5, atol: 0 }).ok).toBe(true);
    expect(compareArrays(await state.h!.data(), h, { rtol: 1e-6, atol: 0 }).ok).toBe(true);
    tf.dispose([last!, ...Object.values(state)]);
  });
});
