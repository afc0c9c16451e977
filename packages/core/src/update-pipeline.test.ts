import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { DataSet } from './data-set';
import { ConfigError, ShapeError } from './errors';
import type { GradientNormalization, Layer, OutputLayer } from './layer';
import { buildModel } from './built-model';
import { Network } from './network';
import { trainingTarget } from './network-target';
import type { NetworkConfig } from './network-config';
import type { ComponentDefinition, ResolvedConfig } from './registry';
import { Registry } from './registry';
import type { Updater } from './updater';
import { LAYER_COMMON_OPTIONS } from './config-keys';

// The update pipeline in DL4J's order: gradient normalisation -> L1/L2 -> updater -> weight decay.
// A single linear output layer with half squared error, so every gradient has a closed form here.
declare module './registry' {
  interface LayerConfigMap {
    'pipe/linear-out': { nOut: number };
  }
  interface UpdaterConfigMap {
    'pipe/sgd': { lr: number };
    'pipe/momentum': { lr: number };
  }
}

const W0 = [0.2, -0.1, 0.4]; // [3, 1]
const B0 = [0.05];

function linearOut(config: ResolvedConfig): OutputLayer {
  const layer: Layer = {
    key: config.type,
    config: config as ResolvedConfig & { name: string },
    build(shape, ctx) {
      const w = { key: 'pipe/w', config: { type: 'pipe/w' }, init: () => Float32Array.from(W0) };
      const b = { key: 'pipe/b', config: { type: 'pipe/b' }, init: () => Float32Array.from(B0) };
      ctx.addParam({ name: 'W', shape: [shape[0] as number, 1], role: 'weight', init: w, fanIn: 3, fanOut: 1 });
      ctx.addParam({ name: 'b', shape: [1], role: 'bias', init: b, fanIn: 3, fanOut: 1 });
      return [1];
    },
    forward: (x, p) => tf.add(tf.matMul(x as tf.Tensor2D, p.W as tf.Tensor2D), p.b as tf.Tensor),
  };
  return {
    ...layer,
    preOutput: (x, p, c) => layer.forward(x, p, c),
    activation: { key: 'pipe/identity', config: { type: 'pipe/identity' }, apply: (x: tf.Tensor) => x },
    loss: {
      key: 'pipe/half-squared',
      config: { type: 'pipe/half-squared' },
      scoreArray: ({ labels, preOutput }) => tf.mul(0.5, tf.sum(tf.squaredDifference(preOutput, labels), -1)),
    },
  } as OutputLayer;
}

const definitions: ComponentDefinition[] = [
  { kind: 'layer', key: 'pipe/linear-out', contractVersion: 1, options: [...Object.keys(LAYER_COMMON_OPTIONS), 'nOut'], create: linearOut },
  {
    kind: 'updater',
    key: 'pipe/sgd',
    contractVersion: 1,
    create: (c): Updater => ({
      key: 'pipe/sgd',
      config: c,
      initState: () => ({}),
      apply: (g, state) => ({ update: tf.mul(g, c.lr as number), state }),
      learningRateAt: () => c.lr as number,
    }),
  },
  {
    kind: 'updater',
    key: 'pipe/momentum',
    contractVersion: 1,
    // v' = 0.5 v + g, update = lr v'.
    create: (c): Updater => ({
      key: 'pipe/momentum',
      config: c,
      initState: (p) => ({ v: tf.zerosLike(p) }),
      apply: (g, state) => {
        const v = tf.add(tf.mul(state.v as tf.Tensor, 0.5), g);
        return { update: tf.mul(v, c.lr as number), state: { v } };
      },
    }),
  },
];

const registry = new Registry().use({ name: 'pipe', definitions });

// Large features make an exploding gradient.
const X = [
  [300, -200, 100],
  [-100, 400, 250],
];
const Y = [[1], [-2]];

/** Float64 gradient of mean_n 0.5 (x_n W + b - y_n)^2: dW_i = mean_n x_ni r_n, db = mean_n r_n. */
function referenceGradient(w: number[], b: number): { W: number[]; b: number[] } {
  const r = X.map((x, n) => x.reduce((s, xi, i) => s + xi * (w[i] as number), b) - (Y[n] as number[])[0]!);
  return {
    W: w.map((_, i) => X.reduce((s, x, n) => s + (x[i] as number) * (r[n] as number), 0) / X.length),
    b: [r.reduce((s, v) => s + v, 0) / X.length],
  };
}

const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

function net(defaults: NetworkConfig['defaults']): Network {
  return new Network({ seed: 1, input: 3, defaults: { updater: { type: 'pipe/sgd', lr: 1 }, ...defaults }, layers: [{ type: 'pipe/linear-out', nOut: 1 }] }, { registry }).init();
}

/** One full-batch step; returns the update `w_before - w_after` for W and b. */
async function oneStepUpdate(n: Network): Promise<{ W: number[]; b: number[] }> {
  await n.fit({ features: X, labels: Y }, { epochs: 1, batchSize: X.length, shuffle: false });
  const w = Array.from(await n.getParam('linear-out_0/W').data());
  const b = Array.from(await n.getParam('linear-out_0/b').data());
  return { W: W0.map((w0, i) => w0 - (w[i] as number)), b: B0.map((b0, i) => b0 - (b[i] as number)) };
}

function expectClose(got: number[], want: number[], rel = 1e-5): void {
  expect(got).toHaveLength(want.length);
  got.forEach((g, i) => expect(Math.abs(g - (want[i] as number))).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(want[i] as number))));
}

describe('update pipeline: gradient normalisation', () => {
  const g = referenceGradient(W0, B0[0] as number);
  const all = [...g.W, ...g.b];

  it('leaves an exploding gradient alone with "none" (the reference: |g| is in the tens of thousands)', async () => {
    const update = await oneStepUpdate(net({}));
    expect(norm(all)).toBeGreaterThan(1e4);
    expectClose(update.W, g.W);
    expectClose(update.b, g.b);
  });

  const cases: [GradientNormalization, number, (grad: { W: number[]; b: number[] }) => { W: number[]; b: number[] }][] = [
    ['renormalizeL2PerLayer', 1, (gr) => ({ W: gr.W.map((v) => v / norm(all)), b: gr.b.map((v) => v / norm(all)) })],
    ['renormalizeL2PerParamType', 1, (gr) => ({ W: gr.W.map((v) => v / norm(gr.W)), b: gr.b.map((v) => v / norm(gr.b)) })],
    ['clipElementWiseAbsoluteValue', 0.5, (gr) => ({ W: gr.W.map((v) => Math.max(-0.5, Math.min(0.5, v))), b: gr.b.map((v) => Math.max(-0.5, Math.min(0.5, v))) })],
    ['clipL2PerLayer', 2, (gr) => ({ W: gr.W.map((v) => (v * 2) / norm(all)), b: gr.b.map((v) => (v * 2) / norm(all)) })],
    ['clipL2PerParamType', 2, (gr) => ({ W: gr.W.map((v) => (v * 2) / norm(gr.W)), b: gr.b.map((v) => (v * 2) / Math.max(2, norm(gr.b))) })],
  ];
  for (const [mode, threshold, expected] of cases) {
    it(`${mode} (threshold ${threshold}) bounds the update as specified`, async () => {
      const update = await oneStepUpdate(net({ gradientNormalization: mode, gradientNormalizationThreshold: threshold }));
      const want = expected(g);
      expectClose(update.W, want.W);
      expectClose(update.b, want.b);
      const got = [...update.W, ...update.b];
      if (mode === 'clipElementWiseAbsoluteValue') expect(Math.max(...got.map(Math.abs))).toBeCloseTo(threshold, 6);
      if (mode === 'clipL2PerLayer') expect(norm(got)).toBeCloseTo(threshold, 5);
      if (mode === 'renormalizeL2PerLayer') expect(norm(got)).toBeCloseTo(1, 5);
    });
  }

  it('clips below the threshold not at all', async () => {
    const update = await oneStepUpdate(net({ gradientNormalization: 'clipL2PerLayer', gradientNormalizationThreshold: 1e9 }));
    expectClose(update.W, g.W);
  });

  it('normalises before adding the L2 gradient (DL4J order): update = clip(g) + l2 w', async () => {
    const update = await oneStepUpdate(net({ gradientNormalization: 'clipElementWiseAbsoluteValue', gradientNormalizationThreshold: 0.5, l2: 0.3 }));
    expectClose(
      update.W,
      g.W.map((v, i) => Math.max(-0.5, Math.min(0.5, v)) + 0.3 * (W0[i] as number)),
    );
    expectClose(update.b, g.b.map((v) => Math.max(-0.5, Math.min(0.5, v)))); // no l2Bias
  });

  it('accepts DL4J spellings and rejects unknown modes with the known ones listed', () => {
    expect(() => net({ gradientNormalization: 'ClipL2PerLayer' as GradientNormalization }).dispose()).not.toThrow();
    expect(() => net({ gradientNormalization: 'CLIP_ELEMENT_WISE_ABSOLUTE_VALUE' as GradientNormalization }).dispose()).not.toThrow();
    expect(() => net({ gradientNormalization: 'clipEverything' as GradientNormalization })).toThrow(ConfigError);
    expect(() => net({ gradientNormalization: 'clipEverything' as GradientNormalization })).toThrow(/unknown gradientNormalization "clipEverything"; expected one of none, renormalizeL2PerLayer/);
    expect(() => net({ gradientNormalizationThreshold: -1 })).toThrow(/gradientNormalizationThreshold must be a positive finite number, received -1/);
  });
});

describe('update pipeline: decoupled weight decay', () => {
  const small = { features: X.map((r) => r.map((v) => v / 1000)), labels: Y };
  const gs = (() => {
    const r = small.features.map((x, n) => x.reduce((s, xi, i) => s + xi * (W0[i] as number), B0[0] as number) - (Y[n] as number[])[0]!);
    return { W: W0.map((_, i) => small.features.reduce((s, x, n) => s + (x[i] as number) * (r[n] as number), 0) / 2), b: [r.reduce((s, v) => s + v, 0) / 2] };
  })();

  async function step(defaults: NetworkConfig['defaults']): Promise<{ W: number[]; b: number[] }> {
    const n = net(defaults);
    await n.fit(small, { epochs: 1, batchSize: 2, shuffle: false });
    const w = Array.from(await n.getParam('linear-out_0/W').data());
    const b = Array.from(await n.getParam('linear-out_0/b').data());
    n.dispose();
    return { W: W0.map((w0, i) => w0 - (w[i] as number)), b: B0.map((b0, i) => b0 - (b[i] as number)) };
  }

  it('adds weightDecay * lr * w after the updater, weights only by default', async () => {
    const update = await step({ updater: { type: 'pipe/sgd', lr: 0.1 }, weightDecay: 0.05 });
    expectClose(update.W, gs.W.map((v, i) => 0.1 * v + 0.05 * 0.1 * (W0[i] as number)));
    expectClose(update.b, gs.b.map((v) => 0.1 * v));
  });

  it('with weightDecayApplyLR: false adds weightDecay * w; weightDecayBias decays biases', async () => {
    const update = await step({ updater: { type: 'pipe/sgd', lr: 0.1 }, weightDecay: 0.05, weightDecayApplyLR: false, weightDecayBias: 0.2 });
    expectClose(update.W, gs.W.map((v, i) => 0.1 * v + 0.05 * (W0[i] as number)));
    expectClose(update.b, gs.b.map((v, i) => 0.1 * v + 0.2 * (B0[i] as number)));
  });

  it('uses a rate of 1 for updaters without learningRateAt, and is not part of the score', async () => {
    const update = await step({ updater: { type: 'pipe/momentum', lr: 0.1 }, weightDecay: 0.05 });
    expectClose(update.W, gs.W.map((v, i) => 0.1 * v + 0.05 * (W0[i] as number)));
    const n = net({ weightDecay: 0.05 });
    const plain = net({});
    const batch = { features: tf.tensor2d(small.features), labels: tf.tensor2d(small.labels) };
    expect(await n.score(batch.features, batch.labels)).toBeCloseTo(await plain.score(batch.features, batch.labels), 6);
    tf.dispose([batch.features, batch.labels]);
    n.dispose();
    plain.dispose();
  });
});

describe('updater state and counters', () => {
  const data = { features: X.map((r) => r.map((v) => v / 1000)), labels: Y };
  const config = { updater: { type: 'pipe/momentum' as const, lr: 0.1 } };

  it('exposes every updater state tensor by name, and a restored run continues exactly', async () => {
    const reference = net(config);
    await reference.fit(data, { epochs: 3, batchSize: 1, shuffle: false });
    const state = reference.updaterState();
    expect([...state.keys()]).toEqual(['linear-out_0/W/v', 'linear-out_0/b/v']);
    const saved = new Map([...state].map(([k, v]) => [k, v.clone()]));
    const params = new Map(reference.paramNames().map((k) => [k, reference.getParam(k)]));
    const counters = { iteration: reference.iteration, epoch: reference.epoch };
    expect(counters).toEqual({ iteration: 6, epoch: 3 });
    await reference.fit(data, { epochs: 2, batchSize: 1, shuffle: false });

    const resumed = net(config);
    for (const [k, v] of params) resumed.setParam(k, v);
    resumed.setUpdaterState(saved);
    resumed.setCounters(counters);
    await resumed.fit(data, { epochs: 2, batchSize: 1, shuffle: false });
    expect({ iteration: resumed.iteration, epoch: resumed.epoch }).toEqual({ iteration: 10, epoch: 5 });
    for (const k of reference.paramNames()) {
      expect(Array.from(await resumed.getParam(k).data())).toEqual(Array.from(await reference.getParam(k).data()));
    }
    // Without the state, the continuation differs: the test would notice a state that is ignored.
    const fresh = net(config);
    for (const [k, v] of params) fresh.setParam(k, v);
    await fresh.fit(data, { epochs: 2, batchSize: 1, shuffle: false });
    expect(Array.from(await fresh.getParam('linear-out_0/W').data())).not.toEqual(Array.from(await reference.getParam('linear-out_0/W').data()));
    tf.dispose([...saved.values(), ...params.values()]);
    for (const n of [reference, resumed, fresh]) n.dispose();
  });

  it('rejects missing, unknown and misshapen state, and bad counters, naming them', () => {
    const n = net(config);
    const good = n.updaterState();
    expect(() => n.setUpdaterState(new Map([['linear-out_0/W/v', tf.zeros([3, 1])]]))).toThrow('setUpdaterState: missing linear-out_0/b/v');
    expect(() => n.setUpdaterState(new Map([...good, ['x/y/z', tf.zeros([1])]]))).toThrow('unknown x/y/z');
    expect(() => n.setUpdaterState(new Map([...good, ['linear-out_0/W/v', tf.zeros([1, 3])]]))).toThrow(ShapeError);
    expect(() => n.setCounters({ iteration: -1, epoch: 0 })).toThrow('setCounters: iteration must be a non-negative integer, received -1');
    n.dispose();
  });

  it('lets strategies set parameters through the target, checking names and shapes', () => {
    const counters = { iteration: 0, epoch: 0 };
    const { model } = buildModel({ seed: 1, input: 3, defaults: config, layers: [{ type: 'pipe/linear-out', nOut: 1 }] }, registry, counters);
    const target = trainingTarget(model);
    expect(() => target.setParams(new Map([['linear-out_0/W', tf.zeros([1, 3])]]))).toThrow(ShapeError);
    expect(() => target.setParams(new Map([['nope', tf.zeros([1])]]))).toThrow('setParams: "nope" is not a trainable parameter');
    target.setParams(new Map([['linear-out_0/b', tf.tensor1d([7])]]));
    expect(model.params.slot('linear-out_0/b').variable.dataSync()[0]).toBe(7);
    expect(target.counters).toEqual({ iteration: 0, epoch: 0 });
    // The target reads the model's counters, which the network and the fit loop advance.
    counters.iteration = 4;
    expect(target.counters.iteration).toBe(4);
    model.params.dispose();
  });

  it('keeps the tensor count constant across epochs with normalisation, decay and stateful updaters', async () => {
    const n = net({ ...config, gradientNormalization: 'clipL2PerLayer', weightDecay: 0.01, l1: 0.01 });
    const ds = DataSet.from(data.features, data.labels);
    const counts: number[] = [];
    await n.fit(ds, { epochs: 3, batchSize: 1, listeners: [{ onEpochEnd: () => void counts.push(tf.memory().numTensors) }] });
    expect(new Set(counts).size).toBe(1);
    ds.dispose();
    n.dispose();
  });
});
