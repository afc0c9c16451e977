import * as tf from '@tensorflow/tfjs-core';
import { DataSet, Evaluation, Network, Rng, ShapeError, deserializeModel, serializeModel } from '@dl4ts/core';
import type { NetworkConfig } from '@dl4ts/core';
import { leakedTensors } from '@dl4ts/core/testing';
import { describe, expect, it } from 'vitest';
import { testRegistry } from './cnn-test-support';

// 8x8 grey images fed as flat 64-vectors: class 0 holds a horizontal bar, class 1 a vertical one,
// at a random place, on noise.
function bars(n: number, seed: number): DataSet {
  const rng = new Rng(seed);
  const x: number[][] = [];
  const y: number[][] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    const at = 1 + Math.floor(rng.uniform() * 6);
    const image = Array.from({ length: 64 }, (_, p) => {
      const [r, q] = [Math.floor(p / 8), p % 8];
      return (c === 0 ? r === at : q === at) ? 1 : 0.2 * rng.uniform();
    });
    x.push(image);
    y.push(c === 0 ? [1, 0] : [0, 1]);
  }
  return DataSet.from(x, y);
}

const config = (extra: Partial<NetworkConfig> = {}): NetworkConfig => ({
  seed: 12,
  input: 64,
  defaults: { updater: { type: 'updaters/adam', learningRate: 0.01 }, weightInit: 'relu', l2: 1e-4 },
  layers: [
    { type: 'cnn/reshape', shape: [8, 8, 1] }, // DL4J's convolutionalFlat: one line
    { type: 'cnn/convolution2d', nOut: 4, kernelSize: 3, padding: 'same', activation: 'relu' },
    { type: 'layers/batch-normalization' },
    { type: 'cnn/subsampling2d', poolingType: 'max', kernelSize: 2 },
    { type: 'cnn/convolution2d', nOut: 6, kernelSize: 3, activation: 'relu', dropout: 0.9 },
    { type: 'cnn/flatten' },
    { type: 'layers/output', nOut: 2, activation: 'softmax', loss: 'mcxent', weightInit: 'xavier' },
  ],
  ...extra,
});

const network = (extra: Partial<NetworkConfig> = {}): Network => new Network(config(extra), { registry: testRegistry }).init();

describe('a convolutional network', () => {
  it('has the shapes and parameters of its layers', () => {
    const net = network();
    expect(net.paramNames()).toEqual([
      'convolution2d_1/W',
      'convolution2d_1/b',
      'batch-normalization_2/gamma',
      'batch-normalization_2/beta',
      'batch-normalization_2/mean',
      'batch-normalization_2/var',
      'convolution2d_4/W',
      'convolution2d_4/b',
      'output_6/W',
      'output_6/b',
    ]);
    expect(net.summary()).toContain('[4, 4, 4]');
    net.dispose();
  });

  it('learns bars with dropout, L2 and batch normalisation, without leaking tensors across epochs', async () => {
    const net = network();
    const train = bars(256, 1);
    const test = bars(128, 2);
    let scores: number[] = [];
    expect(await leakedTensors(async () => (scores = (await net.fit(train, { epochs: 8, batchSize: 32 })).meanScores))).toBe(0);
    expect(scores.at(-1)!).toBeLessThan(scores[0]! / 4);
    const out = net.output(test.features);
    expect((await new Evaluation(2).eval(test.labels, out)).accuracy()).toBeGreaterThan(0.95);
    tf.dispose(out);
    [train, test, net].forEach((d) => d.dispose());
  });

  it('saves and loads exactly, and a loaded network resumes bit for bit', async () => {
    const data = bars(96, 3);
    const a = network();
    await a.fit(data, { epochs: 2, batchSize: 16 });
    const b = deserializeModel(await serializeModel(a), { registry: testRegistry }).network;
    await a.fit(data, { epochs: 2, batchSize: 16 });
    await b.fit(data, { epochs: 2, batchSize: 16 });
    for (const name of a.paramNames()) {
      const [pa, pb] = [a.getParam(name), b.getParam(name)];
      expect(Array.from(await pb.data()), name).toEqual(Array.from(await pa.data()));
      tf.dispose([pa, pb]);
    }
    [data, a, b].forEach((d) => d.dispose());
  });

  it('refuses images of the wrong shape, naming the first layer', () => {
    const net = new Network({ input: [8, 8, 1], layers: config().layers.slice(1) }, { registry: testRegistry }).init();
    const x = tf.zeros([2, 8, 8, 3]);
    expect(() => net.output(x)).toThrow(ShapeError);
    expect(() => net.output(x)).toThrow('Layer "convolution2d_0" (cnn/convolution2d): input has shape [2, 8, 8, 3], expected [batch, 8, 8, 1]');
    x.dispose();
    net.dispose();
  });
});
