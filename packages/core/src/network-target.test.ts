import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { buildModel } from './built-model';
import { trainingTarget } from './network-target';
import { X, Y, makeNet, registry } from './network-test-support';
import { checkGradients } from './testing';

describe('what training strategies see of a network: score, gradients, penalties', () => {
  it('adds L2 as 0.5 * l2 * |W|^2 to the score, on weights only', async () => {
    const net = makeNet({ defaults: { updater: { type: 'test/sgd', lr: 0.1 }, l2: 0.5 } });
    const x = tf.tensor2d(X);
    const y = tf.tensor2d(Y);
    const plain = makeNet();
    const diff = (await net.score(x, y)) - (await plain.score(x, y));
    expect(diff).toBeCloseTo(0.5 * 0.5 * (0.1 * 0.1 + 0.2 * 0.2), 6);
    tf.dispose([x, y]);
    net.dispose();
    plain.dispose();
  });

  it("matches autodiff gradients of the score with central differences", async () => {
    const { model } = buildModel({ seed: 1, input: 2, defaults: { updater: { type: 'test/sgd', lr: 0.1 } }, layers: [{ type: 'test/linear', nOut: 3 }, { type: 'test/linear-out', nOut: 1 }] }, registry());
    const batch = { features: tf.tensor2d(X), labels: tf.tensor2d(Y) };
    // Reach the score function through the strategy contract's target.
    const target = trainingTarget(model);
    const names = [...target.trainableParams().keys()];
    const params = [...target.trainableParams().values()];
    const result = await checkGradients((ps) => target.score(batch, true, new Map(names.map((n, i) => [n, ps[i] as tf.Tensor]))), params);
    expect(result.checked).toBe(6 + 3 + 3 + 1);
    expect(result.failures).toEqual([]);
    tf.dispose([batch.features, batch.labels]);
    model.params.dispose();
  });

  it('scoreAndGradients adds the L1/L2 penalty gradients in closed form, equal to autodiff of the regularised score', async () => {
    const { model } = buildModel(
      { seed: 3, input: 2, defaults: { updater: { type: 'test/sgd', lr: 0.1 }, l1: 0.03, l2: 0.2, l2Bias: 0.5 }, layers: [{ type: 'test/linear', nOut: 3 }, { type: 'test/linear-out', nOut: 1 }] },
      registry(),
    );
    const batch = { features: tf.tensor2d(X), labels: tf.tensor2d(Y) };
    const target = trainingTarget(model);
    const names = [...target.trainableParams().keys()];
    const values = [...target.trainableParams().values()];
    const reference = tf.valueAndGrads((...ps: tf.Tensor[]) => target.score(batch, true, new Map(names.map((n, i) => [n, ps[i] as tf.Tensor]))))(values);
    const fast = target.scoreAndGradients(batch, true);
    // The penalty is not zero here: the score differs from the data loss alone.
    const unregularised = buildModel({ seed: 3, input: 2, defaults: { updater: { type: 'test/sgd', lr: 0.1 } }, layers: [{ type: 'test/linear', nOut: 3 }, { type: 'test/linear-out', nOut: 1 }] }, registry()).model;
    const plain = trainingTarget(unregularised).score(batch, true);
    expect((await fast.score.data())[0]! - (await plain.data())[0]!).toBeGreaterThan(0.01);
    expect((await fast.score.data())[0]).toBeCloseTo((await reference.value.data())[0]!, 5);
    expect([...fast.gradients.keys()]).toEqual(names);
    for (const [i, name] of names.entries()) {
      const got = Array.from(await fast.gradients.get(name)!.data());
      const want = Array.from(await reference.grads[i]!.data());
      got.forEach((g, j) => expect(g).toBeCloseTo(want[j]!, 5));
    }
    tf.dispose([batch.features, batch.labels, reference.value, ...reference.grads, fast.score, ...fast.gradients.values(), plain]);
    model.params.dispose();
    unregularised.params.dispose();
  });
});
