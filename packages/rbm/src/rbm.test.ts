import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, DataSet, ShapeError, isPretrainable } from '@dl4ts/core';
import type { Network } from '@dl4ts/core';
import { describe, expect, it } from 'vitest';
import type { Matrix } from './test-support';
import { addRow, cdReference, matmul, mean64, rbmNetwork, read, setParams } from './test-support';
import type { HiddenUnit, VisibleUnit } from './units';

// 5 examples of 4 visible values in [0, 1], 3 hidden units.
const X: Matrix = [
  [1, 0, 0.5, 0.25],
  [0, 1, 0.75, 0],
  [0.2, 0.4, 0, 1],
  [0.9, 0.1, 0.3, 0.6],
  [0, 0, 1, 1],
];
const W: Matrix = [
  [0.2, -0.5, 0.1],
  [0.4, 0.3, -0.2],
  [-0.6, 0.8, 0.05],
  [0.1, -0.1, 0.7],
];
const B = [0.05, -0.1, 0.2];
const VB = [0.1, -0.2, 0, 0.3];
const LR = 0.1;

/** Pretrains one full batch (one step) with SGD and returns the parameters after it. */
async function oneStep(net: Network, x: Matrix): Promise<{ W: number[]; b: number[]; vb: number[] }> {
  const data = DataSet.from(x, x.map(() => [1, 0]));
  await net.pretrainLayer('rbm', data, { epochs: 1, batchSize: x.length, shuffle: false });
  data.dispose();
  return { W: await read(net, 'rbm/W'), b: await read(net, 'rbm/b'), vb: await read(net, 'rbm/vb') };
}

function expectStep(actual: number[], before: number[], gradient: number[], digits = 6): void {
  expect(actual.length).toBe(before.length);
  actual.forEach((a, i) => expect(a).toBeCloseTo((before[i] as number) - LR * (gradient[i] as number), digits));
}

const meanField = { sampleHidden: false, sampleVisible: false, updater: { type: 'updaters/sgd', learningRate: LR }, weightInit: 'xavier' };

describe('Rbm: deterministic (mean-field) CD-k equals the equations', () => {
  const cases: [VisibleUnit, HiddenUnit, number, number][] = [
    ['binary', 'binary', 1, 0],
    ['binary', 'binary', 2, 0],
    ['binary', 'binary', 1, 0.5],
    ['binary', 'binary', 2, 0.5],
    ['gaussian', 'rectified', 1, 0],
    ['linear', 'gaussian', 2, 0],
    ['softmax', 'softmax', 2, 0.3],
  ];
  it.each(cases)('%s visible, %s hidden, k=%i, sparsity cost %s: every parameter', async (visible, hidden, k, sparsityCost) => {
    const net = rbmNetwork(4, { nOut: 3, visibleUnit: visible, hiddenUnit: hidden, k, sparsityCost, sparsityTarget: 0.1, ...meanField });
    setParams(net, { W, b: B, vb: VB });
    const after = await oneStep(net, X);
    const ref = cdReference(X, { W, b: B, vb: VB }, { visible, hidden, k, sparsityCost, sparsityTarget: 0.1 });
    expectStep(after.W, W.flat(), ref.W.flat());
    expectStep(after.b, B, ref.b);
    expectStep(after.vb, VB, ref.vb);
    net.dispose();
  });

  it('PCD: the negative phase runs from the stored chains, which move to the last visible states', async () => {
    const chain: Matrix = [
      [0.5, 0.5, 0, 1],
      [1, 0, 1, 0],
    ];
    const net = rbmNetwork(4, { nOut: 3, k: 2, persistent: 2, ...meanField });
    setParams(net, { W, b: B, vb: VB, chain });
    const after = await oneStep(net, X);
    const ref = cdReference(X, { W, b: B, vb: VB }, { visible: 'binary', hidden: 'binary', k: 2, chain });
    expectStep(after.W, W.flat(), ref.W.flat());
    expectStep(after.b, B, ref.b);
    expectStep(after.vb, VB, ref.vb);
    const stored = await read(net, 'rbm/chain');
    stored.forEach((x, i) => expect(x).toBeCloseTo(ref.chain.flat()[i] as number, 6));
    net.dispose();
  });

  it('scores the mean squared reconstruction error of the batch', async () => {
    const net = rbmNetwork(4, { nOut: 3, ...meanField });
    setParams(net, { W, b: B, vb: VB });
    const data = DataSet.from(X, X.map(() => [1, 0]));
    const [score] = await net.pretrainLayer('rbm', data, { epochs: 1, batchSize: 5, shuffle: false });
    expect(score).toBeCloseTo(cdReference(X, { W, b: B, vb: VB }, { visible: 'binary', hidden: 'binary', k: 1 }).score, 5);
    data.dispose();
    net.dispose();
  });

  it('forward is the hidden means, so the network is a feed-forward net for fine-tuning', async () => {
    const net = rbmNetwork(4, { nOut: 3 });
    setParams(net, { W, b: B, vb: VB });
    const x = tf.tensor2d(X);
    const [h, out] = net.feedForward(x);
    const expected = mean64('binary', addRow(matmul(X, W), B)).flat();
    Array.from(await (h as tf.Tensor).data()).forEach((v, i) => expect(v).toBeCloseTo(expected[i] as number, 6));
    expect(isPretrainable(net.layers[0] as never)).toBe(true);
    tf.dispose([x, h as tf.Tensor, out as tf.Tensor]);
    net.dispose();
  });
});

describe('Rbm: seeded sampling', () => {
  const sampled = { nOut: 3, k: 2, sampleHidden: true, sampleVisible: true, persistent: 3, updater: { type: 'updaters/sgd', learningRate: LR } };
  async function trained(seed: number): Promise<number[]> {
    const net = rbmNetwork(4, sampled, seed);
    const data = DataSet.from(X, X.map(() => [1, 0]));
    await net.pretrainLayer('rbm', data, { epochs: 3, batchSize: 2 });
    const values = [...(await read(net, 'rbm/W')), ...(await read(net, 'rbm/b')), ...(await read(net, 'rbm/vb')), ...(await read(net, 'rbm/chain'))];
    data.dispose();
    net.dispose();
    return values;
  }

  it('gives the same parameters and chains for the same seed, and different ones for another seed', async () => {
    const a = await trained(11);
    const b = await trained(11);
    const c = await trained(12);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('samples: the same step from the same parameters differs only through the seed', async () => {
    const run = async (seed: number) => {
      const net = rbmNetwork(4, sampled, seed);
      setParams(net, { W, b: B, vb: VB, chain: [[1, 0, 1, 0], [0, 1, 0, 1], [1, 1, 0, 0]] });
      const after = await oneStep(net, X);
      net.dispose();
      return after.W;
    };
    expect(await run(3)).toEqual(await run(3));
    expect(await run(3)).not.toEqual(await run(4));
  });
});

describe('Rbm: config', () => {
  const build = (options: Record<string, unknown>, nIn = 4) => () => rbmNetwork(nIn, { nOut: 3, ...options }).dispose();

  it('declares W [nIn, nOut], b [nOut], vb [nIn], and the chains [persistent, nIn] as state', () => {
    const net = rbmNetwork(4, { nOut: 3, persistent: 5 });
    expect(net.paramNames().filter((n) => n.startsWith('rbm/'))).toEqual(['rbm/W', 'rbm/b', 'rbm/vb', 'rbm/chain']);
    expect(net.numParams('rbm')).toBe(12 + 3 + 4 + 20);
    net.dispose();
  });

  it.each([
    [{ visibleUnit: 'bernoulli' }, 'Layer "rbm" (rbm/rbm): visibleUnit must be one of "binary", "gaussian", "linear", "softmax", received "bernoulli"'],
    [{ hiddenUnit: 'relu' }, 'Layer "rbm" (rbm/rbm): hiddenUnit must be one of "binary", "rectified", "gaussian", "softmax", received "relu"'],
    [{ k: 0 }, 'Layer "rbm" (rbm/rbm): k must be an integer >= 1, received 0'],
    [{ k: 1.5 }, 'Layer "rbm" (rbm/rbm): k must be an integer >= 1, received 1.5'],
    [{ persistent: -1 }, 'Layer "rbm" (rbm/rbm): persistent must be an integer >= 0 (the number of persistent chains; 0 for CD), received -1'],
    [{ sampleHidden: 'yes' }, 'Layer "rbm" (rbm/rbm): sampleHidden must be one of true, false, received "yes"'],
    [{ sparsityTarget: 1 }, 'Layer "rbm" (rbm/rbm): sparsityTarget must be a number in (0, 1), received 1'],
    [{ sparsityCost: -0.1 }, 'Layer "rbm" (rbm/rbm): sparsityCost must be a finite number >= 0, received -0.1'],
    [{ sparsityCost: 0.1, hiddenUnit: 'gaussian' }, 'Layer "rbm" (rbm/rbm): sparsity needs hidden means in [0, 1]; received hiddenUnit "gaussian", expected "binary" or "softmax"'],
    [{ nOut: 0 }, 'Layer "rbm" (rbm/rbm): nOut must be a positive integer, received 0'],
  ])('rejects %j naming received and expected', (options, message) => {
    expect(build(options)).toThrow(ConfigError);
    expect(build(options)).toThrow(message);
  });

  it('rejects an nIn that does not match the input with a ShapeError', () => {
    expect(build({ nIn: 5 })).toThrow(ShapeError);
    expect(build({ nIn: 5 })).toThrow('Layer "rbm" (rbm/rbm): input has 4 features, expected nIn=5');
  });

  it('keeps its config through JSON: the same network comes back', () => {
    const net = rbmNetwork(4, { nOut: 3, visibleUnit: 'gaussian', hiddenUnit: 'rectified', k: 3, persistent: 2, sampleVisible: true, l2: 1e-4 });
    const config = JSON.parse(JSON.stringify(net.config));
    const layer = net.layers[0];
    expect(config.layers[0]).toEqual({ type: 'rbm/rbm', name: 'rbm', nOut: 3, visibleUnit: 'gaussian', hiddenUnit: 'rectified', k: 3, persistent: 2, sampleVisible: true, l2: 1e-4 });
    expect(layer?.config).toMatchObject(config.layers[0]);
    net.dispose();
  });
});
