import * as tf from '@tensorflow/tfjs-core';
import { Evaluation, ShapeError } from '@dl4ts/core';
import { describe, expect, it } from 'vitest';
import { evalTimeSeries, evaluateSequences } from './evaluate-sequences';
import { makeNetwork, sequences, sgdDefaults } from './rnn-test-support';
import { SequenceDataSet } from './sequence-data-set';

describe('evaluation of sequence outputs', () => {
  it('drops masked steps: confusion matrix counted by hand', async () => {
    // 2 sequences x 3 steps, 3 classes. Outputs' arg-max and labels per step:
    //   example 0: (label 0, pred 0) (label 1, pred 2) (label 2, pred 2 — masked)
    //   example 1: (label 2, pred 1) (label 1, pred 1) (label 0, pred 1 — masked)
    const labels = tf.oneHot(tf.tensor2d([[0, 1, 2], [2, 1, 0]], undefined, 'int32'), 3);
    const outputs = tf.tensor3d([
      [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.2, 0.2, 0.6]],
      [[0.1, 0.8, 0.1], [0.3, 0.4, 0.3], [0.2, 0.5, 0.3]],
    ]);
    const mask = tf.tensor2d([[1, 1, 0], [1, 1, 0]]);
    const ev = await evalTimeSeries(new Evaluation(3), labels, outputs, mask);
    expect(ev.confusion).toEqual([
      [1, 0, 0],
      [0, 1, 1],
      [0, 1, 0],
    ]);
    expect(ev.accuracy()).toBeCloseTo(2 / 4, 12);
    const all = await evalTimeSeries(new Evaluation(3), labels, outputs);
    expect(all.confusion).toEqual([
      [1, 1, 0],
      [0, 1, 1],
      [0, 1, 1],
    ]);
    await expect(evalTimeSeries(new Evaluation(3), labels, outputs, tf.ones([2, 2]))).rejects.toThrow(ShapeError);
    tf.dispose([labels, outputs, mask]);
  });

  it('evaluateSequences equals evalTimeSeries of the network output with the labels mask (else the features mask)', async () => {
    const net = makeNetwork({
      seed: 9,
      input: [null, 2],
      defaults: sgdDefaults(),
      layers: [
        { type: 'rnn/gru', nOut: 3 },
        { type: 'rnn/rnn-output', nOut: 3, activation: 'softmax', loss: 'mcxent' },
      ],
    });
    const xs = sequences(5, 4, 2, 3);
    const ys = xs.map((seq, b) => seq.map((_, t) => [0, 1, 2].map((c) => Number(c === (b + t) % 3))));
    const fm = xs.map((_, b) => [1, 1, b % 2, 0]);
    const lm = xs.map((_, b) => [b % 2, 1, 1, 0]);
    for (const labelsMask of [undefined, lm]) {
      const data = SequenceDataSet.adopt({ features: tf.tensor3d(xs), labels: tf.tensor3d(ys), featuresMask: tf.tensor2d(fm), ...(labelsMask && { labelsMask: tf.tensor2d(labelsMask) }) });
      const ev = await evaluateSequences(net, data, { batchSize: 2 });
      const [x, y, f, m] = [tf.tensor3d(xs), tf.tensor3d(ys), tf.tensor2d(fm), tf.tensor2d(labelsMask ?? fm)];
      const out = net.output(x, { featuresMask: f });
      const expected = await evalTimeSeries(new Evaluation(3), y, out, m);
      expect(ev.confusion).toEqual(expected.confusion);
      expect(ev.count()).toBe((labelsMask ?? fm).flat().reduce((s, v) => s + v, 0));
      tf.dispose([x, y, f, m, out]);
      data.dispose();
    }
    net.dispose();
  });
});
