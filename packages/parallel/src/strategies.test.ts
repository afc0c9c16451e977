import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { NetworkConfig } from '@dl4ts/core';
import { Rng } from '@dl4ts/core';
import { SequenceDataSet, registerRnn } from '@dl4ts/rnn';
import { nodeWorkers } from './node';
import { ParallelTrainer } from './trainer';
import { firstDifference, flatState, network, testRegistry } from './test-support';

describe('training strategies on the workers', () => {
  it('truncated BPTT with masked sequences: 1 worker equals plain fit exactly', async () => {
    const config: NetworkConfig = {
      seed: 11,
      input: [null, 3],
      defaults: { updater: { type: 'updaters/adam', learningRate: 0.01 } },
      strategy: { type: 'rnn/truncated-bptt', forwardLength: 4, backwardLength: 4 },
      layers: [
        { type: 'rnn/simple-rnn', nOut: 5, activation: 'tanh' },
        { type: 'rnn/rnn-output', nOut: 2, activation: 'softmax', loss: 'mcxent' },
      ],
    };
    const [n, steps] = [12, 7];
    const rng = new Rng(9);
    const x = Float32Array.from({ length: n * steps * 3 }, () => rng.uniformRange(-1, 1));
    const y = new Float32Array(n * steps * 2);
    const mask = new Float32Array(n * steps);
    for (let i = 0; i < n; i++) {
      const length = 3 + (i % 5); // variable-length sequences, padded at the end
      for (let t = 0; t < steps; t++) {
        y[(i * steps + t) * 2 + ((x[(i * steps + t) * 3] as number) > 0 ? 1 : 0)] = 1;
        mask[i * steps + t] = t < length ? 1 : 0;
      }
    }
    const data = () =>
      SequenceDataSet.adopt({ features: tf.tensor3d(x, [n, steps, 3]), labels: tf.tensor3d(y, [n, steps, 2]), featuresMask: tf.tensor2d(mask, [n, steps]) });
    const registry = () => registerRnn(testRegistry());
    const plainData = data();
    const plain = network(config, registry());
    const plainResult = await plain.fit(plainData, { epochs: 2, batchSize: 4 });
    const parallelData = data();
    const net = network(config, registry());
    const trainer = new ParallelTrainer(net, { transport: nodeWorkers(), workers: 1, averagingFrequency: 1, backend: 'cpu' });
    try {
      const result = await trainer.fit(parallelData, { epochs: 2, batchSize: 4 });
      expect(result.meanScores).toEqual(plainResult.meanScores);
      expect([net.iteration, net.epoch]).toEqual([6, 2]);
      expect(firstDifference(await flatState(net), await flatState(plain))).toBe(-1);
    } finally {
      await trainer.close();
      plainData.dispose();
      parallelData.dispose();
      plain.dispose();
      net.dispose();
    }
  });
});
