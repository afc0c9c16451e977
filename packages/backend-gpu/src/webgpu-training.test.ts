// A whole training run on WebGPU, where a synchronous read of a computed tensor throws in Node:
// fit with listeners, early stopping and Evaluation must only ever read asynchronously.
import {
  CollectScoresListener,
  DataSet,
  Evaluation,
  EvaluativeListener,
  Network,
  PerformanceListener,
  Registry,
  ScoreIterationListener,
  classificationCalculator,
  fitEarlyStopping,
  maxEpochs,
  scoreImprovement,
  selectBackend,
} from '@dl4ts/core';
import { registerLayers } from '@dl4ts/layers';
import { registerLosses } from '@dl4ts/losses';
import { registerUpdaters } from '@dl4ts/updaters';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { webgpuBackend } from './webgpu-backend';
import { webgpuAvailable } from './webgpu-test-env';

/** Three separable 2-D classes: class c centred at angle 2πc/3, radius 2, with small spread. */
function blobs(n: number, seed: number): { x: number[][]; y: number[][] } {
  let s = seed;
  const rand = () => ((s = (s * 16807) % 2147483647) / 2147483647) - 0.5;
  const x: number[][] = [];
  const y: number[][] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    x.push([2 * Math.cos((2 * Math.PI * c) / 3) + rand(), 2 * Math.sin((2 * Math.PI * c) / 3) + rand()]);
    y.push([0, 1, 2].map((k) => (k === c ? 1 : 0)));
  }
  return { x, y };
}

const registry = new Registry();
registerLayers(registry);
registerLosses(registry);
registerUpdaters(registry);

const makeNet = () =>
  new Network(
    {
      seed: 11,
      input: 2,
      defaults: { weightInit: 'xavier', updater: { type: 'updaters/adam', learningRate: 0.05 } },
      layers: [
        { type: 'layers/dense', nOut: 16, activation: 'tanh' },
        { type: 'layers/output', nOut: 3, activation: 'softmax', loss: 'mcxent' },
      ],
    },
    { registry },
  ).init();

async function evaluateBest(net: Network, data: DataSet): Promise<Evaluation> {
  const outputs = net.output(data.features);
  const evaluation = await new Evaluation(3).eval(data.labels, outputs);
  outputs.dispose();
  return evaluation;
}

describe.runIf(webgpuAvailable)('training on WebGPU reads only asynchronously', () => {
  beforeAll(async () => {
    await selectBackend(['webgpu'], [webgpuBackend()]);
  });

  it('fits with score, collecting, performance and evaluative listeners, leak-free per epoch', async () => {
    expect(tf.getBackend()).toBe('webgpu');
    const trainSet = blobs(96, 3);
    const testSet = blobs(48, 7);
    const train = DataSet.from(trainSet.x, trainSet.y);
    const test = DataSet.from(testSet.x, testSet.y);
    const net = makeNet();
    const lines: string[] = [];
    const collect = new CollectScoresListener({ every: 3 });
    const evaluative = new EvaluativeListener({ data: test, every: 2, onEvaluation: () => undefined });
    const counts: number[] = [];
    const result = await net.fit(train, {
      epochs: 6,
      batchSize: 32,
      listeners: [
        new ScoreIterationListener({ every: 3, log: (m) => lines.push(m) }),
        collect,
        new PerformanceListener({ every: 6, log: (m) => lines.push(m) }),
        evaluative,
        { onEpochEnd: () => void counts.push(tf.memory().numTensors) },
      ],
    });
    expect(result.epochs).toBe(6);
    expect(collect.scores).toHaveLength(6); // 18 iterations, every 3rd
    expect(lines.filter((l) => l.startsWith('Score at iteration'))).toHaveLength(6);
    expect(evaluative.records.map((r) => r.epoch)).toEqual([2, 4, 6]);
    expect(new Set(counts).size).toBe(1);
    // Separable blobs: the mean epoch score falls, and the held-out accuracy ends high.
    expect(result.meanScores[5]!).toBeLessThan(result.meanScores[0]!);
    const outputs = net.output(test.features);
    expect(() => outputs.dataSync()).toThrow(); // the read fit and Evaluation never make
    const evaluation = await new Evaluation(3).eval(test.labels, outputs);
    outputs.dispose();
    expect(evaluation.accuracy()).toBeGreaterThan(0.9);
    train.dispose();
    test.dispose();
  });

  it('runs early stopping with a classification score calculator', async () => {
    const trainSet = blobs(60, 5);
    const validSet = blobs(30, 9);
    const train = DataSet.from(trainSet.x, trainSet.y);
    const valid = DataSet.from(validSet.x, validSet.y);
    const es = await fitEarlyStopping(
      makeNet(),
      train,
      { epochConditions: [maxEpochs(4), scoreImprovement({ patience: 2 })], scoreCalculator: classificationCalculator(valid, 'accuracy') },
      { batchSize: 30 },
    );
    expect(es.totalEpochs).toBeLessThanOrEqual(4);
    expect(es.bestModelScore).toBeGreaterThan(0.5);
    expect(es.scoreVsEpoch.size).toBe(es.totalEpochs);
    const best = await es.bestModel();
    expect((await evaluateBest(best, valid)).accuracy()).toBeCloseTo(es.bestModelScore, 6);
    best.dispose();
    train.dispose();
    valid.dispose();
  });
});
