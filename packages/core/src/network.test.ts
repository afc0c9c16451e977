import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { DataSet } from './data-set';
import { StreamingSource } from './data/streaming-source';
import type { Batch, TrainingTarget } from './training-strategy';
import { ConfigError, ShapeError, ValueError } from './errors';
import type { Layer, OutputLayer } from './layer';
import { buildModel } from './built-model';
import { Network } from './network';
import type { NetworkConfig } from './network-config';
import { trainingTarget } from './network-target';
import type { ComponentDefinition, ResolvedConfig } from './registry';
import { Registry } from './registry';
import { checkGradients } from './testing';
import type { Updater } from './updater';
import type { WeightInitContext } from './weight-init';
import { LAYER_COMMON_OPTIONS } from './config-keys';

// Minimal components written against core's contracts, registered as a plugin would register them.
declare module './registry' {
  interface LayerConfigMap {
    'test/linear': { nOut: number };
    'test/linear-out': { nOut: number };
  }
  interface WeightInitConfigMap {
    'test/ramp': { scale: number };
  }
  interface UpdaterConfigMap {
    'test/sgd': { lr: number };
  }
}

function linear(config: ResolvedConfig, output: boolean): Layer | OutputLayer {
  const identity = { key: 'test/identity', config: { type: 'test/identity' }, apply: (x: tf.Tensor) => x };
  const halfSquared = {
    key: 'test/half-squared',
    config: { type: 'test/half-squared' },
    scoreArray: ({ labels, preOutput }: { labels: tf.Tensor; preOutput: tf.Tensor }) => tf.mul(0.5, tf.sum(tf.squaredDifference(preOutput, labels), -1)),
  };
  const base = {
    key: config.type,
    config: config as ResolvedConfig & { name: string },
    build(shape: readonly number[], ctx: Parameters<Layer['build']>[1]) {
      const nIn = shape[0] as number;
      const nOut = config.nOut as number;
      ctx.addParam({ name: 'W', shape: [nIn, nOut], role: 'weight', init: ctx.weightInit({ type: 'test/ramp', scale: 0.1 }), fanIn: nIn, fanOut: nOut });
      ctx.addParam({ name: 'b', shape: [nOut], role: 'bias', init: ctx.weightInit({ type: 'test/ramp', scale: -0.05 }), fanIn: nIn, fanOut: nOut });
      return [nOut];
    },
    preOutput: (x: tf.Tensor, p: Record<string, tf.Tensor>) => tf.add(tf.matMul(x as tf.Tensor2D, p.W as tf.Tensor2D), p.b as tf.Tensor),
    forward(x: tf.Tensor, p: Record<string, tf.Tensor>) {
      return base.preOutput(x, p);
    },
  };
  return output ? { ...base, activation: identity, loss: halfSquared } : base;
}

const definitions: ComponentDefinition[] = [
  { kind: 'layer', key: 'test/linear', contractVersion: 1, options: [...Object.keys(LAYER_COMMON_OPTIONS), 'nOut'], create: (c) => linear(c, false) },
  { kind: 'layer', key: 'test/linear-out', contractVersion: 1, options: [...Object.keys(LAYER_COMMON_OPTIONS), 'nOut'], create: (c) => linear(c, true) },
  {
    kind: 'weightInit',
    key: 'test/ramp',
    contractVersion: 1,
    // Deterministic values: scale * (i + 1), so the test can compute the first step by hand.
    create: (c) => ({ key: 'test/ramp', config: c, init: ({ shape }: WeightInitContext) => Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => (c.scale as number) * (i + 1)) }),
  },
  {
    kind: 'updater',
    key: 'test/sgd',
    contractVersion: 1,
    create: (c): Updater => ({ key: 'test/sgd', config: c, initState: () => ({}), apply: (g, state) => ({ update: tf.mul(g, c.lr as number), state }) }),
  },
];

function registry(): Registry {
  const r = new Registry();
  r.use({ name: 'test-plugin', definitions });
  return r;
}

const X = [
  [1, 2],
  [0.5, -1],
  [-2, 0.25],
  [3, 1],
];
const Y = [[1], [0], [-1], [2]];

function makeNet(extra: Record<string, unknown> = {}): Network {
  return new Network({ seed: 7, input: 2, defaults: { updater: { type: 'test/sgd', lr: 0.1 } }, layers: [{ type: 'test/linear-out', nOut: 1 }], ...extra }, { registry: registry() }).init();
}

describe('Network', () => {
  it('takes one full-batch SGD step equal to the closed-form gradient step (float64 reference)', async () => {
    const net = makeNet();
    const data = DataSet.from(X, Y);
    await net.fit(data, { epochs: 1, batchSize: 4, shuffle: false });
    // Reference: W0 = [0.1, 0.2], b0 = -0.05; loss = mean 0.5 (xW + b - y)^2.
    const W0 = [0.1, 0.2];
    const b0 = -0.05;
    const residual = X.map((x, i) => (x[0] as number) * W0[0]! + (x[1] as number) * W0[1]! + b0 - (Y[i]![0] as number));
    const gW = [0, 1].map((j) => residual.reduce((s, r, i) => s + r * (X[i]![j] as number), 0) / X.length);
    const gb = residual.reduce((s, r) => s + r, 0) / X.length;
    const W = await net.getParam('linear-out_0/W').data();
    const b = await net.getParam('linear-out_0/b').data();
    expect(W[0]).toBeCloseTo(W0[0]! - 0.1 * gW[0]!, 6);
    expect(W[1]).toBeCloseTo(W0[1]! - 0.1 * gW[1]!, 6);
    expect(b[0]).toBeCloseTo(b0 - 0.1 * gb, 6);
    expect(net.iteration).toBe(1);
    expect(net.epoch).toBe(1);
    data.dispose();
    net.dispose();
  });

  it('adds L2 as 0.5 * l2 * |W|^2 to the score, on weights only', async () => {
    const net = makeNet({ defaults: { updater: { type: 'test/sgd', lr: 0.1 }, l2: 0.5 } });
    const x = tf.tensor2d(X);
    const y = tf.tensor2d(Y);
    const plain = makeNet();
    const diff = (await net.score(x, y)) - (await plain.score(x, y));
    expect(diff).toBeCloseTo(0.5 * 0.5 * (0.1 * 0.1 + 0.2 * 0.2), 6);
    tf.dispose([x, y]);
    net.dispose();
    plain.dispose();
  });

  it('frees every tensor it allocated on dispose, also after re-initialising', () => {
    const before = tf.memory().numTensors;
    const net = makeNet();
    net.init(8);
    expect(tf.memory().numTensors - before).toBe(2); // W and b
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

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

  it("matches autodiff gradients of the score with central differences", async () => {
    const { model } = buildModel({ seed: 1, input: 2, defaults: { updater: { type: 'test/sgd', lr: 0.1 } }, layers: [{ type: 'test/linear', nOut: 3 }, { type: 'test/linear-out', nOut: 1 }] }, registry());
    const batch = { features: tf.tensor2d(X), labels: tf.tensor2d(Y) };
    // Reach the score function through the strategy contract's target.
    const target = trainingTarget(model);
    const names = [...target.trainableParams().keys()];
    const params = [...target.trainableParams().values()];
    const result = await checkGradients((ps) => target.score(batch, true, new Map(names.map((n, i) => [n, ps[i] as tf.Tensor]))), params);
    expect(result.checked).toBe(6 + 3 + 3 + 1);
    expect(result.failures).toEqual([]);
    tf.dispose([batch.features, batch.labels]);
    model.params.dispose();
  });

  it('scoreAndGradients adds the L1/L2 penalty gradients in closed form, equal to autodiff of the regularised score', async () => {
    const { model } = buildModel(
      { seed: 3, input: 2, defaults: { updater: { type: 'test/sgd', lr: 0.1 }, l1: 0.03, l2: 0.2, l2Bias: 0.5 }, layers: [{ type: 'test/linear', nOut: 3 }, { type: 'test/linear-out', nOut: 1 }] },
      registry(),
    );
    const batch = { features: tf.tensor2d(X), labels: tf.tensor2d(Y) };
    const target = trainingTarget(model);
    const names = [...target.trainableParams().keys()];
    const values = [...target.trainableParams().values()];
    const reference = tf.valueAndGrads((...ps: tf.Tensor[]) => target.score(batch, true, new Map(names.map((n, i) => [n, ps[i] as tf.Tensor]))))(values);
    const fast = target.scoreAndGradients(batch, true);
    // The penalty is not zero here: the score differs from the data loss alone.
    const unregularised = buildModel({ seed: 3, input: 2, defaults: { updater: { type: 'test/sgd', lr: 0.1 } }, layers: [{ type: 'test/linear', nOut: 3 }, { type: 'test/linear-out', nOut: 1 }] }, registry()).model;
    const plain = trainingTarget(unregularised).score(batch, true);
    expect((await fast.score.data())[0]! - (await plain.data())[0]!).toBeGreaterThan(0.01);
    expect((await fast.score.data())[0]).toBeCloseTo((await reference.value.data())[0]!, 5);
    expect([...fast.gradients.keys()]).toEqual(names);
    for (const [i, name] of names.entries()) {
      const got = Array.from(await fast.gradients.get(name)!.data());
      const want = Array.from(await reference.grads[i]!.data());
      got.forEach((g, j) => expect(g).toBeCloseTo(want[j]!, 5));
    }
    tf.dispose([batch.features, batch.labels, reference.value, ...reference.grads, fast.score, ...fast.gradients.values(), plain]);
    model.params.dispose();
    unregularised.params.dispose();
  });

  it('reports bad input with typed errors naming received and expected', async () => {
    const net = makeNet();
    expect(() => net.output(tf.zeros([2, 3]))).toThrow(ShapeError);
    expect(() => net.output(tf.zeros([2, 3]))).toThrow('Layer "linear-out_0" (test/linear-out): input has 3 features, expected 2');
    const wideLabels = DataSet.from(X, [[1, 0], [0, 1], [1, 0], [0, 1]]);
    await expect(net.fit(wideLabels)).rejects.toThrow('labels have shape [4, 2], expected [batch, 1]');
    const nan = DataSet.from([[1, Number.NaN]], [[1]]);
    await expect(net.fit(nan)).rejects.toThrow(ValueError);
    await expect(net.fit(nan)).rejects.toThrow('features contain 1 NaN or infinite value(s)');
    expect(() => DataSet.from([], [])).toThrow('received an empty array');
    expect(() => DataSet.from(X, [[1]])).toThrow('features have 4 rows but labels have 1');
    wideLabels.dispose();
    nan.dispose();
    net.dispose();
  });

  it('requires an output layer at the end and unique layer names', () => {
    const reg = registry();
    expect(() => new Network({ input: 2, layers: [{ type: 'test/linear', nOut: 1 }] }, { registry: reg }).init()).toThrow(/has no loss/);
    expect(() =>
      new Network({ input: 2, layers: [{ type: 'test/linear', nOut: 1, name: 'a' } as never, { type: 'test/linear-out', nOut: 1, name: 'a' } as never] }, { registry: reg }).init(),
    ).toThrow(ConfigError);
  });

  it("selects the strategy by DL4J's optimizationAlgo name, through the registry", async () => {
    const reg = registry();
    let steps = 0;
    reg.register({
      kind: 'strategy',
      key: 'test/lbfgs',
      contractVersion: 1,
      create: () => ({
        key: 'test/lbfgs',
        config: { type: 'test/lbfgs' },
        step: (target: TrainingTarget, batch: Batch) => {
          steps++;
          return target.score(batch, true);
        },
      }),
    });
    const make = (extra: Record<string, unknown>) =>
      new Network({ seed: 7, input: 2, defaults: { updater: { type: 'test/sgd', lr: 0.1 } }, layers: [{ type: 'test/linear-out', nOut: 1 }], ...extra }, { registry: reg }).init();
    const lbfgs = make({ optimizationAlgo: 'LBFGS' });
    await lbfgs.fit({ features: X, labels: Y }, { epochs: 1, batchSize: 2 });
    expect(steps).toBe(2);
    lbfgs.dispose();
    const sgd = make({ optimizationAlgo: 'STOCHASTIC_GRADIENT_DESCENT' });
    await sgd.fit({ features: X, labels: Y }, { epochs: 1, batchSize: 2 });
    expect(steps).toBe(2); // backprop, not the registered strategy
    sgd.dispose();
    expect(() => make({ optimizationAlgo: 'LBFGS', strategy: 'test/lbfgs' })).toThrow('set either strategy or optimizationAlgo');
    expect(() => make({ optimizationAlgo: 'HESSIAN_FREE' })).toThrow(/HESSIAN_FREE/);
  });

  it('says that a disposed network was disposed, not that it was never initialised', async () => {
    const config: NetworkConfig = { input: 2, defaults: { updater: 'test/sgd' }, layers: [{ type: 'test/linear-out', nOut: 1 }] };
    const fresh = new Network(config, { registry: registry() });
    expect(() => fresh.output(tf.zeros([1, 2]))).toThrow('Network: call init() before using the network');
    const net = new Network(config, { registry: registry() }).init();
    net.dispose();
    const x = tf.zeros([1, 2]);
    expect(() => net.output(x)).toThrow('Network: this network was disposed');
    await expect(net.fit({ features: X, labels: Y })).rejects.toThrow('this network was disposed');
    expect(() => net.getParam('linear-out_0/W')).toThrow(expect.objectContaining({ code: 'DL4TS_DISPOSED' }));
    // init() builds it again.
    net.init();
    const y = net.output(x);
    expect(y.shape).toEqual([1, 1]);
    tf.dispose([x, y]);
    net.dispose();
  });

  it('prints a summary with shapes and parameter counts', () => {
    const net = new Network({ input: 2, defaults: { updater: 'test/sgd' }, layers: [{ type: 'test/linear', nOut: 3 }, { type: 'test/linear-out', nOut: 1 }] }, { registry: registry() }).init();
    const summary = net.summary();
    expect(summary).toMatch(/linear_0\s+test\/linear\s+\[3\]\s+9/);
    expect(summary).toMatch(/linear-out_1\s+test\/linear-out\s+\[1\]\s+4/);
    expect(summary).toMatch(/total\s+13/);
    net.dispose();
  });
});
