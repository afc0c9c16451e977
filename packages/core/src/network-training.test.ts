import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { DataSet } from './data-set';
import { ConfigError, ValueError } from './errors';
import type { ForwardContext, Layer, LayerCommonOptions, ParamMap, PretrainableLayer } from './layer';
import type { Loss } from './loss';
import { buildModel } from './built-model';
import { forward } from './forward-pass';
import { Network } from './network';
import type { ComponentDefinition, ResolvedConfig } from './registry';
import { Registry } from './registry';
import type { WeightInitContext } from './weight-init';
import { LAYER_COMMON_OPTIONS } from './config-keys';

// Test components written against the contracts: a running-mean layer (state), an identity
// pretrainable layer and an output layer whose loss takes sparse labels.
declare module './registry' {
  interface LayerConfigMap {
    'test/running-mean': { momentum: number };
    'test/scale': LayerCommonOptions & { factor?: number };
    'test/sparse-out': { activation?: string };
  }
}

const identity = { key: 'layers/identity', config: { type: 'layers/identity' }, apply: (x: tf.Tensor) => x };
const softmax = { key: 'layers/softmax', config: { type: 'layers/softmax' }, apply: (x: tf.Tensor) => tf.softmax(x) };
const ones = (c: ResolvedConfig) => ({ key: 'test/ones', config: c, init: ({ shape }: WeightInitContext) => new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(1) });

/** Passes x through and keeps an exponential running mean of the batch mean, per feature. */
function runningMean(config: ResolvedConfig): Layer {
  return {
    key: 'test/running-mean',
    config: config as ResolvedConfig & { name: string },
    build(shape, ctx) {
      ctx.addParam({ name: 'mean', shape: [shape[0] as number], role: 'state', init: ctx.weightInit('test/zeros'), fanIn: 1, fanOut: 1 });
      return shape;
    },
    forward(x, p: ParamMap, ctx: ForwardContext) {
      const m = config.momentum as number;
      ctx.setState?.('mean', tf.add(tf.mul(p.mean as tf.Tensor, m), tf.mul(tf.mean(x, 0), 1 - m)));
      return x;
    },
  };
}

/** y = factor * x * w (w = ones); pretraining pulls w towards reconstructing x: score mean((xw - x)^2). */
function scale(config: ResolvedConfig): PretrainableLayer {
  return {
    key: 'test/scale',
    config: config as ResolvedConfig & { name: string },
    build(shape, ctx) {
      ctx.addParam({ name: 'w', shape: [shape[0] as number], role: 'weight', init: ctx.weightInit('test/ones'), fanIn: 1, fanOut: 1 });
      return shape;
    },
    forward: (x, p) => tf.mul(tf.mul(x, p.w as tf.Tensor), (config.factor as number | undefined) ?? 1),
    pretrainGradients(x, p) {
      const f = (w: tf.Tensor) => tf.mean(tf.square(tf.sub(tf.mul(x, w), x)));
      const { value, grad } = tf.valueAndGrad(f)(p.w as tf.Tensor);
      return { score: value, gradients: { w: grad } };
    },
  };
}

const sparseLoss: Loss = {
  key: 'test/sparse-nll',
  config: { type: 'test/sparse-nll' },
  scoreArray: ({ labels, preOutput }) => tf.neg(tf.sum(tf.mul(tf.oneHot(tf.cast(tf.reshape(labels, [-1]), 'int32'), preOutput.shape[1] as number), tf.logSoftmax(preOutput)), -1)),
  labelWidth: () => 1,
  checkLabels: async (labels, nOut) => {
    const values = await labels.data();
    const bad = Array.from(values).find((v) => !Number.isInteger(v) || v < 0 || v >= nOut);
    if (bad !== undefined) throw new ValueError(`class index ${bad} out of range [0, ${nOut - 1}]`);
  },
};

function sparseOut(config: ResolvedConfig) {
  return {
    key: 'test/sparse-out',
    config: config as ResolvedConfig & { name: string },
    activation: config.activation === 'layers/sigmoid' ? { ...identity, key: 'layers/sigmoid' } : softmax,
    loss: config.activation === 'layers/sigmoid' ? { ...sparseLoss, key: 'losses/mcxent' } : sparseLoss,
    build(shape: readonly number[], ctx: Parameters<Layer['build']>[1]) {
      ctx.addParam({ name: 'W', shape: [shape[0] as number, 3], role: 'weight', init: ctx.weightInit('test/ones'), fanIn: 1, fanOut: 1 });
      return [3];
    },
    preOutput: (x: tf.Tensor, p: ParamMap) => tf.matMul(x as tf.Tensor2D, p.W as tf.Tensor2D),
    forward: (x: tf.Tensor, p: ParamMap) => tf.softmax(tf.matMul(x as tf.Tensor2D, p.W as tf.Tensor2D)),
  };
}

function registry(): Registry {
  const defs: ComponentDefinition[] = [
    { kind: 'layer', key: 'test/running-mean', contractVersion: 1, options: [...Object.keys(LAYER_COMMON_OPTIONS), 'nOut', 'momentum'], create: runningMean },
    { kind: 'layer', key: 'test/scale', contractVersion: 1, options: [...Object.keys(LAYER_COMMON_OPTIONS), 'nOut', 'momentum'], create: scale },
    { kind: 'layer', key: 'test/sparse-out', contractVersion: 1, options: [...Object.keys(LAYER_COMMON_OPTIONS), 'nOut', 'momentum'], create: sparseOut },
    { kind: 'weightInit', key: 'test/ones', contractVersion: 1, create: ones },
    { kind: 'weightInit', key: 'test/zeros', contractVersion: 1, create: (c) => ({ ...ones(c), init: ({ shape }: WeightInitContext) => new Float32Array(shape.reduce((a, b) => a * b, 1)) }) },
    { kind: 'updater', key: 'test/sgd', contractVersion: 1, create: (c) => ({ key: 'test/sgd', config: c, initState: () => ({}), apply: (g: tf.Tensor, state: Record<string, tf.Tensor>) => ({ update: tf.mul(g, 0.5), state }) }) },
  ];
  const r = new Registry();
  r.use({ name: 'test', definitions: defs });
  return r;
}

describe('Network training mechanics', () => {
  it('commits state proposed by a layer after each step: the running mean follows its recurrence', async () => {
    const net = new Network({ input: 2, defaults: { updater: 'test/sgd' }, layers: [{ type: 'test/running-mean', momentum: 0.9 }, { type: 'test/sparse-out' }] }, { registry: registry() }).init();
    const x = [[1, 2], [3, 6]];
    await net.fit({ features: x, labels: [[0], [1]] }, { epochs: 3, batchSize: 2, shuffle: false });
    // mean_t = 0.9 mean_{t-1} + 0.1 [2, 4], three times from 0.
    const expected = [2, 4].map((m) => m * (1 - 0.9 ** 3));
    const mean = await net.getParam('running-mean_0/mean').data();
    expect(mean[0]).toBeCloseTo(expected[0] as number, 6);
    expect(mean[1]).toBeCloseTo(expected[1] as number, 6);
    net.dispose();
  });

  it('applies inverted dropout on a layer input in training only, reproducibly', async () => {
    const make = () => new Network({ seed: 5, input: 1000, defaults: { updater: 'test/sgd' }, layers: [{ type: 'test/scale', dropout: 0.8 }, { type: 'test/sparse-out' }] }, { registry: registry() }).init();
    const net = make();
    const x = tf.ones([4, 1000]);
    const kept = net.feedForward(x);
    expect(Array.from(await (kept[0] as tf.Tensor).data()).every((v) => v === 1)).toBe(true); // inference: no dropout
    // Reach the training forward through the score's first layer: values are 0 or 1/0.8.
    // The training forward pass of a model built from the same config and seed.
    const training = (n: Network) => {
      const { model } = buildModel(n.config, n.registry);
      const out = tf.tidy(() => forward(model, x, true, model.params.current()).preOutput);
      model.params.dispose();
      return out;
    };
    const a = training(net);
    const b = training(make());
    expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
    // Row sums of preOutput = sum of dropped-out inputs (W is ones): each about 1000 (+- 5 sigma).
    const sums = Array.from(await a.data()).filter((_, i) => i % 3 === 0);
    for (const s of sums) expect(Math.abs(s - 1000)).toBeLessThan(5 * Math.sqrt(1000 * 0.2 / 0.8));
    tf.dispose([x, a, b, ...kept]);
    net.dispose();
  });

  it('rejects a dropout outside (0, 1] naming the layer', () => {
    expect(() => new Network({ input: 2, layers: [{ type: 'test/scale', dropout: 1.5 }, { type: 'test/sparse-out' }] }, { registry: registry() }).init()).toThrow(
      'Layer 0 "scale_0" (test/scale): dropout is the probability of retaining an input, expected a number in (0, 1], received 1.5',
    );
  });

  it('pretrains one layer on its input without labels, through its updater', async () => {
    const net = new Network({ input: 2, defaults: { updater: 'test/sgd' }, layers: [{ type: 'test/scale', name: 'ae' } as never, { type: 'test/sparse-out' }] }, { registry: registry() }).init();
    const data = DataSet.from([[1, 2]], [[0]]);
    // w starts at 1, where the reconstruction is perfect: nudge it and check one step by hand.
    net.setParam('ae/w', tf.tensor1d([2, 0]));
    const scores = await net.pretrainLayer('ae', data, { epochs: 1, batchSize: 1 });
    // score = mean over 2 of ((w-1) x)^2 = ((1*1)^2 + (-1*2)^2) / 2 = 2.5; grad_j = (w_j - 1) x_j^2.
    expect(scores[0]).toBeCloseTo(2.5, 6);
    const w = await net.getParam('ae/w').data();
    expect(w[0]).toBeCloseTo(2 - 0.5 * 1, 6);
    expect(w[1]).toBeCloseTo(0 - 0.5 * -4, 6);
    await expect(net.pretrainLayer('sparse-out_1', data)).rejects.toThrow(ConfigError);
    data.dispose();
    net.dispose();
  });

  it('asks the loss for the label width and checks label values before training', async () => {
    const net = new Network({ input: 2, defaults: { updater: 'test/sgd' }, layers: [{ type: 'test/sparse-out' }] }, { registry: registry() }).init();
    await expect(net.fit({ features: [[1, 2]], labels: [[0, 1, 0]] })).rejects.toThrow('labels have shape [1, 3], expected [batch, 1]');
    await expect(net.fit({ features: [[1, 2]], labels: [[3]] })).rejects.toThrow('class index 3 out of range [0, 2]');
    const before = tf.memory().numTensors;
    await net.fit({ features: [[1, 2]], labels: [[2]] }, { epochs: 2 });
    expect(tf.memory().numTensors).toBe(before);
    net.dispose();
  });

  it('warns about sigmoid with MCXENT', () => {
    const seen: string[] = [];
    const net = new Network({ input: 2, defaults: { updater: 'test/sgd' }, layers: [{ type: 'test/sparse-out', activation: 'layers/sigmoid' }] }, { registry: registry(), onWarning: (m) => seen.push(m) }).init();
    expect(seen).toEqual(['Output layer "sparse-out_0": sigmoid with MCXENT does not normalise over classes; use softmax with MCXENT, or XENT with sigmoid']);
    expect(net.warnings).toEqual(seen);
    net.dispose();
    seen.length = 0;
    new Network({ input: 2, defaults: { updater: 'test/sgd' }, layers: [{ type: 'test/sparse-out' }] }, { registry: registry(), onWarning: (m) => seen.push(m) }).init().dispose();
    expect(seen).toEqual([]);
  });

  it('reports progress per iteration without reading the score', async () => {
    const net = new Network({ input: 2, defaults: { updater: 'test/sgd' }, layers: [{ type: 'test/sparse-out' }] }, { registry: registry() }).init();
    const seen: number[] = [];
    await net.fit({ features: [[1, 2], [2, 1], [0, 1]], labels: [[0], [1], [2]] }, { batchSize: 2, listeners: [{ onIterationEnd: (i) => void seen.push(i.examples) }] });
    expect(seen.sort()).toEqual([1, 2]);
    net.dispose();
  });
});
