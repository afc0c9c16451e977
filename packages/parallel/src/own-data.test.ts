import { describe, expect, it } from 'vitest';
import type { AnyBatch, BatchSource, NetworkConfig } from '@dl4ts/core';
import { CollectScoresListener, ConfigError } from '@dl4ts/core';
import { DATA_FIXTURE_URL, type ClassificationOptions } from './data-fixture';
import { WorkerError } from './errors';
import { nodeWorkers, openData } from './node';
import { ParallelTrainer } from './trainer';
import { classification, firstDifference, flatState, network, numTensors } from './test-support';

const mlp: NetworkConfig = {
  seed: 11,
  input: 5,
  defaults: { weightInit: 'xavier', updater: { type: 'updaters/adam', learningRate: 0.01 }, l2: 1e-4 },
  layers: [
    { type: 'layers/dense', nOut: 7, activation: 'tanh', dropout: 0.9 },
    { type: 'layers/output', nOut: 3, activation: 'softmax', loss: 'mcxent' },
  ],
};
const shape: ClassificationOptions = { n: 70, features: 5, classes: 3, seed: 9 };
const spec = { module: DATA_FIXTURE_URL, export: 'classificationData', options: shape };

describe('data the workers open themselves (a DataSpec)', () => {
  it('gives the same bits as minibatches dealt from the main thread: 3 workers, shuffled, a short last round', async () => {
    const tensors = numTensors();
    const dealt = classification(shape.n, shape.features, shape.classes, shape.seed);
    const own = await openData(spec);
    const run = async (data: BatchSource<AnyBatch>) => {
      const net = network(mlp);
      const scores = new CollectScoresListener({ every: 1 });
      const trainer = new ParallelTrainer(net, { transport: nodeWorkers(), workers: 3, averagingFrequency: 2, backend: 'cpu' });
      try {
        const result = await trainer.fit(data, { epochs: 2, batchSize: 8, listeners: [scores] });
        return { result, scores: scores.scores, state: await flatState(net), counters: [net.iteration, net.epoch] };
      } finally {
        await trainer.close();
        net.dispose();
      }
    };
    const a = await run(dealt);
    const b = await run(own);
    expect(b.result.meanScores).toEqual(a.result.meanScores);
    expect(b.scores).toEqual(a.scores);
    expect(b.counters).toEqual(a.counters);
    expect(b.counters).toEqual([6, 2]); // 9 minibatches per epoch: 3 rounds of 3
    expect(firstDifference(b.state, a.state)).toBe(-1);
    dealt.dispose();
    own.dispose();
    expect(numTensors()).toBe(tensors);
  });

  it('a spec the workers cannot open fails fit with a WorkerError naming the export; a spec without a size is refused', async () => {
    const own = await openData(spec);
    const wrong = { ...own, spec: { ...spec, export: 'missing' } };
    const net = network(mlp);
    const trainer = new ParallelTrainer(net, { transport: nodeWorkers(), workers: 1, backend: 'cpu' });
    try {
      const failure = await trainer.fit(wrong, { epochs: 1, batchSize: 8 }).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(WorkerError);
      expect(String((failure as Error).message)).toMatch(/no function export "missing"/);
      await expect(openData({ module: DATA_FIXTURE_URL, export: 'DATA_FIXTURE_URL' })).rejects.toThrow(ConfigError);
      await expect(openData({ module: '', export: 'x' })).rejects.toThrow(/data spec must be \{ module, export, options\? \}/);
      const unsized = { spec, size: Number.NaN, batches: () => [], dispose: () => undefined };
      const fresh = new ParallelTrainer(net, { transport: nodeWorkers(), workers: 1, backend: 'cpu' });
      await expect(fresh.fit(unsized, { epochs: 1 })).rejects.toThrow(/must know its size, a positive integer; received NaN/);
      await fresh.close();
    } finally {
      await trainer.close();
      own.dispose();
      net.dispose();
    }
  });
});
