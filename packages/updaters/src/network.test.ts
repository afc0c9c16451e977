// The updaters inside core's Network: the counters core passes (iteration, epoch) drive the
// schedules and the bias correction, `biasUpdater` is honoured, and a resumed run continues
// exactly. @dl4ts/layers is not a dependency of this package, so a linear output layer with a
// half squared error is written here against core's contracts.
import * as tf from '@tensorflow/tfjs-core';
import { DataSet, LAYER_COMMON_OPTIONS, Network, Registry } from '@dl4ts/core';
import type { ComponentDefinition, Layer, LayerCommonOptions, OutputLayer, ParamMap, ResolvedConfig, ResolvedLayerConfig, WeightInitContext } from '@dl4ts/core';
import { compareArrays } from '@dl4ts/core/testing';
import { describe, expect, it } from 'vitest';
import { adamRule } from './reference-rules';
import { registerUpdaters } from './register-updaters';

declare module '@dl4ts/core' {
  interface LayerConfigMap {
    'itest/linear-out': LayerCommonOptions & { nOut: number };
  }
  interface WeightInitConfigMap {
    'itest/values': { values: number[] };
  }
}

function linearOut(config: ResolvedConfig): OutputLayer {
  const preOutput = (x: tf.Tensor, p: ParamMap): tf.Tensor => tf.add(tf.matMul(x as tf.Tensor2D, p.W as tf.Tensor2D), p.b as tf.Tensor);
  return {
    key: 'itest/linear-out',
    config: config as ResolvedLayerConfig,
    activation: { key: 'itest/identity', config: { type: 'itest/identity' }, apply: (x) => x },
    loss: { key: 'itest/half-squared', config: { type: 'itest/half-squared' }, scoreArray: ({ labels, preOutput: o }) => tf.mul(0.5, tf.sum(tf.squaredDifference(o, labels), -1)) },
    build(shape, ctx) {
      const nIn = shape[0] as number;
      const nOut = config.nOut as number;
      ctx.addParam({ name: 'W', shape: [nIn, nOut], role: 'weight', init: ctx.weightInit({ type: 'itest/values', values: [0.2, -0.4] }), fanIn: nIn, fanOut: nOut });
      ctx.addParam({ name: 'b', shape: [nOut], role: 'bias', init: ctx.weightInit({ type: 'itest/values', values: [0.1] }), fanIn: nIn, fanOut: nOut });
      return [nOut];
    },
    preOutput,
    forward: preOutput,
  } satisfies Layer & OutputLayer;
}

const definitions: ComponentDefinition[] = [
  { kind: 'layer', key: 'itest/linear-out', contractVersion: 1, options: [...Object.keys(LAYER_COMMON_OPTIONS), 'nOut'], create: linearOut },
  { kind: 'weightInit', key: 'itest/values', contractVersion: 1, create: (c) => ({ key: 'itest/values', config: c, init: (_: WeightInitContext) => Float32Array.from(c.values as number[]) }) },
];

const X = [
  [1, 2],
  [0.5, -1],
  [-2, 0.25],
  [3, 1],
];
const Y = [1, 0, -1, 2];
const LR = { type: 'step', initialValue: 0.1, decayRate: 0.5, step: 1, scheduleType: 'epoch' } as const;

function makeNet(): Network {
  const registry = registerUpdaters(new Registry()).use({ name: 'itest', definitions });
  return new Network(
    {
      seed: 1,
      input: 2,
      defaults: { updater: { type: 'updaters/adam', learningRate: LR, beta1: 0.8, beta2: 0.9, epsilon: 1e-4 } },
      layers: [{ type: 'itest/linear-out', nOut: 1, name: 'out', biasUpdater: { type: 'updaters/sgd', learningRate: 0.05 } }],
    },
    { registry },
  ).init();
}

async function params(net: Network): Promise<number[]> {
  return [...(await net.getParam('out/W').data()), ...(await net.getParam('out/b').data())];
}

describe('updaters in a core Network', () => {
  it('adam with an epoch step schedule, 2 epochs of 2 batches, matches the float64 reference; the bias follows its own biasUpdater (SGD 0.05)', async () => {
    const net = makeNet();
    const data = DataSet.from(X, Y.map((y) => [y]));
    await net.fit(data, { epochs: 2, batchSize: 2, shuffle: false });
    expect(net.iteration).toBe(4);
    expect(net.epoch).toBe(2);

    // Reference: minibatch i holds rows 2(i mod 2), 2(i mod 2) + 1; loss = mean 0.5 (x W + b - y)^2.
    const rule = adamRule({ beta1: 0.8, beta2: 0.9, epsilon: 1e-4 }, (s) => 0.1 * 0.5 ** s.epoch);
    const w = [0.2, -0.4];
    let b = 0.1;
    let states = w.map((wi) => rule.init(wi));
    for (let i = 0; i < 4; i++) {
      const rows = [2 * (i % 2), 2 * (i % 2) + 1];
      const residual = rows.map((r) => X[r]![0]! * w[0]! + X[r]![1]! * w[1]! + b - Y[r]!);
      const g = [0, 1].map((j) => residual.reduce((s, e, k) => s + e * X[rows[k]!]![j]!, 0) / rows.length);
      states = states.map((s, j) => {
        const { update, state } = rule.apply(g[j]!, s, { iteration: i, epoch: Math.floor(i / 2) });
        w[j] = w[j]! - update;
        return state;
      });
      b -= 0.05 * (residual.reduce((s, e) => s + e, 0) / rows.length);
    }
    const actual = await params(net);
    expect(compareArrays(actual, [...w, b], { rtol: 1e-5, atol: 1e-6 }).ok, `${actual.join()} vs ${[...w, b].join()}`).toBe(true);
    expect(Math.abs(w[0]! - 0.2)).toBeGreaterThan(0.05);
    expect(Math.abs(b - 0.1)).toBeGreaterThan(1e-3); // the bias moved, by its own rule
    data.dispose();
    net.dispose();
  });

  it('a run resumed from saved parameters, updater state and counters continues exactly (schedule included)', async () => {
    const data = DataSet.from(X, Y.map((y) => [y]));
    const straight = makeNet();
    await straight.fit(data, { epochs: 3, batchSize: 2, shuffle: false });

    const first = makeNet();
    await first.fit(data, { epochs: 1, batchSize: 2, shuffle: false });
    const resumed = makeNet();
    for (const name of ['out/W', 'out/b']) resumed.setParam(name, first.getParam(name));
    resumed.setUpdaterState(first.updaterState());
    resumed.setCounters({ iteration: first.iteration, epoch: first.epoch });
    expect([...resumed.updaterState().keys()].sort()).toEqual(['out/W/m', 'out/W/v']); // SGD on the bias has no state
    await resumed.fit(data, { epochs: 2, batchSize: 2, shuffle: false });

    expect(await params(resumed)).toEqual(await params(straight));
    // Not vacuous: restarting the counters (schedule and bias correction) changes the result.
    const restarted = makeNet();
    for (const name of ['out/W', 'out/b']) restarted.setParam(name, first.getParam(name));
    restarted.setUpdaterState(first.updaterState());
    await restarted.fit(data, { epochs: 2, batchSize: 2, shuffle: false });
    expect((await params(restarted))[0]).not.toBeCloseTo((await params(straight))[0]!, 4);
    for (const net of [straight, first, resumed, restarted]) net.dispose();
    data.dispose();
  });

  it('learningRate(param) reports each parameter\'s rate after its schedule, for the coming iteration', async () => {
    const net = makeNet();
    const data = DataSet.from(X, Y.map((y) => [y]));
    expect(net.learningRate('out/W')).toBe(0.1);
    expect(net.learningRate('out/b')).toBe(0.05); // its own biasUpdater
    await net.fit(data, { epochs: 1, batchSize: 2, shuffle: false });
    expect(net.learningRate('out/W')).toBeCloseTo(0.1 * 0.5, 12); // step schedule, epoch 1
    await net.fit(data, { epochs: 2, batchSize: 2, shuffle: false });
    expect(net.learningRate('out/W')).toBeCloseTo(0.1 * 0.5 ** 3, 12);
    expect(() => net.learningRate('out/nope')).toThrow(/Unknown parameter "out\/nope"; known: out\/W, out\/b/);
    data.dispose();
    net.dispose();
  });
});
