import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { DataSet } from './data-set';
import { ConfigError } from './errors';
import { Network } from './network';
import { mechanicsRegistry } from './network-test-support';

describe('layer-wise pretraining', () => {
  it('pretrains one layer on its input without labels, through its updater', async () => {
    const net = new Network({ input: 2, defaults: { updater: 'test/sgd' }, layers: [{ type: 'test/scale', name: 'ae' } as never, { type: 'test/sparse-out' }] }, { registry: mechanicsRegistry() }).init();
    const data = DataSet.from([[1, 2]], [[0]]);
    // w starts at 1, where the reconstruction is perfect: nudge it and check one step by hand.
    net.setParam('ae/w', tf.tensor1d([2, 0]));
    const scores = await net.pretrainLayer('ae', data, { epochs: 1, batchSize: 1 });
    // score = mean over 2 of ((w-1) x)^2 = ((1*1)^2 + (-1*2)^2) / 2 = 2.5; grad_j = (w_j - 1) x_j^2.
    expect(scores[0]).toBeCloseTo(2.5, 6);
    const w = await net.getParam('ae/w').data();
    expect(w[0]).toBeCloseTo(2 - 0.5 * 1, 6);
    expect(w[1]).toBeCloseTo(0 - 0.5 * -4, 6);
    await expect(net.pretrainLayer('sparse-out_1', data)).rejects.toThrow(ConfigError);
    data.dispose();
    net.dispose();
  });
});
