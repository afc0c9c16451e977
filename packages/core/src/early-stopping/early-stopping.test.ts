import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSet } from '../data-set';
import { ConfigError } from '../errors';
import { Network } from '../network';
import type { Model } from '../model';
import { LocalFileModelSaver } from '../node/local-file-model-saver';
import { Rng } from '../random';
import { testRegistry } from '../test-support';
import { fitEarlyStopping } from './early-stopping';
import { classificationCalculator, lossCalculator, regressionCalculator } from './score-calculators';
import { bestScore, invalidScore, maxEpochs, maxScore, maxTime, scoreImprovement } from './termination';

// An over-parameterised linear regression: 40 features, 16 noisy training rows. Gradient descent
// first fits the signal, then the noise, so the held-out loss falls and then rises.
const P = 40;
const rng = new Rng(5);
const wTrue = Array.from({ length: P }, (_, j) => (j < 4 ? 1 : 0));
const row = () => Array.from({ length: P }, () => rng.normal());
const target = (x: number[], noise: number) => [x.reduce((s, v, j) => s + v * wTrue[j]!, 0) + noise * rng.normal()];
const trainX = Array.from({ length: 16 }, row);
const trainY = trainX.map((x) => target(x, 1.5));
const validX = Array.from({ length: 200 }, row);
const validY = validX.map((x) => target(x, 0));

const makeNet = () => new Network({ seed: 3, input: P, defaults: { updater: { type: 'ts/sgd', lr: 0.02 } }, layers: [{ type: 'ts/out', nOut: 1 }] }, { registry: testRegistry() }).init();

/** Held-out loss in float64: mean over rows of (x.W + b - y)^2 (one output column). */
function validLoss(W: ArrayLike<number>, b: number): number {
  let sum = 0;
  validX.forEach((x, i) => {
    const out = x.reduce((s, v, j) => s + v * (W[j] as number), b);
    sum += (out - validY[i]![0]!) ** 2;
  });
  return sum / validX.length;
}

/** A parameter's values (getParam returns a copy, disposed here). */
async function read(net: Model, name: string): Promise<Float32Array> {
  const t = net.getParam(name);
  const values = (await t.data()) as Float32Array;
  t.dispose();
  return values;
}

let train: DataSet;
let valid: DataSet;
let dir: string;
beforeAll(async () => {
  train = DataSet.from(trainX, trainY);
  valid = DataSet.from(validX, validY);
  dir = await mkdtemp(join(tmpdir(), 'dl4ts-es-'));
});
afterAll(async () => {
  train.dispose();
  valid.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('fitEarlyStopping', () => {
  it('stops at the configured patience on a problem that overfits and returns the best epoch\'s model', async () => {
    const net = makeNet();
    const snapshots: { W: Float32Array; b: number }[] = [];
    const counts: number[] = [];
    const patience = 5;
    const result = await fitEarlyStopping(
      net,
      train,
      { epochConditions: [maxEpochs(400), scoreImprovement({ patience })], scoreCalculator: lossCalculator(valid) },
      {
        batchSize: 16,
        listeners: [{
          onEpochEnd: async (info) => {
            snapshots.push({ W: await read(info.network, 'out_0/W'), b: (await read(info.network, 'out_0/b'))[0]! });
            counts.push(tf.memory().numTensors);
          },
        }],
      },
    );
    expect(result.terminationReason).toBe('epoch-condition');
    expect(result.terminationDetails).toMatch(/^scoreImprovement\(patience 5/);
    expect(result.totalEpochs).toBe(result.bestModelEpoch + patience);
    expect(counts).toEqual(counts.map(() => counts[0]));
    // Every score is the held-out loss of that epoch's parameters, computed here in float64.
    const independent = snapshots.map((s) => validLoss(s.W, s.b));
    expect(result.scoreVsEpoch.size).toBe(result.totalEpochs);
    for (const [epoch, score] of result.scoreVsEpoch) expect(score).toBeCloseTo(independent[epoch - 1]!, 4);
    const argmin = independent.indexOf(Math.min(...independent)) + 1;
    expect(result.bestModelEpoch).toBe(argmin);
    // The problem really overfits: the best epoch is neither the first nor the last.
    expect(result.bestModelEpoch).toBeGreaterThan(1);
    expect(independent.at(-1)!).toBeGreaterThan(independent[argmin - 1]! + 0.05);
    const best = await result.bestModel();
    expect(Array.from(await read(best, 'out_0/W'))).toEqual(Array.from(snapshots[argmin - 1]!.W));
    expect((await read(best, 'out_0/b'))[0]).toBe(snapshots[argmin - 1]!.b);
    expect(best.epoch).toBe(argmin);
    expect(await lossCalculator(valid).calculate(best)).toBeCloseTo(result.bestModelScore, 6);
    // The trained network itself holds the last epoch's parameters.
    expect(Array.from(await read(net, 'out_0/W'))).toEqual(Array.from(snapshots.at(-1)!.W));
    best.dispose();
    net.dispose();
  });

  it('ends at once on an iteration condition: a diverging score (invalidScore, maxScore)', async () => {
    for (const condition of [invalidScore(), maxScore(1e6)]) {
      const net = new Network({ seed: 3, input: P, defaults: { updater: { type: 'ts/sgd', lr: 5 } }, layers: [{ type: 'ts/out', nOut: 1 }] }, { registry: testRegistry() }).init();
      const result = await fitEarlyStopping(net, train, { epochConditions: [maxEpochs(500)], iterationConditions: [condition] }, { batchSize: 4 });
      expect(result.terminationReason).toBe('iteration-condition');
      expect(result.terminationDetails).toBe(condition.describe());
      expect(result.totalEpochs).toBeLessThan(500);
      net.dispose();
    }
  });

  it('ends on maxTime, bestScore and an aborted signal', async () => {
    let clock = 0;
    const net = makeNet();
    const timed = await fitEarlyStopping(net, train, { epochConditions: [maxEpochs(100)], iterationConditions: [maxTime(1000, () => (clock += 100))] }, { batchSize: 4 });
    expect(timed.terminationReason).toBe('iteration-condition');
    // Clock reads: 1 at creation, 1 at initialize, then 1 per iteration: 100 ms each, 1000 ms at the 10th.
    expect(net.iteration).toBe(10);
    const reached = await fitEarlyStopping(net, train, { epochConditions: [maxEpochs(100), bestScore(2.4)], scoreCalculator: lossCalculator(valid) }, { batchSize: 16 });
    expect(reached.terminationDetails).toBe('bestScore(2.4)');
    const last = [...reached.scoreVsEpoch.values()];
    expect(last.at(-1)!).toBeLessThanOrEqual(2.4);
    expect(last.slice(0, -1).every((v) => v > 2.4)).toBe(true);
    const controller = new AbortController();
    controller.abort('user pressed stop');
    const aborted = await fitEarlyStopping(net, train, { epochConditions: [maxEpochs(100)] }, { signal: controller.signal });
    expect(aborted.terminationReason).toBe('aborted');
    expect(aborted.terminationDetails).toBe('user pressed stop');
    await expect(aborted.bestModel()).rejects.toThrow(/no best model was saved/);
    net.dispose();
  });

  it('scores with regression and classification metrics computed independently', async () => {
    const net = makeNet();
    const W = await read(net, 'out_0/W');
    const b = (await read(net, 'out_0/b'))[0] as number;
    const mse = await regressionCalculator(valid, 'mse', { batchSize: 64 }).calculate(net);
    expect(mse).toBeCloseTo(validLoss(W, b), 4);
    expect(regressionCalculator(valid, 'r2').minimize).toBe(false);
    expect(regressionCalculator(valid, 'mae').minimize).toBe(true);
    net.dispose();
    // Two classes: the class is the arg-max of two linear outputs.
    const labels = validX.map((x) => (x[0]! + x[1]! > 0 ? [1, 0] : [0, 1]));
    const data = DataSet.from(validX, labels);
    const clf = new Network({ seed: 9, input: P, defaults: { updater: { type: 'ts/sgd', lr: 0.1 } }, layers: [{ type: 'ts/out', nOut: 2 }] }, { registry: testRegistry() }).init();
    const Wc = await read(clf, 'out_0/W');
    const bc = await read(clf, 'out_0/b');
    let correct = 0;
    validX.forEach((x, i) => {
      const o = [0, 1].map((k) => x.reduce((s, v, j) => s + v * (Wc[j * 2 + k] as number), bc[k] as number));
      if ((o[0]! > o[1]! ? 0 : 1) === (labels[i]![0] === 1 ? 0 : 1)) correct++;
    });
    const calc = classificationCalculator(data, 'accuracy', { batchSize: 50 });
    expect(calc.minimize).toBe(false);
    expect(await calc.calculate(clf)).toBeCloseTo(correct / validX.length, 10);
    expect(() => classificationCalculator(data, 'auc' as never)).toThrow(ConfigError);
    clf.dispose();
    data.dispose();
  });

  it('saves the best and latest models to files with LocalFileModelSaver', async () => {
    const net = makeNet();
    const saver = new LocalFileModelSaver(join(dir, 'es'));
    const result = await fitEarlyStopping(net, train, { epochConditions: [maxEpochs(12)], scoreCalculator: lossCalculator(valid), modelSaver: saver, saveLastModel: true }, { batchSize: 16 });
    expect(result.totalEpochs).toBe(12);
    expect((await readdir(join(dir, 'es'))).sort()).toEqual(['bestModel.safetensors', 'latestModel.safetensors']);
    const best = await result.bestModel();
    const latest = (await saver.getLatest(net))!;
    expect(best.epoch).toBe(result.bestModelEpoch);
    expect(latest.epoch).toBe(12);
    expect(Array.from(await read(latest, 'out_0/W'))).toEqual(Array.from(await read(net, 'out_0/W')));
    expect(await lossCalculator(valid).calculate(best)).toBeCloseTo(result.bestModelScore, 6);
    for (const n of [best, latest, net]) n.dispose();
  });

  it('rejects configs without an epoch condition and lets errors before the first epoch propagate', async () => {
    const net = makeNet();
    await expect(fitEarlyStopping(net, train, { epochConditions: [] })).rejects.toThrow(ConfigError);
    await expect(fitEarlyStopping(net, train, { epochConditions: [maxEpochs(1)], evaluateEveryEpochs: 0 })).rejects.toThrow(/evaluateEveryEpochs must be a positive integer, received 0/);
    expect(() => scoreImprovement({ patience: 0 })).toThrow(/patience: expected a positive integer, received 0/);
    const wrong = DataSet.from(trainX, trainX.map(() => [0, 0]));
    await expect(fitEarlyStopping(net, wrong, { epochConditions: [maxEpochs(3)] })).rejects.toThrow(/labels/);
    wrong.dispose();
    net.dispose();
  });
});
