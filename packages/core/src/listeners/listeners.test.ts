import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { DataSet } from '../data-set';
import { ConfigError, Dl4tsError } from '../errors';
import type { IterationInfo, TrainingListener } from '../listener';
import { Network } from '../network';
import { Rng } from '../random';
import { testRegistry } from '../test-support';
import { EvaluativeListener } from './evaluative-listener';
import { PerformanceListener, formatDuration } from './performance-listener';
import { CollectScoresListener, ScoreIterationListener } from './score-listeners';

const rng = new Rng(2);
const X = Array.from({ length: 20 }, () => [rng.uniformRange(-1, 1), rng.uniformRange(-1, 1), rng.uniformRange(-1, 1)]);
const Y = X.map(([a, b, c]) => [a! - 2 * b! + 0.5 * c!, a! * c!]);
const makeNet = () => new Network({ seed: 1, input: 3, defaults: { updater: { type: 'ts/sgd', lr: 0.1 } }, layers: [{ type: 'ts/dense', nOut: 5 }, { type: 'ts/out', nOut: 2 }] }, { registry: testRegistry() }).init();

/** Float64 score of one minibatch under the current parameters: mean over rows and columns of (out - y)^2. */
async function batchScore(net: Network, rows: number[][], labels: number[][]): Promise<number> {
  const out = net.output(tf.tensor2d(rows));
  const o = await out.array() as number[][];
  out.dispose();
  let sum = 0;
  o.forEach((r, i) => r.forEach((v, j) => (sum += (v - labels[i]![j]!) ** 2)));
  return sum / (rows.length * 2);
}

describe('fit and its listeners', () => {
  it('lets a listener read each minibatch score during its call, equal to the loss of the pre-step parameters', async () => {
    const net = makeNet();
    const data = DataSet.from(X, Y);
    // Without shuffling, minibatch k holds rows 5k..5k+4; its score uses the parameters before the step.
    const expected: number[] = [];
    const seen: number[] = [];
    const held: IterationInfo[] = [];
    const probe: TrainingListener = {
      onIterationEnd: async (info) => {
        seen.push(await info.score());
        held.push(info);
      },
    };
    const before = tf.memory().numTensors;
    const result = await net.fit(data, { epochs: 1, batchSize: 5, shuffle: false, listeners: [probe] });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.stopReason).toBeUndefined();
    // Recompute every score from a network stepped the same number of times.
    for (let k = 0; k < 4; k++) {
      const replay = makeNet();
      if (k > 0) await replay.fit({ features: X.slice(0, 5 * k), labels: Y.slice(0, 5 * k) }, { epochs: 1, batchSize: 5, shuffle: false });
      expected.push(await batchScore(replay, X.slice(5 * k, 5 * k + 5), Y.slice(5 * k, 5 * k + 5)));
      replay.dispose();
    }
    seen.forEach((s, k) => expect(s).toBeCloseTo(expected[k]!, 5));
    expect(result.meanScores[0]).toBeCloseTo(expected.reduce((a, b) => a + b) / 4, 5);
    // After the call the score tensor is gone: reading it is a usage error, not a crash.
    await expect(held[0]!.score()).rejects.toThrow(Dl4tsError);
    net.dispose();
    data.dispose();
  });

  it('stops after the iteration where a listener calls stop, or the signal aborts, without counting the cut epoch', async () => {
    const net = makeNet();
    const data = DataSet.from(X, Y);
    const ends: (string | undefined)[] = [];
    const result = await net.fit(data, {
      epochs: 5,
      batchSize: 5,
      listeners: [{ onIterationEnd: (i) => void (i.iteration === 7 && i.stop('enough')) }, { onFitEnd: (i) => void ends.push(i.stopReason) }],
    });
    expect(result).toEqual({ epochs: 1, meanScores: [result.meanScores[0]], stopReason: 'enough' });
    expect([net.iteration, net.epoch]).toEqual([7, 1]);
    expect(ends).toEqual(['enough']);
    const controller = new AbortController();
    const aborted = await net.fit(data, { epochs: 5, batchSize: 5, signal: controller.signal, listeners: [{ onEpochEnd: (i) => void (i.epoch === 3 && controller.abort(new Error('time is up'))) }] });
    expect(aborted.stopReason).toBe('time is up');
    expect(aborted.epochs).toBe(2);
    expect(net.epoch).toBe(3);
    net.dispose();
    data.dispose();
  });

  it('awaits async listeners in order and reports start information', async () => {
    const net = makeNet();
    const data = DataSet.from(X, Y);
    const log: string[] = [];
    const slow: TrainingListener = {
      onFitStart: (i) => void log.push(`start ${i.epochs} ${i.batchesPerEpoch} ${i.examplesPerEpoch} ${i.startIteration}`),
      onIterationEnd: async (i) => {
        await new Promise((r) => setTimeout(r, 1));
        log.push(`a${i.iteration}`);
      },
    };
    const fast: TrainingListener = { onIterationEnd: (i) => void log.push(`b${i.iteration}`), onFitEnd: (i) => void log.push(`end ${i.epoch} ${i.iteration}`) };
    await net.fit(data, { epochs: 1, batchSize: 8, listeners: [slow, fast] });
    expect(log).toEqual(['start 1 3 20 0', 'a1', 'b1', 'a2', 'b2', 'a3', 'b3', 'end 1 3']);
    net.dispose();
    data.dispose();
  });

  it('ScoreIterationListener and CollectScoresListener report every N iterations the score fit computed', async () => {
    const net = makeNet();
    const data = DataSet.from(X, Y);
    const all = new CollectScoresListener();
    const every3 = new CollectScoresListener({ every: 3 });
    const lines: string[] = [];
    const printer = new ScoreIterationListener({ every: 4, log: (m) => lines.push(m) });
    const result = await net.fit(data, { epochs: 3, batchSize: 5, listeners: [all, every3, printer] });
    expect(all.scores.map((s) => s.iteration)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(every3.scores).toEqual(all.scores.filter((s) => s.iteration % 3 === 0));
    expect(lines).toEqual(all.scores.filter((s) => s.iteration % 4 === 0).map((s) => `Score at iteration ${s.iteration} (epoch ${s.epoch}) is ${s.score}`));
    for (let e = 0; e < 3; e++) {
      const mean = all.scores.filter((s) => s.epoch === e).reduce((a, s) => a + s.score, 0) / 4;
      expect(all.epochScores[e]!.score).toBeCloseTo(mean, 6);
      expect(result.meanScores[e]).toBe(all.epochScores[e]!.score);
    }
    expect(() => new ScoreIterationListener({ every: 0 })).toThrow(ConfigError);
    net.dispose();
    data.dispose();
  });

  it('PerformanceListener measures samples/s, batches/s and the time left on a given clock', async () => {
    const net = makeNet();
    const data = DataSet.from(X, Y);
    let t = 0;
    // Every iteration reads the clock once when reporting: 250 ms per 2 iterations of 8 + 8 examples.
    const perf = new PerformanceListener({ every: 2, log: () => undefined, now: () => (t += 250) });
    await net.fit(data, { epochs: 2, batchSize: 8, listeners: [perf] });
    // 3 batches per epoch (8, 8, 4), 6 in all; reports at iterations 2, 4, 6.
    expect(perf.reports.map((r) => r.iteration)).toEqual([2, 4, 6]);
    expect(perf.reports[0]).toMatchObject({ samplesPerSecond: 16 / 0.25, batchesPerSecond: 8, etaSeconds: 4 / 8 });
    expect(perf.reports[1]).toMatchObject({ samplesPerSecond: (4 + 8) / 0.25, etaSeconds: 2 / 8 });
    expect(perf.reports[2]!.etaSeconds).toBe(0);
    expect([formatDuration(75), formatDuration(3725), formatDuration(9)]).toEqual(['1m 15s', '1h 02m 05s', '9s']);
    net.dispose();
    data.dispose();
  });

  it('EvaluativeListener evaluates held-out data every N epochs with no tensor left behind', async () => {
    const net = makeNet();
    const data = DataSet.from(X, Y);
    const held = DataSet.from(X.slice(0, 10), Y.slice(0, 10));
    const counts: number[] = [];
    const evaluator = new EvaluativeListener({ data: held, every: 2, kind: 'regression', batchSize: 4, onEvaluation: () => void counts.push(tf.memory().numTensors) });
    await net.fit(data, { epochs: 4, batchSize: 5, listeners: [evaluator] });
    expect(evaluator.records.map((r) => r.epoch)).toEqual([2, 4]);
    expect(counts[1]).toBe(counts[0]);
    // The last record's MSE is the loss of the final parameters on the held-out rows.
    expect(evaluator.records[1]!.evaluation.meanSquaredError()).toBeCloseTo(await batchScore(net, X.slice(0, 10), Y.slice(0, 10)), 5);
    net.dispose();
    data.dispose();
    held.dispose();
  });
});
