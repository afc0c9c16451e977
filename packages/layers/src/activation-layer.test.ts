import * as tf from '@tensorflow/tfjs-core';
import { Network } from '@dl4ts/core';
import { compareArrays } from '@dl4ts/core/testing';
import { describe, expect, it } from 'vitest';
import type { ActivationLayer } from './activation-layer';
import { buildContext, createLayer, expectConfigRoundTrip, inference, registry, values } from './layer-test-support';

const X = [
  [1, -2, 0.5],
  [-0.25, 3, 0],
];

describe('ActivationLayer', () => {
  it('applies its activation element-wise, keeps the input shape and declares no parameters', async () => {
    const layer = createLayer<ActivationLayer>({ type: 'layers/activation', activation: 'tanh' });
    const { context, declarations } = buildContext();
    expect(layer.build([3], context)).toEqual([3]);
    expect(declarations).toEqual([]);
    const x = tf.tensor2d(X);
    const y = tf.tidy(() => layer.forward(x, {}, inference));
    expect(y.shape).toEqual([2, 3]);
    expect(compareArrays(await values(y), X.flat().map(Math.tanh), { atol: 1e-6, rtol: 1e-6 }).ok).toBe(true);
    tf.dispose([x, y]);
  });

  it('accepts any input shape', async () => {
    const layer = createLayer<ActivationLayer>({ type: 'layers/activation', activation: 'relu' });
    expect(layer.build([2, 2], buildContext().context)).toEqual([2, 2]);
    const x = tf.tensor3d([[[1, -1], [-2, 2]]]);
    const y = tf.tidy(() => layer.forward(x, {}, inference));
    expect(await values(y)).toEqual([1, 0, 0, 2]);
    tf.dispose([x, y]);
  });

  it('defaults to identity and takes the network default activation', async () => {
    const plain = createLayer<ActivationLayer>({ type: 'layers/activation' });
    plain.build([3], buildContext().context);
    const x = tf.tensor2d(X);
    const y = tf.tidy(() => plain.forward(x, {}, inference));
    expect(await values(y)).toEqual(X.flat());
    const net = new Network(
      {
        input: 3,
        defaults: { activation: 'relu', updater: { type: 'layer-test/sgd', learningRate: 0.1 } },
        layers: [{ type: 'layers/activation' }, { type: 'layers/output', nOut: 2, activation: 'softmax', loss: 'layer-test/mcxent' }],
      },
      { registry },
    ).init();
    expect(net.numParams('activation_0')).toBe(0);
    const [h] = net.feedForward(x);
    expect(await values(h as tf.Tensor)).toEqual(X.flat().map((v) => Math.max(0, v)));
    tf.dispose([x, y, ...(h === undefined ? [] : [h])]);
    net.dispose();
  });

  it('config survives a JSON round trip through the registry', () => {
    expectConfigRoundTrip(createLayer({ type: 'layers/activation', name: 'act', activation: { type: 'layers/leakyrelu', alpha: 0.2 } }), [4]);
    expectConfigRoundTrip(createLayer({ type: 'layers/activation', name: 'act', activation: 'SIGMOID', dropout: 0.9 }), [4]);
  });
});
