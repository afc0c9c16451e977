import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { BatchSource } from './data-set';
import type { Batch } from './training-strategy';
import { ConfigError, ValueError } from './errors';
import { Network } from './network';
import { X, Y, makeNet, mechanicsRegistry } from './network-test-support';

/** A source of `epochs x batches` batches of X and Y; `poison(epoch, batch)` may change one's values. */
function source(poison: (epoch: number, batch: number) => { features?: number[][]; labels?: number[][] } = () => ({})): BatchSource & { epochs: number } {
  return {
    epochs: 0,
    async *batches() {
      const epoch = this.epochs++;
      for (let b = 0; b < 3; b++) {
        const change = poison(epoch, b);
        yield { features: tf.tensor2d(change.features ?? X), labels: tf.tensor2d(change.labels ?? Y) } satisfies Batch;
      }
    },
  };
}

const withNaN = X.map((row, i) => (i === 2 ? [row[0] as number, Number.NaN] : row));

describe('value checks of the batches a source yields', () => {
  it('refuses NaN or infinite features or labels in the first epoch, naming the batch, and leaves no tensor behind', async () => {
    const net = makeNet();
    const tensors = tf.memory().numTensors;
    await expect(net.fit(source((_, b) => (b === 1 ? { features: withNaN } : {})), { epochs: 2 })).rejects.toThrow(new ValueError('fit: batch 2 of epoch 1 from the BatchSource: features hold 1 NaN or infinite value; expected finite numbers'));
    await expect(net.fit(source((_, b) => (b === 0 ? { features: withNaN, labels: [[1], [Infinity], [-Infinity], [0]] } : {})))).rejects.toThrow('fit: batch 1 of epoch 1 from the BatchSource: features hold 1 NaN or infinite value, labels hold 2 NaN or infinite values; expected finite numbers');
    expect(tf.memory().numTensors).toBe(tensors);
    net.dispose();
    // A first batch refused takes no step: the parameters are the initial ones.
    const fresh = makeNet();
    await expect(fresh.fit(source((_, b) => (b === 0 ? { labels: [[1], [Number.NaN], [0], [0]] } : {})))).rejects.toThrow('labels hold 1 NaN');
    expect(Array.from(fresh.getParam('linear-out_0/W').dataSync())).toEqual([0.1, 0.2].map(Math.fround));
    fresh.dispose();
  });

  it('checks the first epoch by default, every epoch or none on request; a DataSet is checked whole whatever the option', async () => {
    const late = () => source((epoch, b) => (epoch === 1 && b === 2 ? { features: withNaN } : {}));
    const net = makeNet();
    // Unchecked, the NaN of epoch 2 reaches the parameters, and the divergence guard stops the fit.
    const unchecked = await net.fit(late(), { epochs: 2, onNonFiniteScore: 'continue' });
    expect(unchecked.meanScores[1]).toBeNaN();
    net.dispose();
    const strict = makeNet();
    await expect(strict.fit(late(), { epochs: 2, checkBatches: 'every-epoch' })).rejects.toThrow('fit: batch 3 of epoch 2 from the BatchSource: features hold 1 NaN');
    const off = await strict.fit(source((_, b) => (b === 0 ? { features: withNaN } : {})), { checkBatches: 'off', onNonFiniteScore: 'continue' });
    expect(off.meanScores[0]).toBeNaN();
    await expect(strict.fit({ features: withNaN, labels: Y }, { checkBatches: 'off' })).rejects.toThrow('DataSet: features hold 1 NaN or infinite value; expected finite numbers');
    await expect(strict.fit(source(), { checkBatches: 'sometimes' as never })).rejects.toThrow(new ConfigError('fit: checkBatches must be one of first-epoch, every-epoch, off, received "sometimes"'));
    strict.dispose();
  });

  it("runs the loss's label check on each checked batch, and on score()", async () => {
    const net = new Network({ input: 2, defaults: { updater: 'test/sgd' }, layers: [{ type: 'test/sparse-out' }] }, { registry: mechanicsRegistry() }).init();
    const labels = [[0], [2], [1], [0]];
    const tensors = tf.memory().numTensors;
    await expect(net.fit(source((_, b) => ({ labels: b === 2 ? [[0], [3], [1], [0]] : labels })))).rejects.toThrow(new ValueError('fit: batch 3 of epoch 1 from the BatchSource: class index 3 out of range [0, 2]'));
    await expect(net.fit({ features: X, labels: [[0], [1], [-1], [0]] })).rejects.toThrow(new ValueError('fit: the labels of the DataSet: class index -1 out of range [0, 2]'));
    const x = tf.tensor2d(X);
    const y = tf.tensor2d([[0], [5], [1], [0]]);
    await expect(net.score(x, y)).rejects.toThrow(new ValueError('score: class index 5 out of range [0, 2]'));
    const nan = tf.tensor2d(withNaN);
    await expect(net.score(nan, y)).rejects.toThrow(new ValueError('score: features hold 1 NaN or infinite value; expected finite numbers'));
    await expect(net.score(X as never, y)).rejects.toThrow(new ValueError('score: features: expected a tf.Tensor, received [[1, 2], [0.5, -1], [-2, 0.25], [3, 1]]; make one with tf.tensor2d(values) (or pass the data to fit, which converts arrays)'));
    tf.dispose([x, y, nan]);
    expect(tf.memory().numTensors).toBe(tensors);
    net.dispose();
  });

  it('refuses setParam values that are not finite or not a tensor, keeping the old values', () => {
    const net = makeNet();
    const tensors = tf.memory().numTensors;
    const bad = tf.tensor2d([[Number.NaN], [1]]);
    expect(() => net.setParam('linear-out_0/W', bad)).toThrow(new ValueError('setParam("linear-out_0/W"): the values hold 1 NaN or infinite value; expected finite numbers'));
    expect(() => net.setParam('linear-out_0/W', [[1], [2]] as never)).toThrow('setParam("linear-out_0/W"): expected a tf.Tensor, received [[1], [2]]');
    bad.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(Array.from(net.getParam('linear-out_0/W').dataSync())).toEqual([0.1, 0.2].map(Math.fround));
    net.dispose();
  });
});
