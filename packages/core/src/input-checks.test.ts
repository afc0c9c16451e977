import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { DataSet } from './data-set';
import { ShapeError, ValueError } from './errors';
import { Network } from './network';
import { X, makeNet, mechanicsRegistry } from './network-test-support';
import { testRegistry } from './test-support';

describe('input checks', () => {
  it('reports bad input with typed errors naming received and expected', async () => {
    const net = makeNet();
    expect(() => net.output(tf.zeros([2, 3]))).toThrow(ShapeError);
    expect(() => net.output(tf.zeros([2, 3]))).toThrow('Layer "linear-out_0" (test/linear-out): input has 3 features, expected 2');
    const wideLabels = DataSet.from(X, [[1, 0], [0, 1], [1, 0], [0, 1]]);
    await expect(net.fit(wideLabels)).rejects.toThrow('labels have shape [4, 2], expected [batch, 1]');
    const nan = DataSet.from([[1, Number.NaN]], [[1]]);
    await expect(net.fit(nan)).rejects.toThrow(ValueError);
    await expect(net.fit(nan)).rejects.toThrow('features hold 1 NaN or infinite value');
    expect(() => DataSet.from([], [])).toThrow('received an empty array');
    expect(() => DataSet.from(X, [[1]])).toThrow('features have 4 rows but labels have 1');
    wideLabels.dispose();
    nan.dispose();
    net.dispose();
  });

  it('asks the loss for the label width and checks label values before training', async () => {
    const net = new Network({ input: 2, defaults: { updater: 'test/sgd' }, layers: [{ type: 'test/sparse-out' }] }, { registry: mechanicsRegistry() }).init();
    await expect(net.fit({ features: [[1, 2]], labels: [[0, 1, 0]] })).rejects.toThrow('labels have shape [1, 3], expected [batch, 1]');
    await expect(net.fit({ features: [[1, 2]], labels: [[3]] })).rejects.toThrow('class index 3 out of range [0, 2]');
    const before = tf.memory().numTensors;
    await net.fit({ features: [[1, 2]], labels: [[2]] }, { epochs: 2 });
    expect(tf.memory().numTensors).toBe(before);
    net.dispose();
  });

  it('says that one label column for a wider output looks like class indices, and how to fix it', async () => {
    const net = new Network({ input: 2, defaults: { updater: { type: 'ts/sgd', lr: 0.1 } }, layers: [{ type: 'ts/out', nOut: 3 }] }, { registry: testRegistry() }).init();
    await expect(net.fit({ features: [[1, 2], [3, 4]], labels: [[0], [2]] })).rejects.toThrow(
      'labels have shape [2, 1], expected [batch, 3]; labels with one column look like class indices: one-hot them (oneHot(labels, 3)), or use a loss that takes indices (losses/sparse-mcxent)',
    );
    // Two columns for three outputs is a plain mismatch, with no such hint.
    await expect(net.fit({ features: [[1, 2]], labels: [[0, 1]] })).rejects.toThrow(/expected \[batch, 3\]$/);
    net.dispose();
  });
});
