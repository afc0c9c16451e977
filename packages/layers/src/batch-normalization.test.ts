import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, DataSet, Network, Rng, ShapeError } from '@dl4ts/core';
import type { NetworkConfig } from '@dl4ts/core';
import { checkGradients, compareArrays, networkTarget } from '@dl4ts/core/testing';
import type { Matrix } from '@dl4ts/core/testing';
import { describe, expect, it } from 'vitest';
import type { BatchNormalization } from './batch-normalization';
import { buildContext, createLayer, expectConfigRoundTrip, inference, readParam, registry, training, values } from './layer-test-support';


// 5 examples, 3 features on different scales, so that every feature has its own statistics.
const X: Matrix = [
  [1, -20, 0.5],
  [2, 10, 0.25],
  [-1, 5, 0.75],
  [0.5, -3, 0.1],
  [3, 8, 0.9],
];
const GAMMA = [1.5, 0.5, -2];
const BETA = [0.1, -0.2, 0.3];

const column = (x: Matrix, j: number): number[] => x.map((r) => r[j] as number);
const mean64 = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
/** Biased (population) variance. */
const var64 = (v: number[]): number => mean64(v.map((a) => (a - mean64(v)) ** 2));
function stats64(x: Matrix): { mean: number[]; variance: number[] } {
  const cols = (x[0] as number[]).map((_, j) => column(x, j));
  return { mean: cols.map(mean64), variance: cols.map(var64) };
}
function normalise64(x: Matrix, mean: number[], variance: number[], gamma: number[], beta: number[], eps: number): number[] {
  return x.flatMap((r) => r.map((v, j) => (gamma[j] as number) * ((v - (mean[j] as number)) / Math.sqrt((variance[j] as number) + eps)) + (beta[j] as number)));
}

function bn(options: Record<string, unknown> = {}): BatchNormalization {
  return createLayer<BatchNormalization>({ type: 'layers/batch-normalization', name: 'bn', ...options });
}

function params(mean = [0, 0, 0], variance = [1, 1, 1]): Record<string, tf.Tensor> {
  return { gamma: tf.tensor1d(GAMMA), beta: tf.tensor1d(BETA), mean: tf.tensor1d(mean), var: tf.tensor1d(variance) };
}

describe('BatchNormalization: config and build', () => {
  it('declares gamma (weight, 1), beta (bias, 0), and the state mean (0) and var (1)', () => {
    const { context, declarations } = buildContext();
    expect(bn().build([3], context)).toEqual([3]);
    expect(declarations.map((d) => [d.name, d.shape, d.role])).toEqual([
      ['gamma', [3], 'weight'],
      ['beta', [3], 'bias'],
      ['mean', [3], 'state'],
      ['var', [3], 'state'],
    ]);
    const init = declarations.map((d) => Array.from(d.init.init({ shape: d.shape, fanIn: 3, fanOut: 3, rng: new Rng(0) })));
    expect(init).toEqual([
      [1, 1, 1],
      [0, 0, 0],
      [0, 0, 0],
      [1, 1, 1],
    ]);
  });

  it('with lockGammaBeta declares only the running statistics', () => {
    const { context, declarations } = buildContext();
    bn({ lockGammaBeta: true, gamma: 2, beta: 1 }).build([4], context);
    expect(declarations.map((d) => d.name)).toEqual(['mean', 'var']);
  });

  it('checks nOut and nIn against the last axis of the input, whose size must be known', () => {
    const { context } = buildContext();
    expect(() => bn({ nOut: 5 }).build([4], context)).toThrow(ShapeError);
    expect(() => bn({ nOut: 5 }).build([4], context)).toThrow('Layer "bn" (layers/batch-normalization): input has 4 features, expected nOut=5');
    expect(() => bn({ nIn: 3 }).build([4], context)).toThrow('input has 4 features, expected nIn=3');
    expect(() => bn({ nOut: 0 }).build([4], context)).toThrow(ConfigError);
    expect(() => bn().build([2, -1], context)).toThrow('input has shape [2, -1] per example, expected features [n], images [height, width, channels] or sequences [time, features] with a known last size');
    expect(bn({ nIn: 3 }).build([5, 2, 3], buildContext().context)).toEqual([5, 2, 3]);
    expect(bn({ nIn: 4, nOut: 4 }).build([4], context)).toEqual([4]);
  });

  it('rejects bad options, naming what it received', () => {
    expect(() => bn({ eps: 0 })).toThrow('Layer "bn" (layers/batch-normalization): eps must be a finite number > 0, received 0');
    expect(() => bn({ decay: 1.5 })).toThrow('decay must be a number in [0, 1], received 1.5');
    expect(() => bn({ lockGammaBeta: 'yes' })).toThrow(ConfigError);
    expect(() => bn({ gamma: Number.NaN })).toThrow(ConfigError);
  });

  it('config survives a JSON round trip through the registry', () => {
    expectConfigRoundTrip(bn({ eps: 1e-3, decay: 0.99, nOut: 3 }), [3]);
    expectConfigRoundTrip(bn({ lockGammaBeta: true, gamma: 2, beta: -1 }), [3]);
  });
});

describe('BatchNormalization: forward', () => {
  it('training: normalises with the batch mean and biased variance, as computed in float64', async () => {
    const layer = bn({ eps: 1e-3 });
    layer.build([3], buildContext().context);
    const x = tf.tensor2d(X);
    const p = params([5, 5, 5], [9, 9, 9]); // running statistics must not be used in training
    const { context, state } = training();
    const y = tf.tidy(() => layer.forward(x, p, context));
    const { mean, variance } = stats64(X);
    expect(compareArrays(await values(y), normalise64(X, mean, variance, GAMMA, BETA, 1e-3), { atol: 1e-5, rtol: 1e-5 }).ok).toBe(true);
    // It proposes running = 0.9 running + 0.1 batch for both statistics (biased batch variance).
    expect([...state.keys()]).toEqual(['mean', 'var']);
    expect(compareArrays(await values(state.get('mean') as tf.Tensor), mean.map((m) => 0.9 * 5 + 0.1 * m), { atol: 1e-5, rtol: 1e-6 }).ok).toBe(true);
    expect(compareArrays(await values(state.get('var') as tf.Tensor), variance.map((v) => 0.9 * 9 + 0.1 * v), { atol: 1e-5, rtol: 1e-6 }).ok).toBe(true);
    tf.dispose([x, y, ...Object.values(p), ...state.values()]);
  });

  it('images and sequences: statistics per channel over the batch and every position', async () => {
    // The 5 rows of X as 5 positions of one image [1, 5, 1, 3] and of one sequence [1, 5, 3]: the
    // statistics are X's column statistics, computed in float64.
    const { mean, variance } = stats64(X);
    for (const shape of [[1, 5, 1, 3], [1, 5, 3]]) {
      const layer = bn({ eps: 1e-3 });
      expect(layer.build(shape.slice(1), buildContext().context)).toEqual(shape.slice(1));
      const x = tf.tensor(X.flat(), shape);
      const p = params();
      const { context, state } = training();
      const y = tf.tidy(() => layer.forward(x, p, context));
      expect(y.shape).toEqual(shape);
      expect(compareArrays(await values(y), normalise64(X, mean, variance, GAMMA, BETA, 1e-3), { atol: 1e-5, rtol: 1e-5 }).ok).toBe(true);
      expect(compareArrays(await values(state.get('var') as tf.Tensor), variance.map((v) => 0.9 + 0.1 * v), { atol: 1e-5, rtol: 1e-6 }).ok).toBe(true);
      tf.dispose([x, y, ...Object.values(p), ...state.values()]);
    }
  });

  it('inference: normalises with the running statistics and proposes nothing', async () => {
    const layer = bn();
    layer.build([3], buildContext().context);
    const x = tf.tensor2d(X);
    const running = { mean: [1, 2, 0.5], variance: [4, 100, 0.25] };
    const p = params(running.mean, running.variance);
    const y = tf.tidy(() => layer.forward(x, p, inference));
    expect(compareArrays(await values(y), normalise64(X, running.mean, running.variance, GAMMA, BETA, 1e-5), { atol: 1e-5, rtol: 1e-5 }).ok).toBe(true);
    tf.dispose([x, y, ...Object.values(p)]);
  });

  it('lockGammaBeta uses the fixed gamma and beta', async () => {
    const layer = bn({ lockGammaBeta: true, gamma: 2, beta: -1 });
    layer.build([3], buildContext().context);
    const x = tf.tensor2d(X);
    const p = { mean: tf.tensor1d([0, 0, 0]), var: tf.tensor1d([1, 1, 1]) };
    const y = tf.tidy(() => layer.forward(x, p, training().context));
    const { mean, variance } = stats64(X);
    expect(compareArrays(await values(y), normalise64(X, mean, variance, [2, 2, 2], [-1, -1, -1], 1e-5), { atol: 1e-5, rtol: 1e-5 }).ok).toBe(true);
    tf.dispose([x, y, ...Object.values(p)]);
  });

  it('gradients in training mode (through the batch statistics) match central differences', async () => {
    const layer = bn({ eps: 1e-3 });
    layer.build([3], buildContext().context);
    const rng = new Rng(4);
    const weights = tf.tensor2d(X.map((r) => r.map(() => rng.normal())));
    const context = { training: true, rng, setState: () => undefined };
    const running = { mean: tf.tensor1d([0, 0, 0]), var: tf.tensor1d([1, 1, 1]) };
    // Inputs on a unit scale: h = 1e-2 is then small against every feature's spread.
    const x = tf.tensor2d(X.map((r, i) => r.map((_, j) => Math.sin(1 + i * 3 + j * 1.7))));
    const score = ([xs, gamma, beta]: tf.Tensor[]) => tf.sum(tf.mul(tf.tanh(layer.forward(xs as tf.Tensor, { gamma: gamma as tf.Tensor, beta: beta as tf.Tensor, ...running }, context)), weights));
    const result = await checkGradients(score, [x, tf.tensor1d(GAMMA), tf.tensor1d(BETA)]);
    expect(result.checked).toBe(15 + 3 + 3);
    expect(result.failures).toEqual([]);
    tf.dispose([weights, x, running.mean, running.var]);
  });
});

describe('BatchNormalization in a Network', () => {
  const config = (): NetworkConfig => ({
    seed: 3,
    input: 3,
    defaults: { updater: { type: 'layer-test/sgd', learningRate: 0.1 } },
    layers: [
      { type: 'layers/batch-normalization', name: 'bn' },
      { type: 'layers/output', nOut: 2, activation: 'softmax', loss: 'layer-test/mcxent' },
    ],
  });
  const LABELS: Matrix = X.map((r) => ((r[0] as number) > 0.75 ? [1, 0] : [0, 1]));

  it('after fit steps the running statistics equal the recurrence computed in float64', async () => {
    const net = new Network(config(), { registry }).init();
    const x6 = [...X, [0, 1, 0.2]];
    const y6 = [...LABELS, [0, 1]];
    const data = DataSet.from(x6, y6);
    const counts: number[] = [];
    await net.fit(data, { epochs: 3, batchSize: 3, shuffle: false, listeners: [{ onEpochEnd: () => void counts.push(tf.memory().numTensors) }] });
    expect(new Set(counts).size).toBe(1); // proposed running statistics are committed, not leaked
    // Batches in order: rows 0-2, 3-5, repeated each epoch; 6 steps.
    let mean = [0, 0, 0];
    let variance = [1, 1, 1];
    for (let step = 0; step < 6; step++) {
      const batch = step % 2 === 0 ? x6.slice(0, 3) : x6.slice(3, 6);
      const s = stats64(batch);
      mean = mean.map((m, j) => 0.9 * m + 0.1 * (s.mean[j] as number));
      variance = variance.map((v, j) => 0.9 * v + 0.1 * (s.variance[j] as number));
    }
    const read = (name: string) => readParam(net, name);
    expect(compareArrays(await read('bn/mean'), mean, { atol: 1e-5, rtol: 1e-5 }).ok).toBe(true);
    expect(compareArrays(await read('bn/var'), variance, { atol: 1e-5, rtol: 1e-5 }).ok).toBe(true);
    // gamma and beta were trained; inference (feedForward) uses the running statistics with them.
    const gamma = await read('bn/gamma');
    const beta = await read('bn/beta');
    expect(gamma).not.toEqual([1, 1, 1]);
    const xs = tf.tensor2d(X);
    const outputs = net.feedForward(xs);
    expect(compareArrays(await values(outputs[0] as tf.Tensor), normalise64(X, mean, variance, gamma, beta, 1e-5), { atol: 1e-4, rtol: 1e-4 }).ok).toBe(true);
    tf.dispose([xs, ...outputs]);
    data.dispose();
    net.dispose();
  });

  it('the network score gradients through BN in training mode match central differences', async () => {
    const net = new Network(config(), { registry }).init();
    const batch = { features: tf.tensor2d(X.map((r, i) => r.map((_, j) => Math.cos(i + 2 * j)))), labels: tf.tensor2d(LABELS) };
    const target = networkTarget(net);
    const names = [...target.trainableParams().keys()];
    expect(names).toEqual(['bn/gamma', 'bn/beta', 'output_1/W', 'output_1/b']);
    const result = await checkGradients((ps) => target.score(batch, true, new Map(names.map((n, i) => [n, ps[i] as tf.Tensor]))), [...target.trainableParams().values()]);
    expect(result.failures).toEqual([]);
    tf.dispose([batch.features, batch.labels]);
    net.dispose();
  });

  it('keeps the running statistics out of the trainable parameters', () => {
    const net = new Network(config(), { registry }).init();
    const target = networkTarget(net);
    expect([...target.trainableParams().keys()]).not.toContain('bn/mean');
    expect(net.paramNames()).toEqual(['bn/gamma', 'bn/beta', 'bn/mean', 'bn/var', 'output_1/W', 'output_1/b']);
    net.dispose();
  });
});
