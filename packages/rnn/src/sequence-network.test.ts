import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, Network, Rng, ShapeError } from '@dl4ts/core';
import { leakedTensors } from '@dl4ts/core/testing';
import { describe, expect, it } from 'vitest';
import { LastTimeStep } from './last-time-step';
import { PADDED_MASK, makeNetwork, maxDiff, registry, sequenceOutputConfig, sequences, sgdDefaults } from './rnn-test-support';
import { SequenceDataSet } from './sequence-data-set';

const config = sequenceOutputConfig;

const labels3 = [
  [[1, 0], [0, 1], [1, 0], [0, 1]],
  [[0, 1], [0, 1], [1, 0], [1, 0]],
];
const mask = PADDED_MASK;

describe('sequence networks', () => {
  it('scores an RnnOutput at every unmasked step: sum over steps, mean over examples (DL4J)', async () => {
    const net = makeNetwork(config());
    const x = tf.tensor3d(sequences(2, 4, 3, 21));
    const y = tf.tensor3d(labels3);
    const m = tf.tensor2d(mask);
    const p = (await net.output(x).array()) as number[][][];
    let expected = 0;
    p.forEach((seq, b) => seq.forEach((probs, t) => (expected += mask[b]![t]! * -Math.log(probs[labels3[b]![t]![1]!]!))));
    expected /= 2;
    expect(await net.score(x, y, { labelsMask: m })).toBeCloseTo(expected, 5);
    // Without a labels mask, the features mask removes the padded steps from the score.
    expect(await net.score(x, y, { featuresMask: m })).toBeCloseTo(
      await net.score(x, y, { featuresMask: m, labelsMask: m }),
      6,
    );
    let unmasked = 0;
    p.forEach((seq, b) => seq.forEach((probs, t) => (unmasked += -Math.log(probs[labels3[b]![t]![1]!]!))));
    expect(await net.score(x, y)).toBeCloseTo(unmasked / 2, 5);
    tf.dispose([x, y, m]);
    net.dispose();
  });

  it('computes RnnOutput as a dense layer at every step', async () => {
    const net = makeNetwork(config());
    const x = tf.tensor3d(sequences(2, 4, 3, 22));
    const [hidden] = net.feedForward(x);
    const h = (await hidden!.array()) as number[][][];
    const W = (await net.getParam('out/W').array()) as number[][];
    const b = (await net.getParam('out/b').array()) as number[];
    const expected = h.map((seq) =>
      seq.map((ht) => {
        const z = b.map((bj, j) => bj + ht.reduce((s, v, i) => s + v * W[i]![j]!, 0));
        const e = z.map((v) => Math.exp(v - Math.max(...z)));
        return e.map((v) => v / e.reduce((s, u) => s + u, 0));
      }),
    );
    const out = net.output(x);
    expect(maxDiff(await out.array(), expected)).toBeLessThan(1e-5);
    tf.dispose([x, hidden!, out]);
    net.dispose();
  });

  it('LastTimeStep takes the last step, or the last unmasked one', async () => {
    const layer = (registry.create('layer', { type: 'rnn/last-time-step', name: 'last' }) as LastTimeStep);
    expect(layer.build([4, 2])).toEqual([2]);
    const x = tf.tensor3d([
      [[1, 2], [3, 4], [5, 6], [7, 8]],
      [[9, 10], [11, 12], [13, 14], [15, 16]],
    ]);
    const m = tf.tensor2d(mask);
    const ctx = { training: false, rng: new Rng(1) };
    expect(await layer.forward(x, {}, ctx).array()).toEqual([[7, 8], [15, 16]]);
    expect(await layer.forward(x, {}, { ...ctx, mask: m }).array()).toEqual([[3, 4], [15, 16]]);
    expect(() => layer.build([4])).toThrow(ShapeError);
    tf.dispose([x, m]);
  });

  it('classifies sequences with LSTM -> LastTimeStep -> Output', async () => {
    const net = makeNetwork({
      seed: 1,
      input: [4, 3],
      defaults: sgdDefaults(),
      layers: [
        { type: 'rnn/gru', nOut: 5 },
        { type: 'rnn/last-time-step' },
        { type: 'layers/output', nOut: 2, activation: 'softmax', loss: 'mcxent' },
      ],
    });
    expect(net.outputShape).toEqual([2]);
    const x = tf.tensor3d(sequences(2, 4, 3, 23));
    const out = net.output(x, { featuresMask: tf.tensor2d(mask) });
    expect(out.shape).toEqual([2, 2]);
    tf.dispose([x, out]);
    net.dispose();
  });

  it('fits sequences with masks without leaking, and the loss falls', async () => {
    const net = makeNetwork(config({ defaults: sgdDefaults(0.5) }));
    // Label at step t: which of the first two features was larger at step t (learnable per step).
    const xs = sequences(16, 4, 3, 24);
    const ys = xs.map((seq) => seq.map((f) => (f[0]! > f[1]! ? [1, 0] : [0, 1])));
    const masks = xs.map((_, i) => [1, 1, i % 2, i % 2]);
    const data = SequenceDataSet.adopt({ features: tf.tensor3d(xs), labels: tf.tensor3d(ys), featuresMask: tf.tensor2d(masks) });
    let scores: number[] = [];
    expect(await leakedTensors(async () => (scores = (await net.fit(data, { epochs: 20, batchSize: 8 })).meanScores))).toBe(0);
    expect(scores.every(Number.isFinite)).toBe(true);
    expect(scores[scores.length - 1]!).toBeLessThan(0.7 * scores[0]!);
    data.dispose();
    net.dispose();
  });

  it('leaves no tensor behind when a listener throws mid-epoch on shuffled sequence batches', async () => {
    const net = makeNetwork(config());
    const xs = sequences(8, 4, 3, 25);
    const data = SequenceDataSet.adopt({ features: tf.tensor3d(xs), labels: tf.tensor3d(xs.map((seq) => seq.map((f) => (f[0]! > f[1]! ? [1, 0] : [0, 1])))) });
    const boom = { onIterationEnd: () => { throw new Error('listener failed'); } };
    expect(await leakedTensors(() => expect(net.fit(data, { epochs: 1, batchSize: 4, listeners: [boom] })).rejects.toThrow('listener failed'))).toBe(0);
    data.dispose();
    net.dispose();
  });

  it('checks masks and sequence inputs with typed errors', async () => {
    const net = makeNetwork(config());
    const x = tf.zeros([2, 4, 3]);
    const y = tf.zeros([2, 4, 2]);
    const bad = tf.ones([2, 5]);
    await expect(net.score(x, y, { featuresMask: bad })).rejects.toThrow('featuresMask: received shape [2, 5], expected [batch, time] = [2, 4] to match the features');
    expect(() => net.output(tf.zeros([2, 4]))).toThrow(ShapeError);
    expect(() => new Network({ input: [3, null], layers: config().layers }, { registry }).init()).toThrow(ConfigError);
    expect(() => SequenceDataSet.adopt({ features: tf.zeros([2, 3]), labels: tf.zeros([2, 1]) })).toThrow('SequenceDataSet: features have shape [2, 3], expected [examples, time, features]');
    tf.dispose([x, y, bad]);
    net.dispose();
  });
});
