import * as tf from '@tensorflow/tfjs-core';
import { ValueError } from '@dl4ts/core';
import { describe, expect, it } from 'vitest';
import { PADDED_MASK, makeNetwork, sequenceOutputConfig, sequences } from './rnn-test-support';
import { SequenceDataSet } from './sequence-data-set';

// Value checks reach sequence data: a SequenceDataSet is a BatchSource, so its batches are checked
// in the first epoch (finite values, labels as the loss expects), and a sequence's padded steps,
// which hold zero labels, are left out of the label check by their mask.
const config = () => sequenceOutputConfig();

// Two sequences of 4 steps; the first has 2 real steps, its padding labelled [0, 0].
const labels = [
  [[1, 0], [0, 1], [0, 0], [0, 0]],
  [[0, 1], [0, 1], [1, 0], [1, 0]],
];
const mask = PADDED_MASK;

function data(options: { features?: number[][][]; labels?: number[][][]; masked?: 'features' | 'labels' | 'none' } = {}): SequenceDataSet {
  const m = options.masked ?? 'features';
  return SequenceDataSet.adopt({
    features: tf.tensor3d(options.features ?? sequences(2, 4, 3, 21)),
    labels: tf.tensor3d(options.labels ?? labels),
    ...(m === 'features' ? { featuresMask: tf.tensor2d(mask) } : m === 'labels' ? { labelsMask: tf.tensor2d(mask) } : {}),
  });
}

describe('value checks of sequence data', () => {
  it('trains on padded sequences whose padding is masked, by the features or the labels mask', async () => {
    for (const masked of ['features', 'labels'] as const) {
      const net = makeNetwork(config());
      const set = data({ masked });
      const tensors = tf.memory().numTensors;
      await expect(net.fit(set, { epochs: 2, batchSize: 1 })).resolves.toMatchObject({ epochs: 2 });
      expect(tf.memory().numTensors).toBe(tensors);
      set.dispose();
      net.dispose();
    }
  });

  it('refuses zero labels at steps no mask removes, and NaN features, naming the batch, leaving no tensor', async () => {
    const net = makeNetwork(config());
    const unmasked = data({ masked: 'none' });
    const nan = sequences(2, 4, 3, 21);
    (nan[1] as number[][])[3]![0] = Number.NaN;
    const poisoned = data({ features: nan });
    const tensors = tf.memory().numTensors;
    await expect(net.fit(unmasked, { batchSize: 2 })).rejects.toThrow(
      new ValueError('fit: batch 1 of epoch 1 from the SequenceDataSet: Label row 2 sums to 0: [0, 0]; expected one-hot rows or class distributions (values in [0, 1] summing to 1) (2 of 8 rows are invalid). For class indices use losses/sparse-mcxent; for several labels per example, losses/xent with sigmoid'),
    );
    await expect(net.fit(poisoned, { batchSize: 1, shuffle: false })).rejects.toThrow('fit: batch 2 of epoch 1 from the SequenceDataSet: features hold 1 NaN or infinite value; expected finite numbers');
    expect(tf.memory().numTensors).toBe(tensors);
    unmasked.dispose();
    poisoned.dispose();
    net.dispose();
  });

  it('checks labels on score() with the same masks', async () => {
    const net = makeNetwork(config());
    const x = tf.tensor3d(sequences(2, 4, 3, 21));
    const y = tf.tensor3d(labels);
    const m = tf.tensor2d(mask);
    expect(Number.isFinite(await net.score(x, y, { labelsMask: m }))).toBe(true);
    await expect(net.score(x, y)).rejects.toThrow('score: Label row 2 sums to 0');
    tf.dispose([x, y, m]);
    net.dispose();
  });
});
