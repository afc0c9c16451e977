// Shared by this package's tests only (not exported from index.ts): a registry with core, layers,
// losses and rnn, and independent float64 reference implementations of the cells in plain JS.
import * as tf from '@tensorflow/tfjs-core';
import { Network, Registry, Rng } from '@dl4ts/core';
import type { ComponentDefinition, Layer, NetworkConfig, ParamDeclaration, Updater } from '@dl4ts/core';
import { registerLayers } from '@dl4ts/layers';
import { registerLosses } from '@dl4ts/losses';
import { registerRnn } from './register-rnn';
import { buildLayer as buildLayerWith, registryWith } from '@dl4ts/core/testing';

declare module '@dl4ts/core' {
  interface UpdaterConfigMap {
    'rnn-test/sgd': { learningRate: number };
    'rnn-test/adam': { learningRate: number };
  }
}

// @dl4ts/updaters is not a dependency of this package: plain SGD is written here.
const sgd: ComponentDefinition = {
  kind: 'updater',
  key: 'rnn-test/sgd',
  contractVersion: 1,
  create: (config): Updater => ({ key: 'rnn-test/sgd', config, initState: () => ({}), apply: (g, state) => ({ update: tf.mul(g, config.learningRate as number), state }) }),
};

// Adam (Kingma and Ba), beta1 0.9, beta2 0.999, epsilon 1e-8, for the learning tests.
const adam: ComponentDefinition = {
  kind: 'updater',
  key: 'rnn-test/adam',
  contractVersion: 1,
  create: (config): Updater => ({
    key: 'rnn-test/adam',
    config,
    initState: (p) => ({ m: tf.zerosLike(p), v: tf.zerosLike(p) }),
    apply: (g, state, { iteration }) => {
      const m = tf.add(tf.mul(0.9, state.m as tf.Tensor), tf.mul(0.1, g));
      const v = tf.add(tf.mul(0.999, state.v as tf.Tensor), tf.mul(0.001, tf.square(g)));
      const t = iteration + 1;
      const rate = ((config.learningRate as number) * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t);
      return { update: tf.div(tf.mul(rate, m), tf.add(tf.sqrt(v), 1e-8)), state: { m, v } };
    },
  }),
};

/** Network defaults every test uses: SGD with this learning rate. */
export const sgdDefaults = (learningRate = 0.1) => ({ updater: { type: 'rnn-test/sgd' as const, learningRate } });

/** A registry with everything a recurrent network needs. */
export function testRegistry(): Registry {
  return registryWith(registerLayers, registerLosses, registerRnn, { name: 'rnn-test', definitions: [sgd, adam] });
}

export const registry = testRegistry();

/** Builds a layer as Network does (core's testing kit); returns it with its declarations. */
export function buildLayer<L extends Layer>(config: Record<string, unknown>, inputShape: number[]): { layer: L; declarations: ParamDeclaration[] } {
  const { layer, declarations } = buildLayerWith(registry, config, inputShape);
  return { layer: layer as L, declarations };
}

/** Seeded uniform values in [-scale, scale], float32-representable so both sides see the same numbers. */
export function uniform(n: number, seed: number, scale = 0.8): number[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => Math.fround(scale * (2 * rng.uniform() - 1)));
}

/** Random parameter values for every declaration (biases too, so each gate block is exercised). */
export function randomParams(declarations: readonly ParamDeclaration[], seed = 7): Record<string, { values: number[]; shape: number[] }> {
  return Object.fromEntries(declarations.map((d, i) => [d.name, { values: uniform(d.shape.reduce((a, b) => a * b, 1), seed + 31 * i), shape: [...d.shape] }]));
}

export function toTensors(params: Record<string, { values: number[]; shape: number[] }>): Record<string, tf.Tensor> {
  return Object.fromEntries(Object.entries(params).map(([k, p]) => [k, tf.tensor(p.values, p.shape)]));
}

export function makeNetwork(config: NetworkConfig): Network {
  return new Network(config, { registry, onWarning: () => undefined }).init();
}

// ---------------------------------------------------------------- float64 reference cells

type Vec = number[];
type Mat = number[][];
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Row-major `[rows, cols]` matrix from flat values. */
export function matrix(flat: readonly number[], cols: number): Mat {
  return Array.from({ length: flat.length / cols }, (_, r) => flat.slice(r * cols, r * cols + cols));
}

/** `v M + b` for a row vector. */
function vecMat(v: Vec, m: Mat): Vec {
  const cols = (m[0] as Vec).length;
  const out = new Array<number>(cols).fill(0);
  v.forEach((x, i) => {
    const row = m[i] as Vec;
    for (let j = 0; j < cols; j++) out[j] = (out[j] as number) + x * (row[j] as number);
  });
  return out;
}
const add = (...vs: Vec[]): Vec => (vs[0] as Vec).map((_, i) => vs.reduce((s, v) => s + (v[i] as number), 0));
const mul = (a: Vec, b: Vec): Vec => a.map((x, i) => x * (b[i] as number));
const slice = (v: Vec, k: number, n: number): Vec => v.slice(k * n, (k + 1) * n);

export type CellKind = 'simple-rnn' | 'lstm' | 'graves-lstm' | 'gru';
export type CellState = Record<string, Vec>;

/** One step of a cell, written out from the gate equations, in float64. */
export function referenceStep(kind: CellKind, p: Record<string, { values: number[]; shape: number[] }>, x: Vec, s: CellState, n: number): CellState {
  const W = matrix(p.W!.values, p.W!.shape[1]!);
  const RW = matrix(p.RW!.values, p.RW!.shape[1]!);
  const b = p.b!.values;
  const h = s.h as Vec;
  const xw = add(vecMat(x, W), b);
  if (kind === 'simple-rnn') return { h: add(xw, vecMat(h, RW)).map(Math.tanh) };
  if (kind === 'gru') {
    const hr = vecMat(h, RW);
    const z = add(slice(xw, 0, n), slice(hr, 0, n)).map(sigmoid);
    const r = add(slice(xw, 1, n), slice(hr, 1, n)).map(sigmoid);
    const rwh = RW.map((row) => row.slice(2 * n, 3 * n));
    const cand = add(slice(xw, 2, n), vecMat(mul(r, h), rwh)).map(Math.tanh);
    return { h: h.map((hv, j) => (z[j] as number) * hv + (1 - (z[j] as number)) * (cand[j] as number)) };
  }
  const zAll = add(xw, vecMat(h, RW));
  const c = s.c as Vec;
  const peep = kind === 'graves-lstm';
  const pi = peep ? mul(p.pi!.values, c) : new Array<number>(n).fill(0);
  const pf = peep ? mul(p.pf!.values, c) : new Array<number>(n).fill(0);
  const i = add(slice(zAll, 0, n), pi).map(sigmoid);
  const f = add(slice(zAll, 1, n), pf).map(sigmoid);
  const g = slice(zAll, 2, n).map(Math.tanh);
  const cNew = add(mul(f, c), mul(i, g));
  const po = peep ? mul(p.po!.values, cNew) : new Array<number>(n).fill(0);
  const o = add(slice(zAll, 3, n), po).map(sigmoid);
  return { h: mul(o, cNew.map(Math.tanh)), c: cNew };
}

/**
 * A whole batch: `x[b][t]` feature vectors, optional mask `[b][t]`, optional initial state. Masked
 * steps hold the state and output zeros. Returns outputs `[b][t][n]` and final states.
 */
export function referenceSequence(
  kind: CellKind,
  p: Record<string, { values: number[]; shape: number[] }>,
  x: number[][][],
  n: number,
  mask?: number[][],
  initial?: CellState[],
): { outputs: number[][][]; states: CellState[] } {
  const names = kind === 'lstm' || kind === 'graves-lstm' ? ['h', 'c'] : ['h'];
  const outputs: number[][][] = [];
  const states: CellState[] = [];
  x.forEach((seq, bi) => {
    let s: CellState = initial?.[bi] ?? Object.fromEntries(names.map((k) => [k, new Array<number>(n).fill(0)]));
    const out: number[][] = [];
    seq.forEach((xt, t) => {
      if (mask !== undefined && mask[bi]![t] === 0) {
        out.push(new Array<number>(n).fill(0));
        return;
      }
      s = referenceStep(kind, p, xt, s, n);
      out.push(s.h as Vec);
    });
    outputs.push(out);
    states.push(s);
  });
  return { outputs, states };
}

/** `[b][t][f]` nested array of seeded values. */
export function sequences(batch: number, time: number, features: number, seed: number): number[][][] {
  const flat = uniform(batch * time * features, seed, 1);
  return Array.from({ length: batch }, (_, b) => Array.from({ length: time }, (_, t) => flat.slice((b * time + t) * features, (b * time + t + 1) * features)));
}

/** Largest absolute difference between two nested arrays of equal shape. */
export function maxDiff(a: unknown, b: unknown): number {
  const fa = (a as number[]).flat(3) as number[];
  const fb = (b as number[]).flat(3) as number[];
  if (fa.length !== fb.length) return Number.POSITIVE_INFINITY;
  return fa.reduce((m, v, i) => Math.max(m, Math.abs(v - (fb[i] as number))), 0);
}

/** LSTM 4 then a softmax RnnOutput of 2 classes on sequences of 3 features, SGD 0.1: the sequence tests' network. */
export const sequenceOutputConfig = (extra: Partial<NetworkConfig> = {}): NetworkConfig => ({
  seed: 5,
  input: [null, 3],
  defaults: sgdDefaults(0.1),
  layers: [
    { type: 'rnn/lstm', nOut: 4, name: 'lstm' },
    { type: 'rnn/rnn-output', nOut: 2, activation: 'softmax', loss: 'mcxent', name: 'out' },
  ],
  ...extra,
});

/** A mask of two sequences of 4 steps, the first with 2 real steps and 2 of padding. */
export const PADDED_MASK = [
  [1, 1, 0, 0],
  [1, 1, 1, 1],
];
