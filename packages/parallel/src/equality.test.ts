import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { NetworkConfig, TrainingListener } from '@dl4ts/core';
import { CollectScoresListener, DataSet, fitEarlyStopping, maxEpochs } from '@dl4ts/core';
import { nodeWorkers } from './node';
import { StateLayout } from './flat-state';
import type { WindowInfo, WindowListener } from './fit-run';
import { ParallelTrainer } from './trainer';
import { classification, firstDifference, flatState, network, numTensors } from './test-support';

const mlp: NetworkConfig = {
  seed: 7,
  input: 6,
  defaults: { weightInit: 'xavier', updater: { type: 'updaters/nesterovs', learningRate: 0.1, momentum: 0.9 }, l2: 1e-3 },
  layers: [
    { type: 'layers/dense', nOut: 8, activation: 'tanh', dropout: 0.8 },
    { type: 'layers/output', nOut: 3, activation: 'softmax', loss: 'mcxent' },
  ],
};

describe('ParallelTrainer equals plain training', () => {
  it('with averageUpdaters: false, replicas share parameters but keep their own updater state; the main network keeps its own', async () => {
    const data = classification(48, 6, 3, 4);
    const net = network(mlp);
    await net.fit(data, { epochs: 1, batchSize: 8 }); // non-zero momentum to keep
    const layout = new StateLayout(net);
    const updatersBefore = (await flatState(net)).slice(layout.length(false));
    const trainer = new ParallelTrainer(net, { transport: nodeWorkers(), workers: 2, averagingFrequency: 3, averageUpdaters: false, backend: 'cpu' });
    try {
      await trainer.fit(data, { epochs: 2, batchSize: 8 });
      const after = await flatState(net);
      expect(firstDifference(after.slice(layout.length(false)), updatersBefore)).toBe(-1);
      const [a, b] = (await trainer.workerStates()) as [Float32Array, Float32Array];
      expect(a.length).toBe(layout.length(false)); // parameters only
      expect(firstDifference(a, after.subarray(0, layout.length(false)))).toBe(-1);
      expect(firstDifference(b, a)).toBe(-1);
      const [fullA, fullB] = (await trainer.workerStates({ updaters: true })) as [Float32Array, Float32Array];
      const updatersOf = (state: Float32Array) => state.slice(layout.length(false));
      expect(firstDifference(updatersOf(fullA), updatersOf(fullB))).not.toBe(-1);
      expect(firstDifference(updatersOf(fullA), updatersBefore)).not.toBe(-1);
    } finally {
      await trainer.close();
      data.dispose();
      net.dispose();
    }
  });

  it('with 1 worker averaging every step: parameters, updater state, counters and scores equal fit exactly; no tensor leaks', async () => {
    const data = classification(40, 6, 3, 1);
    const plain = network(mlp);
    const plainScores = new CollectScoresListener({ every: 1 });
    const plainResult = await plain.fit(data, { epochs: 3, batchSize: 8, listeners: [plainScores] });

    const net = network(mlp);
    const scores = new CollectScoresListener({ every: 1 });
    const tensorsAfterEpoch: number[] = [];
    const memory: TrainingListener = { onEpochEnd: () => void tensorsAfterEpoch.push(numTensors()) };
    const trainer = new ParallelTrainer(net, { transport: nodeWorkers(), workers: 1, averagingFrequency: 1, backend: 'cpu' });
    try {
      const result = await trainer.fit(data, { epochs: 3, batchSize: 8, listeners: [scores, memory] });
      expect(result.meanScores).toEqual(plainResult.meanScores);
      expect(result.workerFailures).toEqual([]);
      expect(scores.scores).toEqual(plainScores.scores);
      expect(scores.scores.map((s) => s.iteration)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
      expect([net.iteration, net.epoch]).toEqual([plain.iteration, plain.epoch]);
      const [expected, actual] = [await flatState(plain), await flatState(net)];
      expect(actual.length).toBe(expected.length);
      expect(firstDifference(actual, expected)).toBe(-1);
      expect(new Set(tensorsAfterEpoch).size).toBe(1);
      const [replica] = await trainer.workerStates();
      expect(firstDifference(replica as Float32Array, actual)).toBe(-1);
    } finally {
      await trainer.close();
      tf.dispose([data.features, data.labels]);
      plain.dispose();
      net.dispose();
    }
    expect(trainer.liveWorkers).toBe(0);
  });

  it('replicas are weighted by the examples they trained on: a window of minibatches of 2 and 1 is the step on all 3', async () => {
    // 3 examples, minibatches of 2: worker 0 trains on examples 0-1, worker 1 on example 2. Weighted
    // 2:1, the average of the two SGD steps is the step on all three examples (the plain mean of the
    // two would weigh example 2 twice). Each worker's step is exact in float32 (dyadic numbers); the
    // weighted mean is taken in float64 and rounded once.
    const config: NetworkConfig = {
      seed: 1,
      input: 2,
      defaults: { updater: { type: 'updaters/sgd', learningRate: 0.125 } },
      layers: [{ type: 'layers/output', nOut: 1, activation: 'identity', loss: 'mse' }],
    };
    const W = [0.25, -0.5];
    const x = [[1, 2], [-1, 0], [2, -2]];
    const y = [[1], [0], [2]];
    // The step on all three, in float64: d(score)/dp = 2 (p - y) per example, averaged.
    const grad = [0, 0, 0];
    x.forEach((row, i) => {
      const d = (2 * ((row[0] as number) * (W[0] as number) + (row[1] as number) * (W[1] as number) - (y[i]?.[0] as number))) / x.length;
      grad[0] = (grad[0] as number) + (row[0] as number) * d;
      grad[1] = (grad[1] as number) + (row[1] as number) * d;
      grad[2] = (grad[2] as number) + d;
    });
    const expected = [...W, 0].map((p, i) => p - 0.125 * (grad[i] as number));
    const data = DataSet.from(x, y);
    const net = network(config);
    tf.tidy(() => {
      net.setParam('output_0/W', tf.tensor2d(W, [2, 1]));
      net.setParam('output_0/b', tf.tensor1d([0]));
    });
    const trainer = new ParallelTrainer(net, { transport: nodeWorkers(), workers: 2, averagingFrequency: 1, backend: 'cpu' });
    try {
      await trainer.fit(data, { epochs: 1, batchSize: 2, shuffle: false });
      const actual = await flatState(net);
      // One rounding to float32 of a float64 value within a few float64 ulps of the exact one.
      expected.forEach((value, i) => expect(Math.abs((actual[i] as number) - value)).toBeLessThanOrEqual(Math.abs(value) * 2 ** -24 + 2 ** -40));
      // The plain mean of the two workers' steps is far from it.
      const stepOn = (rows: number[]) => {
        const g = [0, 0, 0];
        for (const i of rows) {
          const row = x[i] as number[];
          const d = (2 * ((row[0] as number) * (W[0] as number) + (row[1] as number) * (W[1] as number) - (y[i]?.[0] as number))) / rows.length;
          g[0] = (g[0] as number) + (row[0] as number) * d;
          g[1] = (g[1] as number) + (row[1] as number) * d;
          g[2] = (g[2] as number) + d;
        }
        return [...W, 0].map((p, k) => p - 0.125 * (g[k] as number));
      };
      const [first, second] = [stepOn([0, 1]), stepOn([2])];
      const plainMean = first.map((v, k) => (v + (second[k] as number)) / 2);
      expect(Math.max(...plainMean.map((v, k) => Math.abs(v - (actual[k] as number))))).toBeGreaterThan(0.01);
    } finally {
      await trainer.close();
      data.dispose();
      net.dispose();
    }
  });

  it('with 2 workers averaging every step on plain SGD: one averaging step is the large-batch step, exactly', async () => {
    // A linear model with MSE on small dyadic numbers: every intermediate value is exact in
    // float32, so the average of the two workers' steps and the direct step agree to the bit.
    const config: NetworkConfig = {
      seed: 1,
      input: 2,
      defaults: { updater: { type: 'updaters/sgd', learningRate: 0.125 } },
      layers: [{ type: 'layers/output', nOut: 2, activation: 'identity', loss: 'mse' }],
    };
    const W = [0.25, -0.5, 0.75, 1];
    const b = [0.5, -0.25];
    const x = [[1, 2], [-1, 0], [2, -2], [0, 1]];
    const y = [[1, 0], [0, 1], [2, -1], [-1, 2]];
    const init = (net: ReturnType<typeof network>) => {
      tf.tidy(() => {
        net.setParam('output_0/W', tf.tensor2d(W, [2, 2]));
        net.setParam('output_0/b', tf.tensor1d(b));
      });
      return net;
    };
    // The large-batch SGD step, in float64: d(score)/dp = 2 (p - y) / nOut per example, averaged.
    const gradW = [0, 0, 0, 0];
    const gradB = [0, 0];
    x.forEach((row, i) => {
      for (let o = 0; o < 2; o++) {
        const p = (row[0] as number) * (W[o] as number) + (row[1] as number) * (W[2 + o] as number) + (b[o] as number);
        const d = (2 * (p - (y[i]?.[o] as number))) / 2 / x.length;
        gradW[o] = (gradW[o] as number) + (row[0] as number) * d;
        gradW[2 + o] = (gradW[2 + o] as number) + (row[1] as number) * d;
        gradB[o] = (gradB[o] as number) + d;
      }
    });
    const expectedW = W.map((w, i) => w - 0.125 * (gradW[i] as number));
    const expectedB = b.map((v, i) => v - 0.125 * (gradB[i] as number));

    const data = DataSet.from(x, y);
    const direct = init(network(config));
    await direct.fit(data, { epochs: 1, batchSize: 4, shuffle: false });
    const net = init(network(config));
    const trainer = new ParallelTrainer(net, { transport: nodeWorkers(), workers: 2, averagingFrequency: 1, backend: 'cpu' });
    try {
      await trainer.fit(data, { epochs: 1, batchSize: 2, shuffle: false });
      const read = async (n: typeof net, name: string) => {
        const t = n.getParam(name);
        const values = Array.from(await t.data());
        t.dispose();
        return values;
      };
      expect(await read(net, 'output_0/W')).toEqual(expectedW);
      expect(await read(net, 'output_0/b')).toEqual(expectedB);
      expect(await read(direct, 'output_0/W')).toEqual(expectedW);
      expect(await read(direct, 'output_0/b')).toEqual(expectedB);
      expect(expectedW).not.toEqual(W); // the step moved the parameters
      expect(net.iteration).toBe(1);
      const replicas = await trainer.workerStates();
      const main = await flatState(net);
      for (const replica of replicas) expect(firstDifference(replica, main)).toBe(-1);
    } finally {
      await trainer.close();
      data.dispose();
      direct.dispose();
      net.dispose();
    }
  });

  it('with 2 workers: every replica holds the same bits, a seed reproduces the run, early stopping drives the trainer, listeners stop or fail it', async () => {
    const data = classification(60, 6, 3, 2);
    const adam: NetworkConfig = { ...mlp, defaults: { ...mlp.defaults, updater: { type: 'updaters/adam', learningRate: 0.01 } } };
    const net = network(adam);
    const trainer = new ParallelTrainer(net, { transport: nodeWorkers(), workers: 2, averagingFrequency: 2, prefetch: 1, backend: 'cpu' });
    try {
      const first = await trainer.fit(data, { epochs: 2, batchSize: 8 });
      expect(first.epochs).toBe(2);
      expect([net.iteration, net.epoch]).toEqual([8, 2]); // 8 minibatches per epoch, one per worker per iteration
      const main = await flatState(net);
      const replicas = await trainer.workerStates();
      expect(replicas).toHaveLength(2);
      for (const replica of replicas) expect(firstDifference(replica, main)).toBe(-1);

      // The same seed and worker count give the same bits (the workers are reloaded from net).
      net.init();
      await trainer.fit(data, { epochs: 2, batchSize: 8 });
      expect(firstDifference(await flatState(net), main)).toBe(-1);

      // Early stopping runs one fit per epoch through the trainer: the same run again.
      net.init();
      const stopped = await fitEarlyStopping(net, data, { epochConditions: [maxEpochs(2)], trainer }, { batchSize: 8 });
      expect(stopped.totalEpochs).toBe(2);
      expect(stopped.terminationReason).toBe('epoch-condition');
      expect(firstDifference(await flatState(net), main)).toBe(-1);
      const best = await stopped.bestModel();
      best.dispose();

      // Different from training on one worker: the averaging did something.
      const single = network(adam);
      await single.fit(data, { epochs: 2, batchSize: 8 });
      expect(firstDifference(await flatState(single), main)).not.toBe(-1);
      single.dispose();

      // A window listener hears each average before its rounds: every worker's examples, scores and times.
      net.init();
      const windows: WindowInfo[] = [];
      const order: string[] = [];
      const watcher: TrainingListener & WindowListener = {
        onWindow: (w) => void (windows.push(w), order.push(`window to ${w.iteration}`)),
        onIterationEnd: (i) => void order.push(`iteration ${i.iteration}`),
      };
      await trainer.fit(data, { epochs: 1, batchSize: 8, listeners: [watcher] });
      // 8 minibatches (the last of 4), 2 workers: 4 rounds, averaged every 2.
      expect(order).toEqual(['window to 2', 'iteration 1', 'iteration 2', 'window to 4', 'iteration 3', 'iteration 4']);
      expect(windows.map((w) => w.workers.map((s) => [s.worker, s.examples]))).toEqual([[[0, 16], [1, 16]], [[0, 16], [1, 12]]]);
      for (const w of windows) {
        expect(w.rounds).toBe(2);
        for (const s of w.workers) {
          expect(s.reportMs).toBeGreaterThanOrEqual(0);
          expect(s.reportMs).toBeLessThanOrEqual(w.ms);
          expect(s.ageMs).toBeGreaterThanOrEqual(0);
          expect(s.meanScore).toBeGreaterThan(0);
        }
      }

      // A listener's stop ends training after that averaging window (rounds 3 and 4), unheard after.
      net.init();
      const heard: number[] = [];
      const stopper: TrainingListener = {
        onIterationEnd(info) {
          heard.push(info.iteration);
          if (info.iteration === 3) info.stop('enough');
        },
      };
      const early = await trainer.fit(data, { epochs: 2, batchSize: 8, listeners: [stopper] });
      expect([early.stopReason, early.epochs]).toEqual(['enough', 0]);
      expect(heard).toEqual([1, 2, 3]);
      expect([net.iteration, net.epoch]).toEqual([4, 0]);

      // An aborted signal stops before the first window; the network is unchanged.
      const before = await flatState(net);
      const controller = new AbortController();
      controller.abort('halt');
      const aborted = await trainer.fit(data, { epochs: 1, batchSize: 8, signal: controller.signal });
      expect([aborted.stopReason, aborted.epochs]).toEqual(['halt', 0]);
      expect(firstDifference(await flatState(net), before)).toBe(-1);

      // A listener that throws: fit rejects with its error and the workers are gone.
      const broken: TrainingListener = {
        onIterationEnd() {
          throw new Error('listener broke');
        },
      };
      await expect(trainer.fit(data, { epochs: 1, batchSize: 8, listeners: [broken] })).rejects.toThrow('listener broke');
      expect(trainer.liveWorkers).toBe(0);
    } finally {
      await trainer.close();
      data.dispose();
      net.dispose();
    }
  });
});
