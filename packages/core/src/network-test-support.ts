// Components and data shared by the network's tests (not exported from the package): small
// layers written against core's contracts and registered as a plugin would register them.
import * as tf from '@tensorflow/tfjs-core';
import { LAYER_COMMON_OPTIONS } from './config-keys';
import { ValueError } from './errors';
import type { ForwardContext, Layer, LayerCommonOptions, OutputLayer, ParamMap, PretrainableLayer } from './layer';
import type { Loss } from './loss';
import { Network } from './network';
import type { ComponentDefinition, ResolvedConfig } from './registry';
import { Registry } from './registry';
import type { Updater } from './updater';
import type { WeightInitContext } from './weight-init';

declare module './registry' {
  interface LayerConfigMap {
    'test/linear': { nOut: number };
    'test/linear-out': { nOut: number };
  }
  interface WeightInitConfigMap {
    'test/ramp': { scale: number };
  }
  interface UpdaterConfigMap {
    'test/sgd': { lr: number };
  }
}

function linear(config: ResolvedConfig, output: boolean): Layer | OutputLayer {
  const identity = { key: 'test/identity', config: { type: 'test/identity' }, apply: (x: tf.Tensor) => x };
  const halfSquared = {
    key: 'test/half-squared',
    config: { type: 'test/half-squared' },
    scoreArray: ({ labels, preOutput }: { labels: tf.Tensor; preOutput: tf.Tensor }) => tf.mul(0.5, tf.sum(tf.squaredDifference(preOutput, labels), -1)),
  };
  const base = {
    key: config.type,
    config: config as ResolvedConfig & { name: string },
    build(shape: readonly number[], ctx: Parameters<Layer['build']>[1]) {
      const nIn = shape[0] as number;
      const nOut = config.nOut as number;
      ctx.addParam({ name: 'W', shape: [nIn, nOut], role: 'weight', init: ctx.weightInit({ type: 'test/ramp', scale: 0.1 }), fanIn: nIn, fanOut: nOut });
      ctx.addParam({ name: 'b', shape: [nOut], role: 'bias', init: ctx.weightInit({ type: 'test/ramp', scale: -0.05 }), fanIn: nIn, fanOut: nOut });
      return [nOut];
    },
    preOutput: (x: tf.Tensor, p: Record<string, tf.Tensor>) => tf.add(tf.matMul(x as tf.Tensor2D, p.W as tf.Tensor2D), p.b as tf.Tensor),
    forward(x: tf.Tensor, p: Record<string, tf.Tensor>) {
      return base.preOutput(x, p);
    },
  };
  return output ? { ...base, activation: identity, loss: halfSquared } : base;
}

const definitions: ComponentDefinition[] = [
  { kind: 'layer', key: 'test/linear', contractVersion: 1, options: [...Object.keys(LAYER_COMMON_OPTIONS), 'nOut'], create: (c) => linear(c, false) },
  { kind: 'layer', key: 'test/linear-out', contractVersion: 1, options: [...Object.keys(LAYER_COMMON_OPTIONS), 'nOut'], create: (c) => linear(c, true) },
  {
    kind: 'weightInit',
    key: 'test/ramp',
    contractVersion: 1,
    // Deterministic values: scale * (i + 1), so the test can compute the first step by hand.
    create: (c) => ({ key: 'test/ramp', config: c, init: ({ shape }: WeightInitContext) => Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => (c.scale as number) * (i + 1)) }),
  },
  {
    kind: 'updater',
    key: 'test/sgd',
    contractVersion: 1,
    create: (c): Updater => ({ key: 'test/sgd', config: c, initState: () => ({}), apply: (g, state) => ({ update: tf.mul(g, c.lr as number), state }) }),
  },
];

/** Linear layers with a ramp initialiser and plain SGD: every first step has a closed form. */
export function registry(): Registry {
  const r = new Registry();
  r.use({ name: 'test-plugin', definitions });
  return r;
}

export const X = [
  [1, 2],
  [0.5, -1],
  [-2, 0.25],
  [3, 1],
];
export const Y = [[1], [0], [-1], [2]];

export function makeNet(extra: Record<string, unknown> = {}): Network {
  return new Network({ seed: 7, input: 2, defaults: { updater: { type: 'test/sgd', lr: 0.1 } }, layers: [{ type: 'test/linear-out', nOut: 1 }], ...extra }, { registry: registry() }).init();
}

// Test components written against the contracts: a running-mean layer (state), an identity
// pretrainable layer and an output layer whose loss takes sparse labels.
declare module './registry' {
  interface LayerConfigMap {
    'test/running-mean': { momentum: number };
    'test/scale': LayerCommonOptions & { factor?: number };
    'test/sparse-out': { activation?: string };
  }
}

const identity = { key: 'layers/identity', config: { type: 'layers/identity' }, apply: (x: tf.Tensor) => x };
const softmax = { key: 'layers/softmax', config: { type: 'layers/softmax' }, apply: (x: tf.Tensor) => tf.softmax(x) };
const ones = (c: ResolvedConfig) => ({ key: 'test/ones', config: c, init: ({ shape }: WeightInitContext) => new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(1) });

/** Passes x through and keeps an exponential running mean of the batch mean, per feature. */
function runningMean(config: ResolvedConfig): Layer {
  return {
    key: 'test/running-mean',
    config: config as ResolvedConfig & { name: string },
    build(shape, ctx) {
      ctx.addParam({ name: 'mean', shape: [shape[0] as number], role: 'state', init: ctx.weightInit('test/zeros'), fanIn: 1, fanOut: 1 });
      return shape;
    },
    forward(x, p: ParamMap, ctx: ForwardContext) {
      const m = config.momentum as number;
      ctx.setState?.('mean', tf.add(tf.mul(p.mean as tf.Tensor, m), tf.mul(tf.mean(x, 0), 1 - m)));
      return x;
    },
  };
}

/** y = factor * x * w (w = ones); pretraining pulls w towards reconstructing x: score mean((xw - x)^2). */
function scale(config: ResolvedConfig): PretrainableLayer {
  return {
    key: 'test/scale',
    config: config as ResolvedConfig & { name: string },
    build(shape, ctx) {
      ctx.addParam({ name: 'w', shape: [shape[0] as number], role: 'weight', init: ctx.weightInit('test/ones'), fanIn: 1, fanOut: 1 });
      return shape;
    },
    forward: (x, p) => tf.mul(tf.mul(x, p.w as tf.Tensor), (config.factor as number | undefined) ?? 1),
    pretrainGradients(x, p) {
      const f = (w: tf.Tensor) => tf.mean(tf.square(tf.sub(tf.mul(x, w), x)));
      const { value, grad } = tf.valueAndGrad(f)(p.w as tf.Tensor);
      return { score: value, gradients: { w: grad } };
    },
  };
}

const sparseLoss: Loss = {
  key: 'test/sparse-nll',
  config: { type: 'test/sparse-nll' },
  scoreArray: ({ labels, preOutput }) => tf.neg(tf.sum(tf.mul(tf.oneHot(tf.cast(tf.reshape(labels, [-1]), 'int32'), preOutput.shape[1] as number), tf.logSoftmax(preOutput)), -1)),
  labelWidth: () => 1,
  checkLabels: async (labels, nOut) => {
    const values = await labels.data();
    const bad = Array.from(values).find((v) => !Number.isInteger(v) || v < 0 || v >= nOut);
    if (bad !== undefined) throw new ValueError(`class index ${bad} out of range [0, ${nOut - 1}]`);
  },
};

function sparseOut(config: ResolvedConfig) {
  return {
    key: 'test/sparse-out',
    config: config as ResolvedConfig & { name: string },
    activation: config.activation === 'layers/sigmoid' ? { ...identity, key: 'layers/sigmoid' } : softmax,
    loss: config.activation === 'layers/sigmoid' ? { ...sparseLoss, key: 'losses/mcxent' } : sparseLoss,
    build(shape: readonly number[], ctx: Parameters<Layer['build']>[1]) {
      ctx.addParam({ name: 'W', shape: [shape[0] as number, 3], role: 'weight', init: ctx.weightInit('test/ones'), fanIn: 1, fanOut: 1 });
      return [3];
    },
    preOutput: (x: tf.Tensor, p: ParamMap) => tf.matMul(x as tf.Tensor2D, p.W as tf.Tensor2D),
    forward: (x: tf.Tensor, p: ParamMap) => tf.softmax(tf.matMul(x as tf.Tensor2D, p.W as tf.Tensor2D)),
  };
}

/** A running-mean layer (state), a pretrainable scale layer and an output layer whose loss takes class indices. */
export function mechanicsRegistry(): Registry {
  const defs: ComponentDefinition[] = [
    { kind: 'layer', key: 'test/running-mean', contractVersion: 1, options: [...Object.keys(LAYER_COMMON_OPTIONS), 'nOut', 'momentum'], create: runningMean },
    { kind: 'layer', key: 'test/scale', contractVersion: 1, options: [...Object.keys(LAYER_COMMON_OPTIONS), 'nOut', 'momentum'], create: scale },
    { kind: 'layer', key: 'test/sparse-out', contractVersion: 1, options: [...Object.keys(LAYER_COMMON_OPTIONS), 'nOut', 'momentum'], create: sparseOut },
    { kind: 'weightInit', key: 'test/ones', contractVersion: 1, create: ones },
    { kind: 'weightInit', key: 'test/zeros', contractVersion: 1, create: (c) => ({ ...ones(c), init: ({ shape }: WeightInitContext) => new Float32Array(shape.reduce((a, b) => a * b, 1)) }) },
    { kind: 'updater', key: 'test/sgd', contractVersion: 1, create: (c) => ({ key: 'test/sgd', config: c, initState: () => ({}), apply: (g: tf.Tensor, state: Record<string, tf.Tensor>) => ({ update: tf.mul(g, 0.5), state }) }) },
  ];
  const r = new Registry();
  r.use({ name: 'test', definitions: defs });
  return r;
}
