// No tensor leaks and no memory growth on the native backend over 10,000 training steps (an MLP
// with Nesterov momentum and L2, so the fused update pipeline runs every step), and
// over truncated-BPTT steps of an LSTM (the fused sequence kernels).
import { DataSet, Network, Registry } from '@dl4ts/core';
import { registerLayers } from '@dl4ts/layers';
import { registerLosses } from '@dl4ts/losses';
import { SequenceDataSet, registerRnn } from '@dl4ts/rnn';
import { registerUpdaters } from '@dl4ts/updaters';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { randomArray } from './kernels/test-arrays';
import { countNativeCallsAsync, nativeAvailable, useNative } from './test-support';

const registry = registerRnn(registerUpdaters(registerLosses(registerLayers(new Registry()))));

describe.runIf(nativeAvailable)('memory on the native backend', () => {
  it('10,000 MLP steps: tensors flat across epochs, RSS settled', async () => {
    await useNative();
    const net = new Network(
      {
        seed: 3,
        input: 16,
        defaults: { activation: 'relu', weightInit: 'relu', updater: { type: 'updaters/nesterovs', learningRate: 0.01, momentum: 0.9 }, l2: 1e-4 },
        layers: [
          { type: 'layers/dense', nOut: 32 },
          { type: 'layers/output', nOut: 4, activation: 'softmax', loss: 'mcxent' },
        ],
      },
      { registry },
    ).init();
    const labels = Array.from({ length: 80 }, (_, i) => Array.from({ length: 4 }, (_, c) => (c === i % 4 ? 1 : 0)));
    const data = DataSet.from(tf.tensor2d(randomArray(80 * 16, 7), [80, 16]), tf.tensor2d(labels));
    const tensors: number[] = [];
    const rss: number[] = [];
    // 1,000 epochs of 10 steps.
    const { calls } = await countNativeCallsAsync('applyUpdate', async () => {
      for (let block = 0; block < 10; block++) {
        await net.fit(data, { epochs: 100, batchSize: 8 });
        tensors.push(tf.memory().numTensors);
        rss.push(process.memoryUsage().rss);
      }
    });
    expect(calls).toBe(10_000 * 4); // the whole update of each of the 4 parameters was one native pass, every step
    expect(new Set(tensors).size).toBe(1);
    // After the first blocks warm the allocator, RSS may wander but not climb: the last block within 32 MiB of the third.
    expect((rss[9] as number) - (rss[2] as number)).toBeLessThan(32 * 1024 * 1024);
    net.dispose();
    data.dispose();
  }, 120_000);

  it('truncated-BPTT LSTM steps leave no tensor behind', async () => {
    await useNative();
    const net = new Network(
      {
        seed: 4,
        input: [null, 5],
        defaults: { weightInit: 'xavier', updater: { type: 'updaters/adam', learningRate: 1e-3 } },
        strategy: { type: 'rnn/truncated-bptt', forwardLength: 5, backwardLength: 5 },
        layers: [
          { type: 'rnn/lstm', nOut: 8 },
          { type: 'rnn/rnn-output', nOut: 5, activation: 'softmax', loss: 'mcxent' },
        ],
      },
      { registry },
    ).init();
    const x = tf.tensor3d(randomArray(4 * 20 * 5, 8), [4, 20, 5]);
    const y = tf.cast(tf.oneHot(tf.tensor2d(Int32Array.from({ length: 80 }, (_, i) => i % 5), [4, 20], 'int32'), 5), 'float32');
    const data = SequenceDataSet.adopt({ features: x, labels: y });
    await net.fit(data, { epochs: 1, batchSize: 2 });
    const before = tf.memory().numTensors;
    const { calls } = await countNativeCallsAsync('lstmForward', () => net.fit(data, { epochs: 20, batchSize: 2 }));
    expect(calls).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
    net.dispose();
    data.dispose();
  });
});
