import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, Registry } from '@dl4ts/core';
import type { Updater, UpdaterState } from '@dl4ts/core';
import { compareArrays } from '@dl4ts/core/testing';
import { describe, expect, it } from 'vitest';
import { nesterovs } from './nesterovs';
import { registerUpdaters } from './register-updaters';
import { sgd } from './sgd';

const registry = registerUpdaters(new Registry());
const create = (ref: unknown): Updater => registry.create<Updater>('updater', ref);

// f(w) = 0.5 * sum_i a_i w_i^2, so grad_i = a_i w_i.
const A = [1, 2.5, 0.3, 4];
const W0 = [1, -2, 3, 0.5];
const STEPS = 5;

/**
 * Runs `steps` updates on the quadratic the way core's Network.applyGradients does: gradient and
 * update in a tidy scope, new state kept, old state disposed unless reused, `w <- w - update`.
 * Returns the parameter and state values after every step, and the tensor count after every step.
 */
async function runOnQuadratic(updater: Updater, steps = STEPS): Promise<{ w: number[][]; state: Record<string, number[]>[]; counts: number[]; keys: string[][] }> {
  const a = tf.tensor1d(A);
  // tf.variable(t) shares t's data and leaves t allocated: dispose the initial value.
  const initial = tf.tensor1d(W0);
  const w = tf.variable(initial);
  initial.dispose();
  let state: UpdaterState = tf.tidy(() => updater.initState(w));
  const f = (x: tf.Tensor): tf.Scalar => tf.mul(0.5, tf.sum(tf.mul(a, tf.square(x))));
  const out = { w: [] as number[][], state: [] as Record<string, number[]>[], counts: [] as number[], keys: [] as string[][] };
  for (let i = 0; i < steps; i++) {
    tf.tidy(() => {
      const gradient = tf.grad(f)(w);
      const old = state;
      const result = updater.apply(gradient, old, { iteration: i, epoch: 0 });
      // Contract: apply must not dispose its inputs.
      expect(gradient.isDisposed).toBe(false);
      for (const t of Object.values(old)) expect(t.isDisposed).toBe(false);
      w.assign(tf.sub(w, result.update));
      for (const t of Object.values(result.state)) tf.keep(t);
      const kept = new Set(Object.values(result.state));
      for (const t of Object.values(old)) if (!kept.has(t)) t.dispose();
      state = result.state;
    });
    out.counts.push(tf.memory().numTensors);
    out.w.push(Array.from(await w.data()));
    out.keys.push(Object.keys(state));
    const snapshot: Record<string, number[]> = {};
    for (const [name, t] of Object.entries(state)) snapshot[name] = Array.from(await t.data());
    out.state.push(snapshot);
  }
  tf.dispose([a, w, ...Object.values(state)]);
  return out;
}

/** Float64 reference: plain SGD, w <- w - lr * g. */
function sgdReference(lr: number, steps = STEPS): number[][] {
  const w = [...W0];
  const trace: number[][] = [];
  for (let s = 0; s < steps; s++) {
    for (let i = 0; i < w.length; i++) w[i] = w[i]! - lr * A[i]! * w[i]!;
    trace.push([...w]);
  }
  return trace;
}

/**
 * Float64 reference: DL4J's Nesterovs (NesterovsUpdater.applyUpdater):
 * v' = mu v - lr g; update = mu v - (1 + mu) v'; w <- w - update.
 */
function nesterovsReference(lr: number, mu: number, steps = STEPS): { w: number[][]; v: number[][] } {
  const w = [...W0];
  let v = W0.map(() => 0);
  const trace = { w: [] as number[][], v: [] as number[][] };
  for (let s = 0; s < steps; s++) {
    const g = w.map((wi, i) => A[i]! * wi);
    const next = v.map((vi, i) => mu * vi - lr * g[i]!);
    const update = v.map((vi, i) => mu * vi - (1 + mu) * next[i]!);
    for (let i = 0; i < w.length; i++) w[i] = w[i]! - update[i]!;
    v = next;
    trace.w.push([...w]);
    trace.v.push([...v]);
  }
  return trace;
}

const FLOAT32 = { atol: 1e-6, rtol: 1e-5 };

function expectTrace(actual: number[][], expected: number[][]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((row, s) => {
    const cmp = compareArrays(row, expected[s]!, FLOAT32);
    expect(cmp.ok, `step ${s + 1}, index ${cmp.worstIndex}: ${row[cmp.worstIndex]} vs ${expected[s]![cmp.worstIndex]}`).toBe(true);
  });
}

describe('sgd', () => {
  it('matches w <- w - lr * g for the first 5 steps on a quadratic (float64 reference)', async () => {
    const run = await runOnQuadratic(create({ type: 'updaters/sgd', learningRate: 0.1 }));
    expectTrace(run.w, sgdReference(0.1));
    // Sanity: the reference moved the parameters.
    expect(sgdReference(0.1)[4]![0]).toBeCloseTo(0.9 ** 5, 12);
  });

  it('uses the default learning rate 1e-3 (DL4J) and reflects it in config', async () => {
    const updater = create('sgd');
    expect(updater.key).toBe('updaters/sgd');
    expect(updater.config).toEqual({ type: 'updaters/sgd', learningRate: 1e-3 });
    expectTrace((await runOnQuadratic(updater)).w, sgdReference(1e-3));
  });

  it('is stateless and leaks no tensor across steps', async () => {
    const before = tf.memory().numTensors;
    const run = await runOnQuadratic(create({ type: 'updaters/sgd', learningRate: 0.1 }));
    expect(run.keys.every((k) => k.length === 0)).toBe(true);
    expect(new Set(run.counts).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('computes update = lr * g without touching its inputs', async () => {
    const g = tf.tensor2d([
      [1, -2],
      [0.5, 4],
    ]);
    const updater = sgd({ type: 'updaters/sgd', learningRate: 0.25 });
    const state = updater.initState(g);
    const { update, state: next } = updater.apply(g, state, { iteration: 0, epoch: 0 });
    expect(update.shape).toEqual([2, 2]);
    expect(Array.from(await update.data())).toEqual([0.25, -0.5, 0.125, 1]);
    expect(next).toEqual({});
    expect(g.isDisposed).toBe(false);
    tf.dispose([g, update]);
  });
});

describe('nesterovs', () => {
  it('matches DL4J Nesterovs for the first 5 steps on a quadratic (float64 reference)', async () => {
    const run = await runOnQuadratic(create({ type: 'updaters/nesterovs', learningRate: 0.05, momentum: 0.9 }));
    const ref = nesterovsReference(0.05, 0.9);
    expectTrace(run.w, ref.w);
    expectTrace(
      run.state.map((s) => s.v as number[]),
      ref.v,
    );
  });

  it('uses the defaults learning rate 0.1 and momentum 0.9 (DL4J) and reflects them in config', async () => {
    const updater = create('NESTEROVS');
    expect(updater.key).toBe('updaters/nesterovs');
    expect(updater.config).toEqual({ type: 'updaters/nesterovs', learningRate: 0.1, momentum: 0.9 });
    const ref = nesterovsReference(0.1, 0.9);
    expectTrace((await runOnQuadratic(updater)).w, ref.w);
    // Setting one option keeps the other's default.
    expect(create({ type: 'updaters/nesterovs', momentum: 0.5 }).config).toEqual({ type: 'updaters/nesterovs', learningRate: 0.1, momentum: 0.5 });
    expect(create({ type: 'updaters/nesterovs', learningRate: 0.01 }).config).toEqual({ type: 'updaters/nesterovs', learningRate: 0.01, momentum: 0.9 });
  });

  it('first step from v = 0 is (1 + mu) * lr * g', async () => {
    const updater = nesterovs({ type: 'updaters/nesterovs', learningRate: 0.1, momentum: 0.9 });
    const g = tf.tensor1d([2, -1]);
    const state = updater.initState(g);
    const { update, state: next } = updater.apply(g, state, { iteration: 0, epoch: 0 });
    expect(compareArrays(await update.data(), [1.9 * 0.1 * 2, 1.9 * 0.1 * -1], FLOAT32).ok).toBe(true);
    expect(compareArrays(await (next.v as tf.Tensor).data(), [-0.2, 0.1], FLOAT32).ok).toBe(true);
    tf.dispose([g, update, ...Object.values(state), ...Object.values(next)]);
  });

  it('with momentum 0 takes the same steps as sgd', async () => {
    const plain = await runOnQuadratic(create({ type: 'updaters/sgd', learningRate: 0.1 }));
    const nest = await runOnQuadratic(create({ type: 'updaters/nesterovs', learningRate: 0.1, momentum: 0 }));
    expectTrace(nest.w, plain.w);
  });

  it('keeps its state as a named tensor dict { v } of the parameter shape', async () => {
    const updater = create('nesterovs');
    const param = tf.zeros([3, 4]);
    const state = tf.tidy(() => updater.initState(param));
    expect(Object.keys(state)).toEqual(['v']);
    expect(state.v!.shape).toEqual([3, 4]);
    expect(Array.from(await state.v!.data())).toEqual(new Array(12).fill(0));
    const g = tf.onesLike(param);
    const { update, state: next } = updater.apply(g, state, { iteration: 0, epoch: 0 });
    expect(Object.keys(next)).toEqual(['v']);
    expect(next.v!.shape).toEqual([3, 4]);
    expect(update.shape).toEqual([3, 4]);
    // A new tensor, not the old state mutated in place.
    expect(next.v).not.toBe(state.v);
    expect(Array.from(await state.v!.data())).toEqual(new Array(12).fill(0));
    tf.dispose([param, g, update, state.v!, next.v!]);
  });

  it('leaks no tensor across steps when the old state is disposed as core does', async () => {
    const before = tf.memory().numTensors;
    const run = await runOnQuadratic(create('nesterovs'), 8);
    expect(run.keys.every((k) => k.length === 1 && k[0] === 'v')).toBe(true);
    expect(new Set(run.counts).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('options and registry', () => {
  it('rejects invalid options with a ConfigError naming the option', () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ type: 'updaters/sgd', learningRate: -0.1 }, /learningRate must be a positive finite number, received -0.1/],
      [{ type: 'updaters/sgd', learningRate: 0 }, /learningRate/],
      [{ type: 'updaters/sgd', learningRate: Number.NaN }, /learningRate/],
      [{ type: 'updaters/sgd', learningRate: Number.POSITIVE_INFINITY }, /learningRate/],
      [{ type: 'updaters/sgd', learningRate: '0.1' }, /learningRate/],
      [{ type: 'updaters/nesterovs', learningRate: -1 }, /learningRate/],
      [{ type: 'updaters/nesterovs', momentum: 1.5 }, /momentum must be a number in \[0, 1\), received 1.5/],
      [{ type: 'updaters/nesterovs', momentum: 1 }, /momentum/],
      [{ type: 'updaters/nesterovs', momentum: -0.1 }, /momentum/],
      [{ type: 'updaters/nesterovs', momentum: Number.NaN }, /momentum/],
      [{ type: 'updaters/nesterovs', momentum: '0.9' }, /momentum/],
    ];
    for (const [config, message] of bad) {
      expect(() => create(config), JSON.stringify(config)).toThrow(ConfigError);
      expect(() => create(config)).toThrow(message);
    }
  });

  it('registers sgd and nesterovs with DL4J spellings', () => {
    expect(registry.keys('updater')).toEqual(['updaters/nesterovs', 'updaters/sgd']);
    expect(create('SGD').key).toBe('updaters/sgd');
    expect(create('NESTEROVS').key).toBe('updaters/nesterovs');
  });

  it('every updater config survives a JSON round trip through the registry', () => {
    for (const ref of ['sgd', 'nesterovs', { type: 'updaters/sgd', learningRate: 0.02 }, { type: 'updaters/nesterovs', learningRate: 0.006, momentum: 0.5 }]) {
      const original = create(ref);
      const recreated = create(JSON.parse(JSON.stringify(original.config)));
      expect(recreated.key).toBe(original.key);
      expect(recreated.config).toEqual(original.config);
    }
  });

  it('registerUpdaters is idempotent', () => {
    expect(() => registerUpdaters(registry)).not.toThrow();
    expect(registry.keys('updater')).toHaveLength(2);
  });
});
