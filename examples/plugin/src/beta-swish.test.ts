import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '@dl4ts/core';
import { checkGradients, compareArrays } from '@dl4ts/core/testing';
import { describe, expect, it } from 'vitest';
import { inference, randomMatrix, registry, sigmoid, values } from './test-support';

// Moderate values and saturated tails (|beta x| up to 45, where sigmoid is 0 or 1 in float32).
const XS = [...(randomMatrix(1, 12, 11, -4, 4)[0] as number[]), 0, -30, 30, Math.fround(1e-3)];

const swish = (beta?: number) => registry.create('activation', beta === undefined ? 'example/beta-swish' : { type: 'example/beta-swish', beta });

describe('example/beta-swish', () => {
  it('computes x * sigmoid(beta x) as a float64 reference does, for several beta', async () => {
    for (const beta of [1, 1.5, 0, -0.7]) {
      const y = swish(beta).apply(tf.tensor1d(XS), inference);
      const result = compareArrays(await values(y), XS.map((x) => x * sigmoid(beta * x)), { atol: 1e-6, rtol: 1e-5 });
      expect(result, `beta ${beta}, worst at ${result.worstIndex}`).toMatchObject({ ok: true });
      y.dispose();
    }
  });

  it('defaults to beta = 1, the built-in layers/swish', async () => {
    const x = tf.tensor1d(XS);
    const ours = swish().apply(x, inference);
    const builtIn = registry.create('activation', 'layers/swish').apply(x, inference);
    expect(compareArrays(await values(ours), await values(builtIn), { atol: 1e-7, rtol: 1e-6 }).ok).toBe(true);
    expect(swish().config).toEqual({ type: 'example/beta-swish', beta: 1 });
    tf.dispose([x, ours, builtIn]);
  });

  it('has a hand-written gradient equal to the closed form s + beta x s (1 - s)', async () => {
    for (const beta of [1, 1.5, -0.7]) {
      const a = swish(beta);
      const g = tf.grad((x: tf.Tensor) => tf.sum(a.apply(x, inference)))(tf.tensor1d(XS));
      const expected = XS.map((x) => {
        const s = sigmoid(beta * x);
        return s + beta * x * s * (1 - s);
      });
      const result = compareArrays(await values(g), expected, { atol: 1e-6, rtol: 1e-5 });
      expect(result, `beta ${beta}, worst at ${result.worstIndex}`).toMatchObject({ ok: true });
      g.dispose();
    }
  });

  it('passes the finite-difference gradient check inside a weighted sum', async () => {
    const a = swish(1.5);
    const x = tf.tensor2d(randomMatrix(3, 4, 12, -3, 3));
    const r = tf.tensor2d(randomMatrix(3, 4, 13));
    const result = await checkGradients(([input]) => tf.sum(tf.mul(a.apply(input as tf.Tensor, inference), r)), [x]);
    expect(result.failures).toEqual([]);
    expect(result.checked).toBe(12);
    tf.dispose([x, r]);
  });

  it('resolves by full key, short name and upper-case name, and round-trips its config through JSON', async () => {
    expect(registry.resolve('activation', 'beta-swish')).toEqual({ type: 'example/beta-swish' });
    expect(registry.resolve('activation', 'BETA_SWISH')).toEqual({ type: 'example/beta-swish' });
    const original = swish(2.5);
    const recreated = registry.create('activation', JSON.parse(JSON.stringify(original.config)));
    expect(recreated.config).toEqual({ type: 'example/beta-swish', beta: 2.5 });
    const x = tf.tensor1d(XS);
    const [a, b] = [original.apply(x, inference), recreated.apply(x, inference)];
    expect(await values(b)).toEqual(await values(a));
    tf.dispose([x, a, b]);
  });

  it('rejects bad options with a ConfigError saying what it received', () => {
    expect(() => swish(Number.NaN)).toThrow(new ConfigError('Activation "example/beta-swish": beta must be a finite number, received NaN'));
    expect(() => registry.create('activation', { type: 'example/beta-swish', beta: 'steep' })).toThrow('beta must be a finite number, received "steep"');
    expect(() => registry.create('activation', { type: 'example/beta-swish', betta: 2 })).toThrow('unknown option "betta"; it takes "beta"');
  });
});
