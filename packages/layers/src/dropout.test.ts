import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, Network } from '@dl4ts/core';
import type { Layer, NetworkConfig } from '@dl4ts/core';
import { describe, expect, it } from 'vitest';
import { Dropout } from './dropout';
import { buildContext, createLayer, expectConfigRoundTrip, registry, values } from './layer-test-support';

const N = 200;

/** A dropout layer followed by an identity output layer whose W is set to the identity matrix. */
function dropoutNet(p: number, seed = 5): Network {
  const config: NetworkConfig = {
    seed,
    input: N,
    defaults: { updater: { type: 'layer-test/sgd', learningRate: 0.1 } },
    layers: [
      { type: 'layers/dropout', dropout: p },
      { type: 'layers/output', nOut: N, activation: 'identity', loss: 'layer-test/mse', hasBias: false },
    ],
  };
  const net = new Network(config, { registry }).init();
  const eye = tf.eye(N);
  net.setParam('output_1/W', eye);
  eye.dispose();
  return net;
}

describe('Dropout', () => {
  it('is an identity layer without parameters that builds to its input shape', async () => {
    const layer = createLayer<Dropout>({ type: 'layers/dropout', dropout: 0.5 });
    const { context, declarations } = buildContext();
    const asLayer: Layer = layer; // built as Network builds every layer
    expect(asLayer.build([28, 28], context)).toEqual([28, 28]);
    expect(declarations).toEqual([]);
    const x = tf.tensor2d([
      [1, -2, 3],
      [0.5, 0, -7],
    ]);
    const y = layer.forward(x);
    expect(y).not.toBe(x); // a new handle: disposing layer outputs never disposes the caller's input
    expect(await values(y)).toEqual(await values(x));
    tf.dispose([x, y]);
  });

  it('requires a dropout, from the layer or the network defaults', () => {
    expect(() => createLayer({ type: 'layers/dropout', name: 'drop' })).toThrow(ConfigError);
    expect(() => createLayer({ type: 'layers/dropout', name: 'drop' })).toThrow(/"drop" \(layers\/dropout\): dropout .* is required, received undefined/);
    const net = new Network(
      {
        input: 3,
        defaults: { dropout: 0.8, updater: { type: 'layer-test/sgd', learningRate: 0.1 } },
        layers: [{ type: 'layers/dropout' }, { type: 'layers/output', nOut: 2, activation: 'softmax', loss: 'layer-test/mcxent' }],
      },
      { registry },
    ).init();
    expect(net.layers[0]?.config.dropout).toBe(0.8);
    net.dispose();
  });

  it("rejects a retain probability outside (0, 1] through core's check", () => {
    const net = new Network(
      { input: 3, layers: [{ type: 'layers/dropout', dropout: 1.5 }, { type: 'layers/output', nOut: 2, activation: 'softmax', loss: 'layer-test/mcxent' }] },
      { registry },
    );
    expect(() => net.init()).toThrow(/dropout is the probability of retaining an input, expected a number in \(0, 1\], received 1.5/);
  });

  it('in training drops about 1 - p of the values and scales the kept ones by 1/p; inference is the identity', async () => {
    const p = 0.6;
    const net = dropoutNet(p);
    const x = tf.ones([20, N]);
    const trained = net.output(x, { training: true });
    const v = await values(trained);
    const dropped = v.filter((a) => a === 0).length / v.length;
    // 4000 Bernoulli(0.4) draws: standard deviation 0.0077.
    expect(Math.abs(dropped - (1 - p))).toBeLessThan(0.03);
    const kept = v.filter((a) => a !== 0);
    expect(kept.every((a) => Math.abs(a - 1 / p) < 1e-6)).toBe(true);
    const inferred = net.output(x);
    expect((await values(inferred)).every((a) => a === 1)).toBe(true);
    tf.dispose([x, trained, inferred]);
    net.dispose();
  });

  it('draws the same mask for the same seed and step, and another for another seed', async () => {
    const x = tf.ones([4, N]);
    const masks = await Promise.all(
      [5, 5, 6].map(async (seed) => {
        const net = dropoutNet(0.5, seed);
        const y = net.output(x, { training: true });
        const v = await values(y);
        tf.dispose(y);
        net.dispose();
        return v;
      }),
    );
    expect(masks[1]).toEqual(masks[0]);
    expect(masks[2]).not.toEqual(masks[0]);
    x.dispose();
  });

  it('config survives a JSON round trip through the registry', () => {
    expectConfigRoundTrip(createLayer({ type: 'layers/dropout', name: 'drop', dropout: 0.25 }), [7]);
  });
});
