// Minimal components for core's own tests, written against core's contracts and registered as a
// plugin would be (core cannot depend on @dl4ts/layers). Not exported from the package.
import * as tf from '@tensorflow/tfjs-core';
import type { Layer, OutputLayer } from './layer';
import type { ComponentDefinition, ResolvedConfig } from './registry';
import { Registry } from './registry';
import type { Updater } from './updater';
import type { WeightInitContext } from './weight-init';
import { LAYER_COMMON_OPTIONS } from './config-keys';

declare module './registry' {
  interface LayerConfigMap {
    /** tanh(xW + b). */
    'ts/dense': { nOut: number };
    /** Linear output xW + b with the loss mean over columns of (out - y)^2. */
    'ts/out': { nOut: number };
  }
  interface WeightInitConfigMap {
    /** Uniform in [-scale, scale] from the network's seeded generator. */
    'ts/uniform': { scale?: number };
  }
  interface UpdaterConfigMap {
    /** update = lr * g. */
    'ts/sgd': { lr: number };
    /** v <- 0.9 v + g; update = lr * v (one state tensor per parameter). */
    'ts/momentum': { lr: number };
  }
}

function dense(config: ResolvedConfig, output: boolean): Layer | OutputLayer {
  const affine = (x: tf.Tensor, p: Record<string, tf.Tensor>) => tf.add(tf.matMul(x as tf.Tensor2D, p.W as tf.Tensor2D), p.b as tf.Tensor);
  const layer: Layer = {
    key: config.type,
    config: config as ResolvedConfig & { name: string },
    build(shape, ctx) {
      const nIn = shape[0] as number;
      const nOut = config.nOut as number;
      ctx.addParam({ name: 'W', shape: [nIn, nOut], role: 'weight', init: ctx.weightInit({ type: 'ts/uniform', scale: 0.1 }), fanIn: nIn, fanOut: nOut });
      ctx.addParam({ name: 'b', shape: [nOut], role: 'bias', init: ctx.weightInit({ type: 'ts/uniform', scale: 0.1 }), fanIn: nIn, fanOut: nOut });
      return [nOut];
    },
    forward: (x, p) => (output ? affine(x, p) : tf.tanh(affine(x, p))),
  };
  if (!output) return layer;
  return {
    ...layer,
    preOutput: affine,
    activation: { key: 'ts/identity', config: { type: 'ts/identity' }, apply: (x: tf.Tensor) => x },
    loss: { key: 'ts/mse', config: { type: 'ts/mse' }, scoreArray: ({ labels, preOutput }) => tf.mean(tf.squaredDifference(preOutput, labels), -1) },
  } as OutputLayer;
}

/** The test components: ts/dense, ts/out, ts/uniform, ts/sgd, ts/momentum, in this order. */
export const TEST_DEFINITIONS: readonly ComponentDefinition[] = [
  { kind: 'layer', key: 'ts/dense', contractVersion: 1, options: [...Object.keys(LAYER_COMMON_OPTIONS), 'nOut'], create: (c) => dense(c, false) },
  { kind: 'layer', key: 'ts/out', contractVersion: 1, options: [...Object.keys(LAYER_COMMON_OPTIONS), 'nOut'], create: (c) => dense(c, true) },
  {
    kind: 'weightInit',
    key: 'ts/uniform',
    contractVersion: 1,
    create: (c) => {
      const scale = (c.scale as number | undefined) ?? 0.1;
      return { key: 'ts/uniform', config: c, init: ({ shape, rng }: WeightInitContext) => Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniformRange(-scale, scale)) };
    },
  },
  {
    kind: 'updater',
    key: 'ts/sgd',
    contractVersion: 1,
    create: (c): Updater => ({ key: 'ts/sgd', config: c, initState: () => ({}), apply: (g, state) => ({ update: tf.mul(g, c.lr as number), state }) }),
  },
  {
    kind: 'updater',
    key: 'ts/momentum',
    contractVersion: 1,
    create: (c): Updater => ({
      key: 'ts/momentum',
      config: c,
      initState: (param) => ({ v: tf.zerosLike(param) }),
      apply: (g, state) => {
        const v = tf.add(tf.mul(state.v as tf.Tensor, 0.9), g);
        return { update: tf.mul(v, c.lr as number), state: { v } };
      },
    }),
  },
];

/** A fresh registry holding the test components. */
export function testRegistry(): Registry {
  return new Registry().use({ name: 'core-test-support', definitions: TEST_DEFINITIONS });
}
