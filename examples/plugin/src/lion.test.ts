import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '@dl4ts/core';
import type { UpdaterState } from '@dl4ts/core';
import { compareArrays } from '@dl4ts/core/testing';
import { describe, expect, it } from 'vitest';
import { registry, values } from './test-support';

const LR = 0.01;
const B1 = 0.9;
const B2 = 0.99;
// The second gradient disagrees in sign with the momentum in entries 3 and 5 and is 0 in entry 4,
// so the second update's sign comes from the momentum there, not from g2.
const G1 = [1, -2, 0, 3, -1, 50];
const G2 = [1, 1, -0.5, -0.2, 0, -1];

const lion = (options: Record<string, unknown> = { learningRate: LR, beta1: B1, beta2: B2 }) => registry.create('updater', { type: 'example/lion', ...options });
const step = (iteration: number) => ({ iteration, epoch: 0 });

describe('example/lion', () => {
  it('follows the closed form for two steps: update = lr sign(b1 m + (1 - b1) g), m = b2 m + (1 - b2) g', async () => {
    const u = lion();
    const param = tf.zeros([6]);
    const state0 = u.initState(param);
    expect(Object.keys(state0)).toEqual(['m']);
    expect(await values(state0.m as tf.Tensor)).toEqual([0, 0, 0, 0, 0, 0]);

    const g1 = tf.tensor1d(G1);
    const g2 = tf.tensor1d(G2);
    const first = u.apply(g1, state0, step(0));
    const second = u.apply(g2, first.state, step(1));

    // Step 1: m0 = 0, so the direction is (1 - b1) g1 and m1 = (1 - b2) g1.
    const m1 = G1.map((g) => (1 - B2) * g);
    expect(await values(first.update)).toEqual([LR, -LR, 0, LR, -LR, LR].map(Math.fround));
    expect(compareArrays(await values(first.state.m as tf.Tensor), m1, { atol: 1e-7, rtol: 1e-6 }).ok).toBe(true);
    // Step 2: direction b1 m1 + (1 - b1) g2 = 0.009 g1 + 0.1 g2 = [0.109, 0.082, -0.05, 0.007, -0.009, 0.35].
    expect(await values(second.update)).toEqual([LR, LR, -LR, LR, -LR, LR].map(Math.fround));
    const m2 = m1.map((m, i) => B2 * m + (1 - B2) * (G2[i] as number));
    expect(compareArrays(await values(second.state.m as tf.Tensor), m2, { atol: 1e-7, rtol: 1e-6 }).ok).toBe(true);
    // Not sign-SGD: g2 alone would have pointed the other way in entries 3, 4 (zero) and 5.
    expect(G2.map(Math.sign)).not.toEqual([1, 1, -1, 1, -1, 1]);

    // A pure transform: the inputs it was given are still alive.
    expect([g1, g2, state0.m, first.state.m].every((t) => !(t as tf.Tensor).isDisposed)).toBe(true);
    tf.dispose([param, g1, g2, state0.m as tf.Tensor, first.update, first.state.m as tf.Tensor, second.update, second.state.m as tf.Tensor]);
  });

  it('allocates nothing beyond its outputs when run inside a tidy scope, as core runs it', () => {
    const u = lion();
    const param = tf.ones([3, 2]);
    let state: UpdaterState = u.initState(param);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const next = tf.tidy(() => {
        const out = u.apply(tf.fill([3, 2], i - 1), state, step(i));
        out.update.dispose();
        return out.state.m as tf.Tensor;
      });
      tf.dispose(Object.values(state));
      state = { m: next };
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([param, ...Object.values(state)]);
  });

  it('fills in defaults, reports its learning rate, and round-trips its config through JSON', () => {
    expect(lion({}).config).toEqual({ type: 'example/lion', learningRate: 1e-4, beta1: 0.9, beta2: 0.99 });
    const original = lion({ learningRate: 0.03, beta2: 0.98 });
    expect(original.learningRateAt?.(step(5))).toBe(0.03);
    const recreated = registry.create('updater', JSON.parse(JSON.stringify(original.config)));
    expect(recreated.config).toEqual(original.config);
    expect(recreated.config).toEqual({ type: 'example/lion', learningRate: 0.03, beta1: 0.9, beta2: 0.98 });
  });

  it('rejects bad options and foreign state with a ConfigError saying what it received', () => {
    expect(() => lion({ beta1: 1 })).toThrow(new ConfigError('Updater "example/lion": beta1 must be a number in [0, 1), received 1'));
    expect(() => lion({ learningRate: -0.1 })).toThrow('learningRate must be a finite number > 0, received -0.1');
    expect(() => lion({ learningRate: { type: 'exponential' } })).toThrow('learningRate must be a finite number > 0, received {"type":"exponential"}');
    expect(() => lion({ momentum: 0.9 })).toThrow('unknown option "momentum"; it takes "learningRate", "beta1", "beta2"');
    const g = tf.zeros([2]);
    expect(() => tf.tidy(() => lion().apply(g, { v: g }, step(0)))).toThrow('state has no "m" (keys: v)');
    g.dispose();
  });
});
