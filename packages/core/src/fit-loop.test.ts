import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { DataSet } from './data-set';
import { StreamingSource } from './data/streaming-source';
import type { GradientInfo } from './listener';
import { Network } from './network';
import { X, Y, makeNet, mechanicsRegistry } from './network-test-support';

describe('the fit loop', () => {
  it('keeps the tensor count identical after every epoch', async () => {
    const net = makeNet();
    const data = DataSet.from(X, Y);
    const counts: number[] = [];
    await net.fit(data, { epochs: 3, batchSize: 3, listeners: [{ onEpochEnd: () => void counts.push(tf.memory().numTensors) }] });
    expect(counts).toHaveLength(3);
    expect(new Set(counts).size).toBe(1);
    data.dispose();
    net.dispose();
  });

  it('shows a listener the gradients of the iterations it wants, equal to the closed form, before the update', async () => {
    const net = makeNet();
    const data = DataSet.from(X, Y);
    const read = (info: GradientInfo, name: string, of: 'gradient' | 'param') => [...(of === 'gradient' ? (info.gradients.get(name) as tf.Tensor) : info.network.getParam(name)).dataSync()];
    const heard: { iteration: number; gW: number[]; gb: number[]; W: number[]; b: number[] }[] = [];
    const listener = {
      gradientsWanted: (iteration: number) => iteration === 2,
      // Called before the update: the parameters read here are the ones the gradient was taken at.
      onGradients: (info: GradientInfo) =>
        void heard.push({ iteration: info.iteration, gW: read(info, 'linear-out_0/W', 'gradient'), gb: read(info, 'linear-out_0/b', 'gradient'), W: read(info, 'linear-out_0/W', 'param'), b: read(info, 'linear-out_0/b', 'param') }),
    };
    const before = tf.memory().numTensors;
    await net.fit(data, { epochs: 3, batchSize: 4, shuffle: false, listeners: [listener] });
    expect(tf.memory().numTensors).toBe(before);
    expect(heard.map((h) => h.iteration)).toEqual([2]);
    // Full batch, loss = mean 0.5 (x W + b - y)^2: dL/dW_j = mean r x_j, dL/db = mean r (float64).
    const { gW, gb, W, b } = heard[0]!;
    const residual = X.map((x, i) => (x[0] as number) * W[0]! + (x[1] as number) * W[1]! + b[0]! - (Y[i]![0] as number));
    [0, 1].forEach((j) => expect(gW[j]).toBeCloseTo(residual.reduce((sum, r, i) => sum + r * (X[i]![j] as number), 0) / X.length, 5));
    expect(gb[0]).toBeCloseTo(residual.reduce((sum, r) => sum + r, 0) / X.length, 5);
    data.dispose();
    net.dispose();
  });

  it('leaves no tensor behind when a listener throws mid-epoch on shuffled minibatches', async () => {
    const net = makeNet();
    const data = DataSet.from(X, Y);
    const before = tf.memory().numTensors;
    const boom = { onIterationEnd: (i: { batchInEpoch: number }) => { if (i.batchInEpoch === 1) throw new Error('listener failed'); } };
    await expect(net.fit(data, { epochs: 2, batchSize: 2, listeners: [boom] })).rejects.toThrow('listener failed');
    // Before the fix the shuffled batch's gather index outlived the generator that was never resumed.
    expect(tf.memory().numTensors).toBe(before);
    data.dispose();
    net.dispose();
  });

  it('trains on an async streaming source exactly as on the same rows in memory, without leaking', async () => {
    const streamed = makeNet();
    const source = new StreamingSource(async function* () {
      yield X.slice(0, 3).map((features, i) => ({ features, labels: Y[i] as number[] }));
      yield X.slice(3).map((features, i) => ({ features, labels: Y[i + 3] as number[] }));
    });
    const counts: number[] = [];
    await streamed.fit(source, { epochs: 3, batchSize: 3, shuffle: false, listeners: [{ onEpochEnd: () => void counts.push(tf.memory().numTensors) }] });
    expect(new Set(counts).size).toBe(1);
    const inMemory = makeNet();
    await inMemory.fit({ features: X, labels: Y }, { epochs: 3, batchSize: 3, shuffle: false });
    expect(streamed.iteration).toBe(6); // 2 batches (3 + 1 rows) per epoch
    for (const name of inMemory.paramNames()) {
      expect(Array.from(await streamed.getParam(name).data())).toEqual(Array.from(await inMemory.getParam(name).data()));
    }
    const untrained = makeNet();
    expect(Array.from(await untrained.getParam('linear-out_0/W').data())).not.toEqual(Array.from(await inMemory.getParam('linear-out_0/W').data()));
    for (const n of [streamed, inMemory, untrained]) n.dispose();
  });

  it('is reproducible: the same seed gives the same parameters after shuffled training', async () => {
    const run = async () => {
      const net = makeNet();
      const data = DataSet.from(X, Y);
      await net.fit(data, { epochs: 4, batchSize: 2 });
      const values = Array.from(await net.getParam('linear-out_0/W').data());
      data.dispose();
      net.dispose();
      return values;
    };
    expect(await run()).toEqual(await run());
  });

  it('commits state proposed by a layer after each step: the running mean follows its recurrence', async () => {
    const net = new Network({ input: 2, defaults: { updater: 'test/sgd' }, layers: [{ type: 'test/running-mean', momentum: 0.9 }, { type: 'test/sparse-out' }] }, { registry: mechanicsRegistry() }).init();
    const x = [[1, 2], [3, 6]];
    await net.fit({ features: x, labels: [[0], [1]] }, { epochs: 3, batchSize: 2, shuffle: false });
    // mean_t = 0.9 mean_{t-1} + 0.1 [2, 4], three times from 0.
    const expected = [2, 4].map((m) => m * (1 - 0.9 ** 3));
    const mean = await net.getParam('running-mean_0/mean').data();
    expect(mean[0]).toBeCloseTo(expected[0] as number, 6);
    expect(mean[1]).toBeCloseTo(expected[1] as number, 6);
    net.dispose();
  });

  it('reports progress per iteration without reading the score', async () => {
    const net = new Network({ input: 2, defaults: { updater: 'test/sgd' }, layers: [{ type: 'test/sparse-out' }] }, { registry: mechanicsRegistry() }).init();
    const seen: number[] = [];
    await net.fit({ features: [[1, 2], [2, 1], [0, 1]], labels: [[0], [1], [2]] }, { batchSize: 2, listeners: [{ onIterationEnd: (i) => void seen.push(i.examples) }] });
    expect(seen.sort()).toEqual([1, 2]);
    net.dispose();
  });
});
