import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ConfigError, NonFiniteScoreError } from './errors';
import type { FitOptions } from './fit-loop';
import { Network } from './network';
import type { NetworkConfig } from './network-config';
import { testRegistry } from './test-support';
import { readParam } from './testing';

// SGD at learning rate 1e8 on a small linear MSE problem, one full batch per epoch: the score of
// epoch 1 is finite, then every step multiplies the error by about 1e8 until it overflows.
const X = [[0.5, -1, 2], [1, 0.5, -0.5], [-1.5, 1, 0.5], [2, -0.5, 1]];
const Y = [[1], [0], [-1], [0.5]];
const config = (lr: number): NetworkConfig => ({ seed: 3, input: 3, defaults: { updater: { type: 'ts/sgd', lr } }, layers: [{ type: 'ts/out', nOut: 1 }] });

async function train(lr: number, options: FitOptions, warnings: string[] = []) {
  const net = new Network(config(lr), { registry: testRegistry(), onWarning: (m) => warnings.push(m) }).init();
  const result = await net.fit({ features: X, labels: Y }, { epochs: 8, batchSize: X.length, shuffle: false, ...options });
  return { net, result };
}

/** Every parameter's values, in order. */
async function values(net: Network): Promise<number[]> {
  return (await Promise.all(net.paramNames().map((name) => readParam(net, name)))).flat();
}

describe('a non-finite epoch score', () => {
  it('continues as before with onNonFiniteScore "continue": the scores go non-finite and so do the parameters', async () => {
    const { net, result } = await train(1e8, { onNonFiniteScore: 'continue' });
    expect(result.epochs).toBe(8);
    expect(Number.isFinite(result.meanScores[0])).toBe(true);
    expect(result.meanScores.some((s) => !Number.isFinite(s))).toBe(true);
    expect((await values(net)).some((v) => !Number.isFinite(v))).toBe(true);
    expect(result.stopReason).toBeUndefined();
    net.dispose();
  });

  it('stops by default at the first non-finite epoch, says why in stopReason and warns, without counting the epoch', async () => {
    const reference = await train(1e8, { onNonFiniteScore: 'continue' });
    const firstBad = reference.result.meanScores.findIndex((s) => !Number.isFinite(s));
    reference.net.dispose();
    expect(firstBad).toBeGreaterThan(0); // epoch 1 is finite, so there is a last finite epoch
    const warnings: string[] = [];
    const seenEpochs: number[] = [];
    const { net, result } = await train(1e8, { listeners: [{ onEpochEnd: (info) => void seenEpochs.push(info.epoch) }] }, warnings);
    expect(result.epochs).toBe(firstBad);
    expect(result.meanScores.every(Number.isFinite)).toBe(true);
    expect(result.stopReason).toMatch(new RegExp(`^training diverged: epoch ${firstBad + 1} has mean score (NaN|Infinity); stopped`));
    expect(warnings).toEqual([result.stopReason]);
    expect(net.epoch).toBe(firstBad);
    expect(seenEpochs).toEqual(Array.from({ length: firstBad }, (_, i) => i + 1));
    net.dispose();
  });

  it('restores the parameters, updater state and counters of the last finite epoch with "restore"', async () => {
    const reference = await train(1e8, { onNonFiniteScore: 'continue' });
    const firstBad = reference.result.meanScores.findIndex((s) => !Number.isFinite(s));
    reference.net.dispose();
    const finite = await train(1e8, { epochs: firstBad });
    const expected = await values(finite.net);
    const iterations = finite.net.iteration;
    finite.net.dispose();
    const before = tf.memory().numTensors;
    const { net, result } = await train(1e8, { onNonFiniteScore: 'restore' });
    expect(result.stopReason).toContain('the parameters of the last finite epoch were restored');
    expect(await values(net)).toEqual(expected);
    expect([net.epoch, net.iteration]).toEqual([firstBad, iterations]);
    net.dispose();
    // The snapshot the option keeps is freed: only the network's own tensors came and went.
    expect(tf.memory().numTensors).toBe(before);
  });

  it('throws a NonFiniteScoreError naming the epoch with "throw"', async () => {
    const reference = await train(1e8, { onNonFiniteScore: 'continue' });
    const firstBad = reference.result.meanScores.findIndex((s) => !Number.isFinite(s));
    reference.net.dispose();
    const net = new Network(config(1e8), { registry: testRegistry() }).init();
    const error = await net.fit({ features: X, labels: Y }, { epochs: 8, batchSize: X.length, shuffle: false, onNonFiniteScore: 'throw' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonFiniteScoreError);
    expect(error).toMatchObject({ epoch: firstBad + 1, code: 'DL4TS_NON_FINITE_SCORE' });
    net.dispose();
  });

  it('trains a stable problem unchanged, and rejects an unknown action', async () => {
    const warnings: string[] = [];
    const { net, result } = await train(0.05, {}, warnings);
    expect(result.epochs).toBe(8);
    expect(result.stopReason).toBeUndefined();
    expect(warnings).toEqual([]);
    await expect(net.fit({ features: X, labels: Y }, { onNonFiniteScore: 'ignore' as never })).rejects.toThrow(ConfigError);
    await expect(net.fit({ features: X, labels: Y }, { onNonFiniteScore: 'ignore' as never })).rejects.toThrow('fit: onNonFiniteScore must be one of "stop", "restore", "throw", "continue", received "ignore"');
    net.dispose();
  });
});
