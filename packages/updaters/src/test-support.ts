// Shared by this package's tests only (not exported from index.ts): runners that drive an updater
// the way core's Network.applyGradients does, on a fixed quadratic and on a tiny tanh network, and
// float64 twins that drive an element-wise reference rule written from the published formula.
import * as tf from '@tensorflow/tfjs-core';
import { Registry } from '@dl4ts/core';
import type { Updater, UpdaterState, UpdaterStep } from '@dl4ts/core';
import { closeness } from '@dl4ts/core/testing';
import { expect } from 'vitest';
import { registerUpdaters } from './register-updaters';

export const registry = registerUpdaters(new Registry());
export const create = (ref: unknown): Updater => registry.create('updater', ref);

export const STEPS = 5;

/** Counters for the i-th step (0-based): by default iteration i of epoch 0. */
export type StepAt = (i: number) => UpdaterStep;
export const iterations: StepAt = (i) => ({ iteration: i, epoch: 0 });

/** A float64 reference of an updater rule for one element: its state is a dict of numbers. */
export interface ReferenceRule {
  init(w: number): Record<string, number>;
  apply(g: number, state: Record<string, number>, step: UpdaterStep): { update: number; state: Record<string, number> };
}

/** Parameter values (flattened, concatenated) and state values (per name, same order) after each step. */
export interface Trace {
  w: number[][];
  state: Record<string, number[]>[];
}

/** A {@link Trace} from tfjs, plus the tensor count and state keys after each step. */
export interface RunTrace extends Trace {
  counts: number[];
  keys: string[][];
}

// f(w) = 0.5 * sum_i a_i w_i^2, so grad_i = a_i w_i.
export const A = [1, 2.5, 0.3, 4];
export const W0 = [1, -2, 3, 0.5];

// Tiny network: H = tanh(X W1 + b1), O = H W2, loss = 0.5 / n * sum (O - Y)^2.
const X = [
  [0.5, -1, 2],
  [1.5, 0.25, -0.5],
  [-1, 0.75, 1],
  [0.2, -0.4, -1.2],
];
const Y = [
  [1, -0.5],
  [0.25, 0.5],
  [-0.75, 1],
  [0.5, 0],
];
const W1_0 = [
  [0.3, -0.2, 0.5],
  [-0.4, 0.6, 0.1],
  [0.2, 0.25, -0.35],
];
const B1_0 = [0.05, 0.2, 0.15];
const W2_0 = [
  [0.4, -0.3],
  [-0.6, 0.2],
  [0.35, 0.5],
];

/**
 * Runs `steps` updates with tfjs the way core does: gradients and update in a tidy scope, new
 * state kept, old state disposed unless reused, `w <- w - update`.
 */
async function runWithTfjs(updater: Updater, initial: tf.Tensor[], loss: (...params: tf.Tensor[]) => tf.Scalar, steps: number, stepAt: StepAt): Promise<RunTrace> {
  const params = initial.map((t) => {
    // tf.variable(t) shares t's data and leaves t allocated: dispose the initial value.
    const v = tf.variable(t);
    t.dispose();
    return v;
  });
  let states: UpdaterState[] = params.map((p) => tf.tidy(() => updater.initState(p)));
  const out: RunTrace = { w: [], state: [], counts: [], keys: [] };
  for (let i = 0; i < steps; i++) {
    tf.tidy(() => {
      const gradients = tf.grads(loss)(params);
      states = params.map((p, k) => {
        const old = states[k] as UpdaterState;
        const result = updater.apply(gradients[k] as tf.Tensor, old, stepAt(i));
        // Contract: apply must not dispose its inputs.
        expect(gradients[k]!.isDisposed).toBe(false);
        for (const t of Object.values(old)) expect(t.isDisposed).toBe(false);
        expect(result.update.shape).toEqual(p.shape);
        p.assign(tf.sub(p, result.update));
        for (const t of Object.values(result.state)) tf.keep(t);
        const kept = new Set(Object.values(result.state));
        for (const t of Object.values(old)) if (!kept.has(t)) t.dispose();
        return result.state;
      });
    });
    out.counts.push(tf.memory().numTensors);
    out.w.push((await Promise.all(params.map((p) => p.data()))).flatMap((d) => Array.from(d)));
    out.keys.push(Object.keys(states[0] as UpdaterState));
    const snapshot: Record<string, number[]> = {};
    for (const name of Object.keys(states[0] as UpdaterState)) {
      snapshot[name] = (await Promise.all(states.map((s) => (s[name] as tf.Tensor).data()))).flatMap((d) => Array.from(d));
    }
    out.state.push(snapshot);
  }
  tf.dispose([...params, ...states.flatMap((s) => Object.values(s))]);
  return out;
}

/** Runs an updater on the quadratic (one parameter vector of 4). */
export function runOnQuadratic(updater: Updater, steps = STEPS, stepAt: StepAt = iterations): Promise<RunTrace> {
  const a = tf.tensor1d(A);
  const f = (x: tf.Tensor): tf.Scalar => tf.mul(0.5, tf.sum(tf.mul(a, tf.square(x))));
  return runWithTfjs(updater, [tf.tensor1d(W0)], f, steps, stepAt).finally(() => a.dispose());
}

/** Runs an updater on the tiny network: parameters W1 [3, 3], b1 [3], W2 [3, 2], full batch of 4. */
export function runOnTinyNet(updater: Updater, steps = STEPS, stepAt: StepAt = iterations): Promise<RunTrace> {
  const x = tf.tensor2d(X);
  const y = tf.tensor2d(Y);
  const f = (w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor): tf.Scalar => {
    const h = tf.tanh(tf.add(tf.matMul(x, w1 as tf.Tensor2D), b1));
    return tf.mul(0.5 / X.length, tf.sum(tf.square(tf.sub(tf.matMul(h, w2 as tf.Tensor2D), y))));
  };
  return runWithTfjs(updater, [tf.tensor2d(W1_0), tf.tensor1d(B1_0), tf.tensor2d(W2_0)], f, steps, stepAt).finally(() => tf.dispose([x, y]));
}

/** Drives an element-wise reference rule over a flat parameter vector, in float64. */
function runReference(rule: ReferenceRule, w0: number[], gradient: (w: number[]) => number[], steps: number, stepAt: StepAt): Trace {
  const w = [...w0];
  let states = w.map((wi) => rule.init(wi));
  const trace: Trace = { w: [], state: [] };
  for (let i = 0; i < steps; i++) {
    const g = gradient(w);
    states = w.map((_, k) => {
      const { update, state } = rule.apply(g[k] as number, states[k] as Record<string, number>, stepAt(i));
      w[k] = (w[k] as number) - update;
      return state;
    });
    trace.w.push([...w]);
    const snapshot: Record<string, number[]> = {};
    for (const name of Object.keys(states[0] ?? {})) snapshot[name] = states.map((s) => s[name] as number);
    trace.state.push(snapshot);
  }
  return trace;
}

/** Float64 trace of a rule on the quadratic. */
export function quadraticReference(rule: ReferenceRule, steps = STEPS, stepAt: StepAt = iterations): Trace {
  return runReference(rule, W0, (w) => w.map((wi, i) => (A[i] as number) * wi), steps, stepAt);
}

/** Float64 gradient of the tiny network's loss, flattened as [W1, b1, W2] (hand-written backprop). */
export function tinyNetGradient(flat: readonly number[]): number[] {
  const W1 = [0, 1, 2].map((r) => flat.slice(3 * r, 3 * r + 3));
  const b1 = flat.slice(9, 12);
  const W2 = [0, 1, 2].map((r) => flat.slice(12 + 2 * r, 14 + 2 * r));
  const n = X.length;
  const H = X.map((x) => [0, 1, 2].map((j) => Math.tanh(x.reduce((s, xa, a) => s + xa * W1[a]![j]!, 0) + b1[j]!)));
  const dO = H.map((h, i) => [0, 1].map((k) => (h.reduce((s, hj, j) => s + hj * W2[j]![k]!, 0) - Y[i]![k]!) / n));
  const dW2 = [0, 1, 2].map((j) => [0, 1].map((k) => H.reduce((s, h, i) => s + h[j]! * dO[i]![k]!, 0)));
  const dZ = H.map((h, i) => h.map((hj, j) => (1 - hj * hj) * (dO[i]![0]! * W2[j]![0]! + dO[i]![1]! * W2[j]![1]!)));
  const dW1 = [0, 1, 2].map((a) => [0, 1, 2].map((j) => X.reduce((s, x, i) => s + x[a]! * dZ[i]![j]!, 0)));
  const db1 = [0, 1, 2].map((j) => dZ.reduce((s, dz) => s + dz[j]!, 0));
  return [...dW1.flat(), ...db1, ...dW2.flat()];
}

/** Float64 trace of a rule on the tiny network. */
export function tinyNetReference(rule: ReferenceRule, steps = STEPS, stepAt: StepAt = iterations): Trace {
  return runReference(rule, [...W1_0.flat(), ...B1_0, ...W2_0.flat()], tinyNetGradient, steps, stepAt);
}

/**
 * Float32 against float64: `|a - e| <= rtol |e| + atol`, with atol relative to the largest value
 * of the row so that tiny state values (AdaDelta's, say) are still compared.
 */
export function expectClose(actual: readonly number[], expected: readonly number[], what: string, rtol = 1e-5): void {
  const scale = Math.max(...expected.map(Math.abs));
  expect(closeness(actual, expected, what, { rtol, atol: 1e-6 * scale })).toBeUndefined();
}

/** Compares parameters and every state tensor after every step. */
export function expectTrace(actual: Trace, expected: Trace, rtol = 1e-5): void {
  expect(actual.w).toHaveLength(expected.w.length);
  actual.w.forEach((row, s) => {
    expectClose(row, expected.w[s]!, `w after step ${s + 1}`, rtol);
    expect(Object.keys(actual.state[s]!).sort()).toEqual(Object.keys(expected.state[s]!).sort());
    for (const [name, values] of Object.entries(expected.state[s]!)) expectClose(actual.state[s]![name]!, values, `state ${name} after step ${s + 1}`, rtol);
  });
}

/** Total movement of the parameters over the trace, to make sure a test is not vacuous. */
export function movement(trace: Trace, w0: readonly number[] = W0): number {
  return Math.max(...trace.w[trace.w.length - 1]!.map((v, i) => Math.abs(v - w0[i]!)));
}
