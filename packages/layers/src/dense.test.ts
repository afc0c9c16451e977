import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, DataSet, Dl4tsError, Network, Rng, ShapeError, isOutputLayer } from '@dl4ts/core';
import type { BuildContext, ComponentDefinition, Loss, NetworkConfig, OutputLayer, ParamDeclaration, ResolvedLayerConfig, Updater } from '@dl4ts/core';
import { checkGradients, compareArrays, networkTarget, recordingBuildContext, registryWith } from '@dl4ts/core/testing';
import { describe, expect, it } from 'vitest';
import { Dense } from './dense';
import { Output } from './output';
import { registerLayers } from './register-layers';

// @dl4ts/losses and @dl4ts/updaters are not dependencies of this package: the tests register a
// minimal cross-entropy and SGD of their own, written against core's contracts.
declare module '@dl4ts/core' {
  interface LossConfigMap {
    'test/mcxent': Record<string, never>;
  }
  interface UpdaterConfigMap {
    'test/sgd': { learningRate: number };
  }
}

const testDefinitions: ComponentDefinition[] = [
  {
    kind: 'loss',
    key: 'test/mcxent',
    contractVersion: 1,
    create: (config): Loss => ({
      key: 'test/mcxent',
      config,
      scoreArray: ({ labels, preOutput }) => tf.neg(tf.sum(tf.mul(labels, tf.logSoftmax(preOutput)), -1)),
    }),
  },
  {
    kind: 'updater',
    key: 'test/sgd',
    contractVersion: 1,
    create: (config): Updater => ({
      key: 'test/sgd',
      config,
      initState: () => ({}),
      apply: (g, state) => ({ update: tf.mul(g, config.learningRate as number), state }),
    }),
  },
];

const registry = registryWith(registerLayers, { name: 'layers-test', definitions: testDefinitions });

/** A build context that records declarations, like the one Network passes. */
const buildContext = (): { context: BuildContext; declarations: ParamDeclaration[] } => recordingBuildContext(registry);

function dense(options: Record<string, unknown>): Dense {
  return registry.create('layer', { type: 'layers/dense', name: 'd', ...options }) as Dense;
}

const forwardContext = { training: false, rng: new Rng(1) };

// Fixed values for a 2 x 4 input, a 4 x 3 weight matrix and a bias, chosen so that some
// pre-activations are negative (relu zeros them) and some positive.
const X = [
  [1, -2, 0.5, 3],
  [-1, 0.25, 2, -0.5],
];
const W = [
  [0.2, -0.5, 0.1],
  [0.4, 0.3, -0.2],
  [-0.6, 0.8, 0.05],
  [0.1, -0.1, 0.7],
];
const B = [0.05, -0.1, 0.2];

/** x W + b in float64. */
function affine64(x: number[][], w: number[][], b: number[]): number[][] {
  return x.map((row) => b.map((bj, j) => row.reduce((s, xi, i) => s + xi * (w[i]![j] as number), bj)));
}

describe('Dense', () => {
  it('declares W [nIn, nOut] and b [nOut] with fans, roles and initialisers, and returns [nOut]', () => {
    const { context, declarations } = buildContext();
    const layer = dense({ nOut: 3, weightInit: 'relu', biasInit: 0.5 });
    expect(layer.build([4], context)).toEqual([3]);
    expect(declarations.map((d) => ({ name: d.name, shape: d.shape, role: d.role, fanIn: d.fanIn, fanOut: d.fanOut, init: d.init.key }))).toEqual([
      { name: 'W', shape: [4, 3], role: 'weight', fanIn: 4, fanOut: 3, init: 'layers/relu' },
      { name: 'b', shape: [3], role: 'bias', fanIn: 4, fanOut: 3, init: 'layers/constant' },
    ]);
    const bias = declarations[1]!.init.init({ shape: [3], fanIn: 4, fanOut: 3, rng: new Rng(0) });
    expect(Array.from(bias)).toEqual([0.5, 0.5, 0.5]);
  });

  it('declares no bias with hasBias: false, and defaults the bias to 0', () => {
    const noBias = buildContext();
    dense({ nOut: 2, hasBias: false }).build([5], noBias.context);
    expect(noBias.declarations.map((d) => d.name)).toEqual(['W']);
    const withBias = buildContext();
    dense({ nOut: 2 }).build([5], withBias.context);
    expect(Array.from(withBias.declarations[1]!.init.init({ shape: [2], fanIn: 5, fanOut: 2, rng: new Rng(0) }))).toEqual([0, 0]);
  });

  it('throws a ShapeError naming both sizes when nIn disagrees with the input', () => {
    const { context } = buildContext();
    const layer = dense({ name: 'hidden', nIn: 784, nOut: 10 });
    expect(() => layer.build([780], context)).toThrow(ShapeError);
    expect(() => layer.build([780], context)).toThrow('input has 780 features, expected nIn=784');
    try {
      layer.build([780], context);
    } catch (error) {
      expect((error as ShapeError).received).toEqual([780]);
      expect((error as ShapeError).expected).toEqual([784]);
      expect((error as ShapeError).message).toContain('"hidden"');
    }
    // A matching nIn is accepted.
    expect(dense({ nIn: 780, nOut: 10 }).build([780], context)).toEqual([10]);
  });

  it('rejects the same mismatch when a Network is initialised, before allocating any tensor', () => {
    const before = tf.memory().numTensors;
    const net = new Network(
      {
        input: 780,
        defaults: { updater: { type: 'test/sgd', learningRate: 0.1 } },
        layers: [
          { type: 'layers/dense', nIn: 784, nOut: 10, activation: 'relu' },
          { type: 'layers/output', nOut: 2, activation: 'softmax', loss: 'test/mcxent' },
        ],
      },
      { registry },
    );
    expect(() => net.init()).toThrow(ShapeError);
    expect(() => net.init()).toThrow('input has 780 features, expected nIn=784');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a bad nOut and a non-flat input', () => {
    const { context } = buildContext();
    expect(() => dense({ nOut: 0 }).build([3], context)).toThrow(ConfigError);
    expect(() => dense({ nOut: 2.5 }).build([3], context)).toThrow(ConfigError);
    expect(() => dense({ nOut: 2 }).build([28, 28], context)).toThrow(ShapeError);
  });

  it('rejects a hasBias that is not a boolean ("no" would read as having a bias), in a Network too', () => {
    const { context } = buildContext();
    expect(() => dense({ nOut: 2, hasBias: 'no' as unknown as boolean }).build([3], context)).toThrow(/hasBias must be true or false, received "no"/);
    const registry = registryWith(registerLayers);
    expect(() => new Network({ input: 3, layers: [{ type: 'layers/dense', nOut: 2, hasBias: 0 as unknown as boolean }, { type: 'layers/output', nOut: 2, activation: 'softmax', loss: 'mcxent' }] }, { registry }).init()).toThrow(/hasBias must be true or false, received 0/);
  });

  it('forward equals relu(x W + b) computed in float64', async () => {
    const layer = dense({ nOut: 3, activation: 'relu' });
    layer.build([4], buildContext().context);
    const x = tf.tensor2d(X);
    const params = { W: tf.tensor2d(W), b: tf.tensor1d(B) };
    const y = tf.tidy(() => layer.forward(x, params, forwardContext));
    expect(y.shape).toEqual([2, 3]);
    const expected = affine64(X, W, B).flat().map((v) => Math.max(0, v));
    // Sanity: the fixture has both signs before relu.
    expect(affine64(X, W, B).flat().some((v) => v < 0)).toBe(true);
    expect(compareArrays(await y.data(), expected, { atol: 1e-6, rtol: 1e-6 }).ok).toBe(true);
    tf.dispose([x, y, params.W, params.b]);
  });

  it('forward without a bias is f(x W); the activation defaults to identity', async () => {
    const layer = dense({ nOut: 3, hasBias: false });
    layer.build([4], buildContext().context);
    const x = tf.tensor2d(X);
    const w = tf.tensor2d(W);
    const y = tf.tidy(() => layer.forward(x, { W: w }, forwardContext));
    expect(compareArrays(await y.data(), affine64(X, W, [0, 0, 0]).flat(), { atol: 1e-6, rtol: 1e-6 }).ok).toBe(true);
    tf.dispose([x, w, y]);
  });
});

describe('Output', () => {
  function output(options: Record<string, unknown> = {}): Output {
    return registry.create('layer', { type: 'layers/output', name: 'out', nOut: 3, activation: 'softmax', loss: 'test/mcxent', ...options }) as Output;
  }

  it('is an output layer whose preOutput is x W + b and whose forward is softmax(x W + b)', async () => {
    const layer = output();
    expect(isOutputLayer(layer)).toBe(true);
    const { context, declarations } = buildContext();
    expect(layer.build([4], context)).toEqual([3]);
    expect(declarations.map((d) => d.name)).toEqual(['W', 'b']);
    expect(layer.activation.key).toBe('layers/softmax');
    expect(layer.loss.key).toBe('test/mcxent');
    const x = tf.tensor2d(X);
    const params = { W: tf.tensor2d(W), b: tf.tensor1d(B) };
    const z = tf.tidy(() => layer.preOutput(x, params));
    const y = tf.tidy(() => layer.forward(x, params, forwardContext));
    const z64 = affine64(X, W, B);
    const softmax64 = z64.flatMap((row) => {
      const m = Math.max(...row);
      const e = row.map((v) => Math.exp(v - m));
      const s = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / s);
    });
    expect(compareArrays(await z.data(), z64.flat(), { atol: 1e-6, rtol: 1e-6 }).ok).toBe(true);
    expect(compareArrays(await y.data(), softmax64, { atol: 1e-6, rtol: 1e-6 }).ok).toBe(true);
    tf.dispose([x, z, y, params.W, params.b]);
  });

  it('says it is not built when its activation or loss is read before build', () => {
    const layer = output();
    expect(() => layer.activation).toThrow(Dl4tsError);
    expect(() => layer.loss).toThrow(/not built yet/);
  });

  it('checks nIn like Dense', () => {
    expect(() => output({ nIn: 5 }).build([4], buildContext().context)).toThrow('input has 4 features, expected nIn=5');
  });
});

// Three Gaussian blobs in 2-D, drawn from a seeded generator.
function blobs(perClass: number, seed: number): { x: number[][]; y: number[][] } {
  const rng = new Rng(seed);
  const centres = [
    [2, 0],
    [-1, 1.7],
    [-1, -1.7],
  ];
  const x: number[][] = [];
  const y: number[][] = [];
  for (let i = 0; i < perClass; i++) {
    centres.forEach((c, k) => {
      x.push([(c[0] as number) + 0.5 * rng.normal(), (c[1] as number) + 0.5 * rng.normal()]);
      y.push([0, 1, 2].map((j) => (j === k ? 1 : 0)));
    });
  }
  return { x, y };
}

function classifierConfig(hidden = 'relu'): NetworkConfig {
  return {
    seed: 7,
    input: 2,
    defaults: { weightInit: 'xavier', updater: { type: 'test/sgd', learningRate: 0.1 } },
    layers: [
      { type: 'layers/dense', nOut: 8, activation: hidden as 'relu', weightInit: 'relu', biasInit: 0.1 },
      { type: 'layers/output', nOut: 3, activation: 'softmax', loss: 'test/mcxent' },
    ],
  };
}

describe('Dense + Output in a Network', () => {
  it('score gradients match central differences (tanh hidden layer, softmax output)', async () => {
    const net = new Network(classifierConfig('tanh'), { registry }).init();
    const { x, y } = blobs(2, 3);
    const batch = { features: tf.tensor2d(x), labels: tf.tensor2d(y) };
    const target = networkTarget(net);
    const names = [...target.trainableParams().keys()];
    expect(names).toEqual(['dense_0/W', 'dense_0/b', 'output_1/W', 'output_1/b']);
    const params = [...target.trainableParams().values()];
    const result = await checkGradients((ps) => target.score(batch, true, new Map(names.map((n, i) => [n, ps[i] as tf.Tensor]))), params);
    expect(result.checked).toBe(2 * 8 + 8 + 8 * 3 + 3);
    expect(result.failures).toEqual([]);
    tf.dispose([batch.features, batch.labels]);
    net.dispose();
  });

  it('score equals mean cross-entropy of softmax(relu(x W1 + b1) W2 + b2), computed in float64', async () => {
    const net = new Network(classifierConfig(), { registry }).init();
    const { x, y } = blobs(3, 11);
    const read = async (name: string): Promise<number[]> => {
      const t = net.getParam(name);
      const v = Array.from((await t.data()) as Float32Array);
      t.dispose();
      return v;
    };
    const [w1, b1, w2, b2] = await Promise.all(['dense_0/W', 'dense_0/b', 'output_1/W', 'output_1/b'].map(read));
    const matrix = (v: number[], cols: number): number[][] => Array.from({ length: v.length / cols }, (_, r) => v.slice(r * cols, r * cols + cols));
    const h = affine64(x, matrix(w1!, 8), b1!).map((row) => row.map((v) => Math.max(0, v)));
    const z = affine64(h, matrix(w2!, 3), b2!);
    const losses = z.map((row, i) => {
      const m = Math.max(...row);
      const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
      return -row.reduce((s, v, j) => s + (y[i]![j] as number) * (v - lse), 0);
    });
    const expected = losses.reduce((a, b) => a + b, 0) / losses.length;
    const xs = tf.tensor2d(x);
    const ys = tf.tensor2d(y);
    expect(await net.score(xs, ys)).toBeCloseTo(expected, 5);
    // Network output is the softmax of the same logits.
    const out = net.output(xs);
    const probs = z.flatMap((row) => {
      const m = Math.max(...row);
      const e = row.map((v) => Math.exp(v - m));
      const s = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / s);
    });
    expect(compareArrays(await out.data(), probs, { atol: 1e-6, rtol: 1e-5 }).ok).toBe(true);
    tf.dispose([xs, ys, out]);
    net.dispose();
  });

  it('trains for 3 epochs with a constant tensor count after each epoch and a decreasing score', async () => {
    const net = new Network(classifierConfig(), { registry }).init();
    const { x, y } = blobs(20, 1);
    const data = DataSet.from(x, y);
    const xs = tf.tensor2d(x);
    const ys = tf.tensor2d(y);
    const before = await net.score(xs, ys);
    const counts: number[] = [];
    const { meanScores } = await net.fit(data, {
      epochs: 3,
      batchSize: 10,
      listeners: [{ onEpochEnd: () => void counts.push(tf.memory().numTensors) }],
    });
    const after = await net.score(xs, ys);
    expect(counts).toHaveLength(3);
    expect(new Set(counts).size).toBe(1);
    expect(meanScores).toHaveLength(3);
    expect(meanScores.every(Number.isFinite)).toBe(true);
    expect(meanScores[2]).toBeLessThan(meanScores[0] as number);
    expect(after).toBeLessThan(before);
    tf.dispose([xs, ys]);
    data.dispose();
    net.dispose();
  });

  it('every layer config survives a JSON round trip through the registry', async () => {
    const net = new Network(classifierConfig(), { registry }).init();
    for (const layer of net.layers) {
      const json = JSON.parse(JSON.stringify(layer.config)) as ResolvedLayerConfig;
      const recreated = registry.create('layer', json);
      expect(recreated.key).toBe(layer.key);
      expect(recreated.config).toEqual(layer.config);
      // The recreated layer builds to the same shape and declarations.
      const a = buildContext();
      const b = buildContext();
      const inputShape = layer.key === 'layers/dense' ? [2] : [8];
      expect(recreated.build(inputShape, b.context)).toEqual(layer.build(inputShape, a.context));
      expect(b.declarations.map((d) => [d.name, d.shape, d.role, d.init.config])).toEqual(a.declarations.map((d) => [d.name, d.shape, d.role, d.init.config]));
    }
    const out = net.layers[1] as OutputLayer;
    const recreatedOut = (registry.create('layer', JSON.parse(JSON.stringify(out.config))) as OutputLayer);
    recreatedOut.build([8], buildContext().context);
    expect(recreatedOut.activation.config).toEqual(out.activation.config);
    expect(recreatedOut.loss.config).toEqual(out.loss.config);
    // The whole network config too: same seed, same parameters, same output.
    const copy = new Network(JSON.parse(JSON.stringify(net.config)) as NetworkConfig, { registry }).init();
    const xs = tf.tensor2d([[0.5, -1], [2, 0.25]]);
    const y1 = net.output(xs);
    const y2 = copy.output(xs);
    expect(Array.from(await y2.data())).toEqual(Array.from(await y1.data()));
    tf.dispose([xs, y1, y2]);
    copy.dispose();
    net.dispose();
  });
});
