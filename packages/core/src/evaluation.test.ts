import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ShapeError } from './errors';
import { Evaluation } from './evaluation';

describe('Evaluation', () => {
  it('counts the confusion matrix and accuracy from arg-max labels and outputs', async () => {
    // actual:    0 0 1 2 2 2
    // predicted: 0 1 1 2 0 2  -> 4 of 6 correct
    const labels = tf.oneHot(tf.tensor1d([0, 0, 1, 2, 2, 2], 'int32'), 3);
    const outputs = tf.tensor2d([
      [0.8, 0.1, 0.1],
      [0.2, 0.7, 0.1],
      [0.1, 0.6, 0.3],
      [0.1, 0.2, 0.7],
      [0.5, 0.2, 0.3],
      [0.3, 0.3, 0.4],
    ]);
    const ev = await new Evaluation(3).eval(labels, outputs);
    expect(ev.confusion).toEqual([
      [1, 1, 0],
      [0, 1, 0],
      [1, 0, 2],
    ]);
    expect(ev.accuracy()).toBeCloseTo(4 / 6, 12);
    expect(ev.count()).toBe(6);
    expect(ev.confusionTable().split('\n')).toEqual(['predicted ->', '           0   1   2', 'actual 0   1   1   0', 'actual 1   0   1   0', 'actual 2   1   0   2']);
    tf.dispose([labels, outputs]);
  });

  it('rejects outputs of the wrong width', async () => {
    const labels = tf.zeros([2, 3]);
    await expect(new Evaluation(4).eval(labels, labels)).rejects.toThrow(ShapeError);
    await expect(new Evaluation(4).eval(labels, labels)).rejects.toThrow('labels have shape [2, 3], expected [n, 4]');
    labels.dispose();
  });
});
