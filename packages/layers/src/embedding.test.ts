import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, DataSet, Network, ShapeError, ValueError } from '@dl4ts/core';
import { compareArrays } from '@dl4ts/core/testing';
import { describe, expect, it } from 'vitest';
import type { Embedding } from './embedding';
import { checkEmbeddingIndices } from './embedding';
import { buildContext, createLayer, expectConfigRoundTrip, inference, readParam, registry, rows, values } from './layer-test-support';

const V = 5; // vocabulary
const D = 3; // embedding size
const W = [
  [0.1, -0.2, 0.3],
  [1, 2, 3],
  [-1, 0.5, 0],
  [0.25, -0.75, 2],
  [4, -4, 0.5],
];
const B = [0.5, -1, 0.25];
const INDICES = [3, 0, 3, 1]; // index 3 twice; 2 and 4 unused

function embedding(options: Record<string, unknown> = {}): Embedding {
  return createLayer<Embedding>({ type: 'layers/embedding', name: 'emb', nIn: V, nOut: D, ...options });
}

describe('Embedding: config and build', () => {
  it('declares W [nIn, nOut]; a bias only with hasBias: true (DL4J default: none)', () => {
    const plain = buildContext();
    expect(embedding().build([1], plain.context)).toEqual([D]);
    expect(plain.declarations.map((d) => [d.name, d.shape, d.role, d.fanIn, d.fanOut])).toEqual([['W', [V, D], 'weight', V, D]]);
    const biased = buildContext();
    embedding({ hasBias: true, biasInit: 0.5 }).build([1], biased.context);
    expect(biased.declarations.map((d) => [d.name, d.shape, d.role])).toEqual([
      ['W', [V, D], 'weight'],
      ['b', [D], 'bias'],
    ]);
  });

  it('requires nIn and nOut, naming what it received', () => {
    expect(() => createLayer({ type: 'layers/embedding', name: 'emb', nOut: 3 })).toThrow(ConfigError);
    expect(() => createLayer({ type: 'layers/embedding', name: 'emb', nOut: 3 })).toThrow(
      'Layer "emb" (layers/embedding): nIn (the vocabulary size) must be a positive integer, received undefined',
    );
    expect(() => embedding({ nOut: 1.5 })).toThrow('nOut must be a positive integer, received 1.5');
    expect(() => embedding({ hasBias: 'yes' })).toThrow('hasBias must be true or false, received "yes"');
  });

  it('takes one index per example: any other input shape is a ShapeError', () => {
    const { context } = buildContext();
    expect(() => embedding().build([3], context)).toThrow(ShapeError);
    expect(() => embedding().build([3], context)).toThrow('Layer "emb" (layers/embedding): input has shape [3] per example, expected [1] (one index per example)');
    expect(() => embedding().build([1, 1], context)).toThrow(ShapeError);
  });

  it('config survives a JSON round trip through the registry', () => {
    expectConfigRoundTrip(embedding({ hasBias: true, activation: 'tanh', weightInit: 'xavier-uniform', l2: 1e-4 }), [1]);
  });
});

describe('Embedding: forward and gradient', () => {
  it('output rows are the looked-up rows of W plus b, through the activation', async () => {
    const layer = embedding({ hasBias: true, activation: 'tanh' });
    layer.build([1], buildContext().context);
    const x = tf.tensor2d(INDICES.map((i) => [i]));
    const params = { W: tf.tensor2d(W), b: tf.tensor1d(B) };
    const y = tf.tidy(() => layer.forward(x, params, inference));
    expect(y.shape).toEqual([INDICES.length, D]);
    const expected = INDICES.flatMap((i) => (W[i] as number[]).map((w, j) => Math.tanh(w + (B[j] as number))));
    expect(compareArrays(await values(y), expected, { atol: 1e-6, rtol: 1e-6 }).ok).toBe(true);
    tf.dispose([x, y, params.W, params.b]);
  });

  it('without a bias and with the default identity activation, returns the rows of W exactly', async () => {
    const layer = embedding();
    layer.build([1], buildContext().context);
    const x = tf.tensor2d(INDICES.map((i) => [i]));
    const w = tf.tensor2d(W);
    const y = tf.tidy(() => layer.forward(x, { W: w }, inference));
    expect(await values(y)).toEqual(Array.from(new Float32Array(INDICES.flatMap((i) => W[i] as number[]))));
    tf.dispose([x, w, y]);
  });

  it('the gradient of W is non-zero only on the rows used, and sums repeated indices', async () => {
    const layer = embedding({ hasBias: true });
    layer.build([1], buildContext().context);
    const x = tf.tensor2d(INDICES.map((i) => [i]));
    const R = INDICES.map((_, n) => [0, 1, 2].map((j) => Math.sin(n * 3 + j + 1)));
    const r = tf.tensor2d(R);
    const b = tf.tensor1d(B);
    const grad = tf.grad((w: tf.Tensor) => tf.sum(tf.mul(layer.forward(x, { W: w, b }, inference), r)))(tf.tensor2d(W));
    // d/dW[k] sum_n R[n] . W[idx_n] = sum of R[n] over the examples with idx_n = k.
    const expected = W.map((_, k) => [0, 1, 2].map((j) => INDICES.reduce((s, idx, n) => s + (idx === k ? ((R[n] as number[])[j] as number) : 0), 0)));
    const got = rows(await values(grad), D);
    expect(compareArrays(got.flat(), expected.flat(), { atol: 1e-6, rtol: 1e-6 }).ok).toBe(true);
    expect(got[2]).toEqual([0, 0, 0]);
    expect(got[4]).toEqual([0, 0, 0]);
    tf.dispose([x, r, b, grad]);
  });
});

describe('Embedding: index validation', () => {
  it('checkEmbeddingIndices accepts integers in [0, nIn) and names the first bad value and its row', async () => {
    const good = tf.tensor2d([[0], [4], [2]]);
    await expect(checkEmbeddingIndices(good, 5)).resolves.toBeUndefined();
    for (const [bad, row] of [
      [[[0], [5], [1]], 1],
      [[[-1]], 0],
      [[[1], [2], [2.5]], 2],
    ] as const) {
      const t = tf.tensor2d(bad.map((r) => [...r]));
      await expect(checkEmbeddingIndices(t, 5)).rejects.toThrow(ValueError);
      await expect(checkEmbeddingIndices(t, 5)).rejects.toThrow(new RegExp(`input row ${row} holds index .*, expected an integer in \\[0, 4\\] \\(nIn=5\\)`));
      t.dispose();
    }
    const layer = embedding();
    const t = tf.tensor2d([[7]]);
    await expect(layer.checkInput(t)).rejects.toThrow('Layer "emb" (layers/embedding): input row 0 holds index 7, expected an integer in [0, 4] (nIn=5)');
    tf.dispose([good, t]);
  });
});

describe('Embedding in a Network', () => {
  it('trains end to end; a step changes only the rows of W that were looked up', async () => {
    const net = new Network(
      {
        seed: 9,
        input: 1,
        defaults: { updater: { type: 'layer-test/sgd', learningRate: 0.5 } },
        layers: [
          { type: 'layers/embedding', name: 'emb', nIn: 6, nOut: 4, activation: 'tanh' },
          { type: 'layers/output', nOut: 2, activation: 'softmax', loss: 'layer-test/mcxent' },
        ],
      },
      { registry },
    ).init();
    // Indices 0, 2, 3 only: 0 and 3 are class 0, 2 is class 1.
    const features = [[0], [2], [3], [2], [0], [3]];
    const labels = features.map(([i]) => (i === 2 ? [0, 1] : [1, 0]));
    const data = DataSet.from(features, labels);
    const before = rows(await readParam(net, 'emb/W'), 4);
    const first = await net.fit(data, { epochs: 1, batchSize: 6 });
    const after = rows(await readParam(net, 'emb/W'), 4);
    for (const k of [1, 4, 5]) expect(after[k]).toEqual(before[k]);
    for (const k of [0, 2, 3]) expect(after[k]).not.toEqual(before[k]);
    const { meanScores } = await net.fit(data, { epochs: 30, batchSize: 6 });
    expect(meanScores[29]).toBeLessThan((first.meanScores[0] as number) * 0.5);
    const xs = tf.tensor2d(features);
    const predicted = net.predict(xs);
    expect(Array.from(await predicted.data())).toEqual(features.map(([i]) => (i === 2 ? 1 : 0)));
    tf.dispose([xs, predicted]);
    data.dispose();
    net.dispose();
  });
});
