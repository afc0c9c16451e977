import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, DataSet, Network, Rng, ShapeError, isPretrainable } from '@dl4ts/core';
import type { NetworkConfig } from '@dl4ts/core';
import { compareArrays, sigmoid64 } from '@dl4ts/core/testing';
import type { Matrix } from '@dl4ts/core/testing';
import { describe, expect, it } from 'vitest';
import type { AutoEncoder } from './autoencoder';
import { buildContext, createLayer, expectConfigRoundTrip, readParam, registry, rows, training, values } from './layer-test-support';


// 4 examples of 5 inputs in [0, 1], 3 hidden units.
const X: Matrix = [
  [1, 0, 0.5, 0.25, 1],
  [0, 1, 0.75, 0, 0.5],
  [0.2, 0.4, 0, 1, 0],
  [0.9, 0.1, 0.3, 0.6, 0.8],
];
const W: Matrix = [
  [0.2, -0.5, 0.1],
  [0.4, 0.3, -0.2],
  [-0.6, 0.8, 0.05],
  [0.1, -0.1, 0.7],
  [0.3, 0.2, -0.4],
];
const B = [0.05, -0.1, 0.2];
const VB = [0.1, -0.2, 0, 0.3, -0.05];

const softplus64 = (z: number): number => Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));

interface Params64 {
  W: Matrix;
  b: number[];
  vb: number[];
}

/** Encode, decode and score in float64: the reference for the layer. */
function reference(x: Matrix, p: Params64, act: 'sigmoid' | 'tanh', loss: 'xent' | 'mse', sparsity = 0): { h: Matrix; z: Matrix; score: number } {
  const f = act === 'sigmoid' ? sigmoid64 : Math.tanh;
  const h = x.map((row) => p.b.map((bj, j) => f(row.reduce((s, xi, i) => s + xi * ((p.W[i] as number[])[j] as number), bj))));
  const z = h.map((hr) => p.vb.map((vbi, i) => hr.reduce((s, hj, j) => s + hj * ((p.W[i] as number[])[j] as number), vbi)));
  const perExample = x.map((row, n) => {
    const zr = z[n] as number[];
    const rec =
      loss === 'xent'
        ? row.reduce((s, xi, i) => s + softplus64(zr[i] as number) - xi * (zr[i] as number), 0)
        : row.reduce((s, xi, i) => s + (f(zr[i] as number) - xi) ** 2, 0) / row.length;
    return rec + sparsity * (h[n] as number[]).reduce((s, v) => s + Math.abs(v), 0);
  });
  return { h, z, score: perExample.reduce((a, b) => a + b, 0) / x.length };
}

const tensors = (p: Params64): Record<string, tf.Tensor> => ({ W: tf.tensor2d(p.W), b: tf.tensor1d(p.b), vb: tf.tensor1d(p.vb) });

function autoencoder(options: Record<string, unknown> = {}): AutoEncoder {
  return createLayer<AutoEncoder>({ type: 'layers/autoencoder', name: 'ae', nOut: 3, ...options });
}

describe('AutoEncoder: config and build', () => {
  it('is pretrainable and declares W [nIn, nOut], b [nOut] and the visible bias vb [nIn]', () => {
    const layer = autoencoder({ biasInit: 0.1, visibleBiasInit: -0.5 });
    expect(isPretrainable(layer)).toBe(true);
    const { context, declarations } = buildContext();
    expect(layer.build([5], context)).toEqual([3]);
    expect(declarations.map((d) => [d.name, d.shape, d.role])).toEqual([
      ['W', [5, 3], 'weight'],
      ['b', [3], 'bias'],
      ['vb', [5], 'bias'],
    ]);
    const rng = new Rng(0);
    expect(Array.from(declarations[1]!.init.init({ shape: [3], fanIn: 5, fanOut: 3, rng }))).toEqual([0.1, 0.1, 0.1].map(Math.fround));
    expect(Array.from(declarations[2]!.init.init({ shape: [5], fanIn: 3, fanOut: 5, rng }))).toEqual([-0.5, -0.5, -0.5, -0.5, -0.5]);
  });

  it('checks nIn against the input and rejects bad options, naming what it received', () => {
    const { context } = buildContext();
    expect(() => autoencoder({ nIn: 6 }).build([5], context)).toThrow(ShapeError);
    expect(() => autoencoder({ nIn: 6 }).build([5], context)).toThrow('Layer "ae" (layers/autoencoder): input has 5 features, expected nIn=6');
    expect(() => autoencoder({ nOut: 0 }).build([5], context)).toThrow(ConfigError);
    expect(() => autoencoder({ corruptionLevel: 1 })).toThrow('Layer "ae" (layers/autoencoder): corruptionLevel must be a number in [0, 1), received 1');
    expect(() => autoencoder({ sparsity: -1 })).toThrow('sparsity must be a finite number >= 0, received -1');
    expect(() => autoencoder({ reconstructionLoss: 'l2' })).toThrow('reconstructionLoss must be one of "xent", "mse", received "l2"');
  });

  it('config survives a JSON round trip through the registry', () => {
    expectConfigRoundTrip(autoencoder({ corruptionLevel: 0.2, sparsity: 0.01, reconstructionLoss: 'mse', activation: 'tanh', visibleBiasInit: 0.5 }), [5]);
  });
});

describe('AutoEncoder: forward and pretraining gradients', () => {
  it('forward is the encoding of the clean input, sigmoid(x W + b) by default', async () => {
    const layer = autoencoder({ corruptionLevel: 0.5 });
    layer.build([5], buildContext().context);
    const x = tf.tensor2d(X);
    const p = tensors({ W, b: B, vb: VB });
    // Training mode too: corruption belongs to pretraining only.
    const y = tf.tidy(() => layer.forward(x, p, training().context));
    const { h } = reference(X, { W, b: B, vb: VB }, 'sigmoid', 'xent');
    expect(compareArrays(await values(y), h.flat(), { atol: 1e-6, rtol: 1e-6 }).ok).toBe(true);
    tf.dispose([x, y, ...Object.values(p)]);
  });

  it('xent with sigmoid: score and gradients equal the closed form in float64 (no corruption)', async () => {
    const layer = autoencoder({ corruptionLevel: 0 });
    layer.build([5], buildContext().context);
    const x = tf.tensor2d(X);
    const p = tensors({ W, b: B, vb: VB });
    const { score, gradients } = tf.tidy(() => layer.pretrainGradients(x, p, training().context));
    const ref = reference(X, { W, b: B, vb: VB }, 'sigmoid', 'xent');
    expect((await values(score))[0]).toBeCloseTo(ref.score, 5);
    // dL/dz = (r - x) / N at the decoder; back through W^T to h, through sigmoid' = h (1 - h).
    const N = X.length;
    const dz = ref.z.map((zr, n) => zr.map((z, i) => (sigmoid64(z) - ((X[n] as number[])[i] as number)) / N));
    const da = ref.h.map((hr, n) => hr.map((h, j) => (dz[n] as number[]).reduce((s, d, i) => s + d * ((W[i] as number[])[j] as number), 0) * h * (1 - h)));
    const dvb = VB.map((_, i) => dz.reduce((s, d) => s + (d[i] as number), 0));
    const db = B.map((_, j) => da.reduce((s, d) => s + (d[j] as number), 0));
    const dW = W.map((_, i) => B.map((__, j) => X.reduce((s, xr, n) => s + (xr[i] as number) * ((da[n] as number[])[j] as number) + ((dz[n] as number[])[i] as number) * ((ref.h[n] as number[])[j] as number), 0)));
    const tol = { atol: 1e-6, rtol: 1e-5 };
    expect(compareArrays(await values(gradients.W as tf.Tensor), dW.flat(), tol).ok).toBe(true);
    expect(compareArrays(await values(gradients.b as tf.Tensor), db, tol).ok).toBe(true);
    expect(compareArrays(await values(gradients.vb as tf.Tensor), dvb, tol).ok).toBe(true);
    tf.dispose([x, score, ...Object.values(gradients), ...Object.values(p)]);
  });

  it('mse with tanh and a sparsity penalty: gradients match float64 central differences', async () => {
    const layer = autoencoder({ corruptionLevel: 0, reconstructionLoss: 'mse', activation: 'tanh', sparsity: 0.05 });
    layer.build([5], buildContext().context);
    const x = tf.tensor2d(X);
    const base: Params64 = { W, b: B, vb: VB };
    const p = tensors(base);
    const { score, gradients } = tf.tidy(() => layer.pretrainGradients(x, p, training().context));
    const f = (q: Params64) => reference(X, q, 'tanh', 'mse', 0.05).score;
    expect((await values(score))[0]).toBeCloseTo(f(base), 5);
    const h = 1e-6;
    const clone = (): Params64 => ({ W: W.map((r) => [...r]), b: [...B], vb: [...VB] });
    const numeric = (name: keyof Params64, index: number): number => {
      const plus = clone();
      const minus = clone();
      const bump = (q: Params64, d: number) => {
        if (name === 'W') (q.W[Math.floor(index / 3)] as number[])[index % 3]! += d;
        else (q[name] as number[])[index]! += d;
      };
      bump(plus, h);
      bump(minus, -h);
      return (f(plus) - f(minus)) / (2 * h);
    };
    for (const [name, size] of [['W', 15], ['b', 3], ['vb', 5]] as const) {
      const expected = Array.from({ length: size }, (_, i) => numeric(name, i));
      expect(compareArrays(await values(gradients[name] as tf.Tensor), expected, { atol: 1e-6, rtol: 1e-4 }).ok).toBe(true);
    }
    tf.dispose([x, score, ...Object.values(gradients), ...Object.values(p)]);
  });

  it('the unfused cross-entropy (a non-sigmoid activation) clips probabilities and stays finite', async () => {
    const layer = autoencoder({ corruptionLevel: 0, activation: 'hardsigmoid' });
    layer.build([5], buildContext().context);
    const x = tf.tensor2d(X);
    const big = tensors({ W: W.map((r) => r.map((v) => v * 50)), b: B, vb: VB });
    const { score, gradients } = tf.tidy(() => layer.pretrainGradients(x, big, training().context));
    expect(Number.isFinite((await values(score))[0])).toBe(true);
    expect((await values(gradients.W as tf.Tensor)).every(Number.isFinite)).toBe(true);
    tf.dispose([x, score, ...Object.values(gradients), ...Object.values(big)]);
  });
});

describe('AutoEncoder: corruption', () => {
  it('zeroes about corruptionLevel of the inputs and keeps the others unscaled', async () => {
    const layer = autoencoder({ corruptionLevel: 0.3 });
    const x = tf.fill([50, 40], 2);
    const c = layer.corrupt(x, training(11).context);
    const v = await values(c);
    const zeroed = v.filter((a) => a === 0).length / v.length;
    expect(Math.abs(zeroed - 0.3)).toBeLessThan(0.03); // 2000 draws: sd 0.01
    expect(v.every((a) => a === 0 || a === 2)).toBe(true);
    tf.dispose([x, c]);
  });

  it('is reproducible from the seed: same seed, same score and gradients; another seed, another mask', async () => {
    const layer = autoencoder({ corruptionLevel: 0.4 });
    layer.build([5], buildContext().context);
    const x = tf.tensor2d(X);
    const p = tensors({ W, b: B, vb: VB });
    const run = async (seed: number): Promise<number[]> => {
      const { score, gradients } = tf.tidy(() => layer.pretrainGradients(x, p, training(seed).context));
      const out = [...(await values(score)), ...(await values(gradients.W as tf.Tensor))];
      tf.dispose([score, ...Object.values(gradients)]);
      return out;
    };
    const a = await run(21);
    expect(await run(21)).toEqual(a);
    expect(await run(22)).not.toEqual(a);
    tf.dispose([x, ...Object.values(p)]);
  });
});

describe('AutoEncoder in a Network', () => {
  // 8 one-hot patterns through 3 sigmoid hidden units: a binary code is enough to reconstruct them.
  const ONE_HOT: Matrix = Array.from({ length: 8 }, (_, i) => Array.from({ length: 8 }, (__, j) => (i === j ? 1 : 0)));
  const config = (): NetworkConfig => ({
    seed: 12,
    input: 8,
    defaults: { weightInit: 'xavier', updater: { type: 'layer-test/sgd', learningRate: 2 } },
    layers: [
      { type: 'layers/autoencoder', name: 'ae', nOut: 3, corruptionLevel: 0.1 },
      { type: 'layers/output', nOut: 8, activation: 'softmax', loss: 'layer-test/mcxent' },
    ],
  });

  it('pretrainLayer reduces the reconstruction error, reproducibly for a seed', async () => {
    const data = DataSet.from(ONE_HOT, ONE_HOT);
    const net = new Network(config(), { registry }).init();
    const before = tf.memory().numTensors;
    const scores = await net.pretrainLayer('ae', data, { epochs: 30, batchSize: 8 });
    expect(tf.memory().numTensors).toBe(before);
    expect(scores).toHaveLength(30);
    expect(scores.every(Number.isFinite)).toBe(true);
    expect(scores[29]).toBeLessThan((scores[0] as number) * 0.5);
    // The same seed replays the same corruption masks and updates.
    const again = new Network(config(), { registry }).init();
    expect(await again.pretrainLayer('ae', data, { epochs: 5, batchSize: 8 })).toEqual(scores.slice(0, 5));
    // Pretraining touched only the autoencoder's parameters.
    const untouched = new Network(config(), { registry }).init();
    expect(await readParam(net, 'output_1/W')).toEqual(await readParam(untouched, 'output_1/W'));
    expect(await readParam(net, 'ae/W')).not.toEqual(await readParam(untouched, 'ae/W'));
    untouched.dispose();
    data.dispose();
    net.dispose();
    again.dispose();
  });

  it('pretrainLayer refuses a layer that is not pretrainable', async () => {
    const data = DataSet.from(ONE_HOT, ONE_HOT);
    const net = new Network(config(), { registry }).init();
    await expect(net.pretrainLayer('output_1', data)).rejects.toThrow(/is not pretrainable/);
    data.dispose();
    net.dispose();
  });

  it('forward in a network (inference) equals the encoding formula', async () => {
    const net = new Network(config(), { registry }).init();
    const read = (name: string) => readParam(net, name);
    const w = rows(await read('ae/W'), 3);
    const b = await read('ae/b');
    const xs = tf.tensor2d(ONE_HOT);
    const [h] = net.feedForward(xs);
    const expected = reference(ONE_HOT, { W: w, b, vb: new Array(8).fill(0) }, 'sigmoid', 'xent').h.flat();
    expect(compareArrays(await values(h as tf.Tensor), expected, { atol: 1e-6, rtol: 1e-5 }).ok).toBe(true);
    tf.dispose([xs, ...(h === undefined ? [] : [h])]);
    net.dispose();
  });
});
