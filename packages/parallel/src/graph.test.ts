import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { GraphConfig } from '@dl4ts/core';
import { CollectScoresListener, ComputationGraph, MultiDataSet } from '@dl4ts/core';
import { nodeWorkers } from './node';
import { ParallelTrainer } from './trainer';
import { classification, firstDifference, flatState, numTensors, testRegistry } from './test-support';

// Two inputs, two outputs: the classes from both inputs merged, and a regression head on one.
const config: GraphConfig = {
  seed: 3,
  inputs: { a: 4, b: 2 },
  defaults: { weightInit: 'xavier', updater: { type: 'updaters/adam', learningRate: 0.02 } },
  vertices: [
    { name: 'da', type: 'layers/dense', nOut: 6, activation: 'tanh', inputs: ['a'] },
    { name: 'joined', type: 'core/merge', inputs: ['da', 'b'] },
    { name: 'cls', type: 'layers/output', nOut: 3, activation: 'softmax', loss: 'mcxent', inputs: ['joined'] },
    { name: 'reg', type: 'layers/output', nOut: 2, activation: 'identity', loss: 'mse', inputs: ['da'] },
  ],
  outputs: ['cls', 'reg'],
  lossWeights: { reg: 0.5 },
};

/** A MultiDataSet: the classification data's six columns split into the two inputs, and two label arrays. */
function data(n: number, seed: number): MultiDataSet {
  const d = classification(n, 6, 3, seed);
  const set = MultiDataSet.adopt({
    features: [tf.slice(d.features, [0, 0], [-1, 4]), tf.slice(d.features, [0, 4], [-1, 2])],
    labels: [tf.clone(d.labels), tf.slice(d.features, [0, 0], [-1, 2])],
  });
  d.dispose();
  return set;
}

const graph = () => new ComputationGraph(config, { registry: testRegistry(), onWarning: () => undefined }).init();

describe('ParallelTrainer on a ComputationGraph', () => {
  it('with 1 worker averaging every step: parameters, Adam state, counters and scores equal graph.fit exactly', async () => {
    const set = data(40, 1);
    const plain = graph();
    const plainScores = new CollectScoresListener({ every: 1 });
    const plainResult = await plain.fit(set, { epochs: 2, batchSize: 8, listeners: [plainScores] });
    const model = graph();
    const scores = new CollectScoresListener({ every: 1 });
    const trainer = new ParallelTrainer(model, { transport: nodeWorkers(), workers: 1, averagingFrequency: 1, backend: 'cpu' });
    try {
      const result = await trainer.fit(set, { epochs: 2, batchSize: 8, listeners: [scores] });
      expect(result.meanScores).toEqual(plainResult.meanScores);
      expect(scores.scores).toEqual(plainScores.scores);
      expect(firstDifference(await flatState(model), await flatState(plain))).toBe(-1);
      expect([model.iteration, model.epoch]).toEqual([plain.iteration, plain.epoch]);
    } finally {
      await trainer.close();
      for (const m of [set, plain, model]) m.dispose();
    }
  });

  it('with 2 workers averaging every 2 steps: the graph learns, leak-free on the main thread', async () => {
    const set = data(64, 2);
    const model = graph();
    const trainer = new ParallelTrainer(model, { transport: nodeWorkers(), workers: 2, averagingFrequency: 2, backend: 'cpu' });
    try {
      const first = await trainer.fit(set, { epochs: 1, batchSize: 8 });
      const before = numTensors();
      await trainer.fit(set, { epochs: 3, batchSize: 8 });
      expect(numTensors()).toBe(before);
      const last = await trainer.fit(set, { epochs: 1, batchSize: 8 });
      expect(last.meanScores[0]).toBeLessThan(first.meanScores[0] as number);
      expect(model.epoch).toBe(5);
    } finally {
      await trainer.close();
      set.dispose();
      model.dispose();
    }
  });
});
