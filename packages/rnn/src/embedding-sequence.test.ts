import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, Rng, ShapeError, ValueError } from '@dl4ts/core';
import type { Layer } from '@dl4ts/core';
import { describe, expect, it } from 'vitest';
import type { EmbeddingSequence } from './embedding-sequence';
import { buildLayer, makeNetwork, maxDiff, registry, sgdDefaults, uniform } from './rnn-test-support';

const V = 5;
const D = 3;
const W = Array.from({ length: V }, (_, i) => uniform(D, 40 + i));
const B = uniform(D, 60);
// Token 3 three times, 0 twice, 1 once; 2 and 4 unused.
const TOKENS = [
  [3, 0, 3],
  [1, 3, 0],
];
const inference = { training: false, rng: new Rng(1) };

function layer(options: Record<string, unknown> = {}, shape = [3, 1]): EmbeddingSequence {
  return buildLayer<EmbeddingSequence>({ type: 'rnn/embedding-sequence', nIn: V, nOut: D, ...options }, shape).layer;
}

describe('rnn/embedding-sequence', () => {
  it('looks up row i of W (+ b, through the activation) at every step, from [batch, time] or [batch, time, 1]', async () => {
    const params = { W: tf.tensor2d(W), b: tf.tensor1d(B) };
    const expected = TOKENS.map((seq) => seq.map((i) => W[i]!.map((w, j) => Math.tanh(w + B[j]!))));
    for (const [shape, input] of [[[3], tf.tensor2d(TOKENS)], [[3, 1], tf.tensor3d(TOKENS.map((seq) => seq.map((i) => [i])))]] as const) {
      const l = layer({ hasBias: true, activation: 'tanh' }, [...shape]);
      const out = l.forward(input, params, inference);
      expect(out.shape).toEqual([2, 3, D]);
      expect(maxDiff(await out.array(), expected)).toBeLessThan(1e-6);
      tf.dispose([out, input]);
    }
    tf.dispose(Object.values(params));
  });

  it('gives gradients only to the rows of the tokens used: dL/dW[i] = sum of dL/dy_t over the steps holding i', async () => {
    const l = layer();
    const x = tf.tensor2d(TOKENS);
    const weights = Array.from({ length: 2 }, (_, b) => Array.from({ length: 3 }, (_, t) => uniform(D, 70 + 3 * b + t)));
    const grad = tf.grad((w: tf.Tensor) => tf.sum(tf.mul(l.forward(x, { W: w }, inference), tf.tensor3d(weights))))(tf.tensor2d(W));
    const expected = Array.from({ length: V }, (_, i) => Array.from({ length: D }, (_, j) => TOKENS.flatMap((seq, b) => seq.map((tok, t) => (tok === i ? weights[b]![t]![j]! : 0))).reduce((s, v) => s + v, 0)));
    const got = (await grad.array()) as number[][];
    expect(maxDiff(got, expected)).toBeLessThan(1e-6);
    expect(got[2]!.concat(got[4]!).every((v) => v === 0)).toBe(true);
    tf.dispose([x, grad]);
  });

  it('names an index out of range, its example and step, and the vocabulary size; masked steps are not read', () => {
    const l = layer();
    const w = tf.tensor2d(W);
    const bad = tf.tensor3d([[[1], [5], [0]]]);
    expect(() => l.forward(bad, { W: w }, inference)).toThrow(ValueError);
    expect(() => l.forward(bad, { W: w }, inference)).toThrow('Layer "l" (rnn/embedding-sequence): example 0, step 1 holds index 5, expected an integer in [0, 4] (vocabulary size nIn=5)');
    const negative = tf.tensor2d([[0, 1, -1]]);
    expect(() => l.forward(negative, { W: w }, inference)).toThrow('example 0, step 2 holds index -1');
    const mask = tf.tensor2d([[1, 1, 0]]);
    expect(tf.tidy(() => l.forward(negative, { W: w }, { ...inference, mask }).shape)).toEqual([1, 3, D]);
    tf.dispose([w, bad, negative, mask]);
  });

  it('checks its config and input shape with typed errors, and round-trips its config', () => {
    expect(() => layer({ nIn: 0 })).toThrow(ConfigError);
    expect(() => layer({ validateIndices: 'no' })).toThrow('validateIndices must be true or false, received "no"');
    expect(() => layer({}, [3, 2])).toThrow(ShapeError);
    expect(() => layer({}, [3, 2])).toThrow('input has shape [3, 2] per example, expected token indices [time] or [time, 1]');
    const l = layer({ hasBias: true, l2: 1e-3 });
    expect(buildLayer<Layer>(JSON.parse(JSON.stringify(l.config)) as Record<string, unknown>, [3, 1]).layer.config).toEqual(l.config);
    expect(registry.has('layer', 'rnn/embedding-sequence')).toBe(true);
  });

  it('feeds an LSTM in a network with input [null, 1] and masks, and trains', async () => {
    const net = makeNetwork({
      seed: 2,
      input: [null, 1],
      defaults: sgdDefaults(0.3),
      layers: [
        { type: 'rnn/embedding-sequence', nIn: V, nOut: 4 },
        { type: 'rnn/lstm', nOut: 4 },
        { type: 'rnn/rnn-output', nOut: V, activation: 'softmax', loss: 'mcxent' },
      ],
    });
    const x = tf.tensor3d([[[1], [2], [9]], [[3], [4], [0]]]); // 9: padding, masked
    const y = tf.oneHot(tf.tensor2d([[2, 3, 0], [4, 0, 1]], undefined, 'int32'), V);
    const mask = tf.tensor2d([[1, 1, 0], [1, 1, 1]]);
    const before = await net.score(x, y, { featuresMask: mask });
    await net.fit({ batches: () => [{ features: x.clone(), labels: y.clone(), featuresMask: mask.clone() }], size: 2 }, { epochs: 10 });
    expect(await net.score(x, y, { featuresMask: mask })).toBeLessThan(before);
    tf.dispose([x, y, mask]);
    net.dispose();
  });
});
