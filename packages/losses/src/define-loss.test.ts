import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, Registry, ShapeError } from '@dl4ts/core';
import { describe, expect, it } from 'vitest';
import { activated, defineLoss, sumOutputs } from './define-loss';
import { ACT, expectClose, loss } from './test-support';

/** The error thrown by a call, or undefined. */
function errorOf(run: () => unknown): unknown {
  try {
    run();
    return undefined;
  } catch (e) {
    return e;
  }
}

describe('defineLoss checks configs, labels and weights for every loss', () => {
  it('weights are checked against nOut at first use: a ShapeError naming received and expected', () => {
    const labels = tf.tensor2d([[0, 1, 0]]);
    const preOutput = tf.tensor2d([[0.1, 0.2, 0.3]]);
    const sparse = tf.tensor1d([1]);
    for (const type of ['mcxent', 'xent', 'sparse-mcxent', 'mse']) {
      // Creating it does not know nOut yet, so it succeeds.
      const l = loss({ type, weights: [1, 2, 3, 4] });
      const e = errorOf(() => l.scoreArray({ labels: type === 'sparse-mcxent' ? sparse : labels, preOutput, activation: ACT.softmax.act }));
      expect(e, type).toBeInstanceOf(ShapeError);
      expect((e as ShapeError).received).toEqual([4]);
      expect((e as ShapeError).expected).toEqual([3]);
      expect((e as Error).message).toContain('weights has 4 entries, expected one per output (nOut=3)');
    }
    tf.dispose([labels, preOutput, sparse]);
  });

  it('rejects bad weights and unknown options with a ConfigError', () => {
    expect(() => loss({ type: 'mcxent', weights: [] })).toThrow(ConfigError);
    expect(() => loss({ type: 'xent', weights: [1, Number.NaN] })).toThrow(/weights must be a non-empty array of finite numbers/);
    expect(() => loss({ type: 'xent', weights: 'heavy' })).toThrow(/received "heavy"/);
    expect(() => loss({ type: 'hinge', weights: [1] })).toThrow(/Loss "losses\/hinge": unknown option "weights"; it takes no options/);
    expect(() => loss({ type: 'mse', weight: [1] })).toThrow(/unknown option "weight"; it takes only "weights"/);
  });

  it('labels of another shape than the output are a ShapeError, not a silent broadcast', () => {
    const preOutput = tf.tensor2d([[0.1], [0.2]]);
    const labels = tf.tensor1d([1, 0]);
    const e = errorOf(() => loss('mse').scoreArray({ labels, preOutput, activation: ACT.identity.act }));
    expect(e).toBeInstanceOf(ShapeError);
    expect((e as Error).message).toBe(`Loss "losses/mse": labels have shape [2], expected the output's shape [2, 1]`);
    tf.dispose([labels, preOutput]);
  });

  it('a plugin loss gets the same checks and reduction', async () => {
    const quartic = defineLoss({
      key: 'my-plugin/l4',
      description: 'Sum of (y - a)^4',
      weighted: true,
      score: (input, { weights }) => sumOutputs(tf.pow(tf.sub(input.labels, activated(input)), 4), { weights, mask: input.mask }),
    });
    const registry = new Registry();
    registry.register(quartic);
    const l = registry.create('loss', { type: 'l4', weights: [1, 2] });
    const labels = tf.tensor2d([[1, 2]]);
    const preOutput = tf.tensor2d([[0, 0]]);
    const out = tf.tidy(() => l.scoreArray({ labels, preOutput, activation: ACT.identity.act }));
    expectClose(await out.data(), [1 + 2 * 16]);
    tf.dispose([labels, preOutput, out]);
  });
});
