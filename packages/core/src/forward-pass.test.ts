import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { buildModel } from './built-model';
import { forward } from './forward-pass';
import { Network } from './network';
import { mechanicsRegistry } from './network-test-support';

describe('the forward pass', () => {
  it('applies inverted dropout on a layer input in training only, reproducibly', async () => {
    const make = () => new Network({ seed: 5, input: 1000, defaults: { updater: 'test/sgd' }, layers: [{ type: 'test/scale', dropout: 0.8 }, { type: 'test/sparse-out' }] }, { registry: mechanicsRegistry() }).init();
    const net = make();
    const x = tf.ones([4, 1000]);
    const kept = net.feedForward(x);
    expect(Array.from(await (kept[0] as tf.Tensor).data()).every((v) => v === 1)).toBe(true); // inference: no dropout
    // Reach the training forward through the score's first layer: values are 0 or 1/0.8.
    // The training forward pass of a model built from the same config and seed.
    const training = (n: Network) => {
      const { model } = buildModel(n.config, n.registry);
      const out = tf.tidy(() => forward(model, [x], true, model.params.current()).preOutputs[0] as tf.Tensor);
      model.params.dispose();
      return out;
    };
    const a = training(net);
    const b = training(make());
    expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
    // Row sums of preOutput = sum of dropped-out inputs (W is ones): each about 1000 (+- 5 sigma).
    const sums = Array.from(await a.data()).filter((_, i) => i % 3 === 0);
    for (const s of sums) expect(Math.abs(s - 1000)).toBeLessThan(5 * Math.sqrt(1000 * 0.2 / 0.8));
    tf.dispose([x, a, b, ...kept]);
    net.dispose();
  });

  it('rejects a dropout outside (0, 1] naming the layer', () => {
    expect(() => new Network({ input: 2, layers: [{ type: 'test/scale', dropout: 1.5 }, { type: 'test/sparse-out' }] }, { registry: mechanicsRegistry() }).init()).toThrow(
      'Layer 0 "scale_0" (test/scale): dropout is the probability of retaining an input, expected a number in (0, 1], received 1.5',
    );
  });
});
