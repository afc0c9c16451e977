import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { DataSet } from './data-set';
import { ConfigError } from './errors';
import type { LayerCommonOptions, ParamMap, PretrainableLayer } from './layer';
import type { Loss } from './loss';
import { Network } from './network';
import type { ComponentDefinition, ResolvedConfig } from './registry';
import { Registry } from './registry';
import type { WeightInitContext } from './weight-init';
import { LAYER_COMMON_OPTIONS } from './config-keys';

// `frozen` layers and state committed by pretraining, with components written against the contracts.
declare module './registry' {
  interface LayerConfigMap {
    'frz/affine': LayerCommonOptions & { nOut: number };
    'frz/out': LayerCommonOptions & { nOut: number };
  }
  interface UpdaterConfigMap {
    'frz/sgd': Record<never, never>;
  }
}

const identity = { key: 'frz/identity', config: { type: 'frz/identity' }, apply: (x: tf.Tensor) => x };
const halfSquared: Loss = { key: 'frz/half-squared', config: { type: 'frz/half-squared' }, scoreArray: ({ labels, preOutput }) => tf.mul(0.5, tf.sum(tf.squaredDifference(preOutput, labels), -1)) };

/** Deterministic non-trivial values: w_i = 0.1 * ((i * 7) % 11 - 5). */
const values = (c: ResolvedConfig) => ({ key: 'frz/values', config: c, init: ({ shape }: WeightInitContext) => Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => 0.1 * (((i * 7) % 11) - 5)) });

/** y = tanh(x W + b); pretraining: the gradient of mean(y^2), and a `steps` state counter incremented per step. */
function affine(config: ResolvedConfig): PretrainableLayer {
  const nOut = config.nOut as number;
  const f = (x: tf.Tensor, p: ParamMap) => tf.tanh(tf.add(tf.matMul(x as tf.Tensor2D, p.W as tf.Tensor2D), p.b as tf.Tensor));
  return {
    key: 'frz/affine',
    config: config as ResolvedConfig & { name: string },
    build(shape, ctx) {
      const nIn = shape[0] as number;
      ctx.addParam({ name: 'W', shape: [nIn, nOut], role: 'weight', init: ctx.weightInit('frz/values'), fanIn: nIn, fanOut: nOut });
      ctx.addParam({ name: 'b', shape: [nOut], role: 'bias', init: ctx.weightInit('frz/values'), fanIn: nIn, fanOut: nOut });
      ctx.addParam({ name: 'steps', shape: [1], role: 'state', init: ctx.weightInit('frz/values'), fanIn: 1, fanOut: 1 });
      return [nOut];
    },
    forward: f,
    pretrainGradients(x, p, ctx) {
      const { value, grads } = tf.valueAndGrads((W: tf.Tensor, b: tf.Tensor) => tf.mean(tf.square(f(x, { W, b }))))([p.W as tf.Tensor, p.b as tf.Tensor]);
      ctx.setState?.('steps', tf.add(p.steps as tf.Tensor, 1));
      return { score: value, gradients: { W: grads[0] as tf.Tensor, b: grads[1] as tf.Tensor } };
    },
  };
}

function out(config: ResolvedConfig) {
  const nOut = config.nOut as number;
  const pre = (x: tf.Tensor, p: ParamMap) => tf.matMul(x as tf.Tensor2D, p.W as tf.Tensor2D);
  return {
    key: 'frz/out',
    config: config as ResolvedConfig & { name: string },
    activation: identity,
    loss: halfSquared,
    build(shape: readonly number[], ctx: Parameters<PretrainableLayer['build']>[1]) {
      ctx.addParam({ name: 'W', shape: [shape[0] as number, nOut], role: 'weight', init: ctx.weightInit('frz/values'), fanIn: 1, fanOut: 1 });
      return [nOut];
    },
    preOutput: pre,
    forward: pre,
  };
}

function registry(): Registry {
  const defs: ComponentDefinition[] = [
    { kind: 'layer', key: 'frz/affine', contractVersion: 1, options: [...Object.keys(LAYER_COMMON_OPTIONS), 'nOut'], create: affine },
    { kind: 'layer', key: 'frz/out', contractVersion: 1, options: [...Object.keys(LAYER_COMMON_OPTIONS), 'nOut'], create: out },
    { kind: 'weightInit', key: 'frz/values', contractVersion: 1, create: values },
    { kind: 'updater', key: 'frz/sgd', contractVersion: 1, create: (c) => ({ key: 'frz/sgd', config: c, initState: () => ({}), apply: (g: tf.Tensor, state: Record<string, tf.Tensor>) => ({ update: tf.mul(g, 0.1), state }) }) },
  ];
  const r = new Registry();
  r.use({ name: 'frz', definitions: defs });
  return r;
}

const X = [[1, 0.5, -1], [0.2, -0.3, 0.8], [-0.5, 1, 0.1], [0.9, 0.9, -0.2]];
const Y = [[1, 0], [0, 1], [1, 1], [0, 0]];

function network(frozen: boolean | undefined, l2 = 0): Network {
  return new Network(
    { input: 3, defaults: { updater: 'frz/sgd', l2 }, layers: [{ type: 'frz/affine', name: 'h1', nOut: 4, ...(frozen === undefined ? {} : { frozen }) }, { type: 'frz/affine', name: 'h2', nOut: 3 }, { type: 'frz/out', name: 'out', nOut: 2 }] },
    { registry: registry() },
  ).init();
}

async function snapshot(net: Network): Promise<Map<string, Float32Array>> {
  const result = new Map<string, Float32Array>();
  for (const name of net.paramNames()) {
    const t = net.getParam(name);
    result.set(name, (await t.data()) as Float32Array);
    t.dispose();
  }
  return result;
}

describe('Network: frozen layers', () => {
  it('leaves a frozen layer bitwise unchanged by fit while the other layers train', async () => {
    const net = network(true, 1e-2);
    const before = await snapshot(net);
    await net.fit({ features: X, labels: Y }, { epochs: 3, batchSize: 2 });
    const after = await snapshot(net);
    expect(after.get('h1/W')).toEqual(before.get('h1/W'));
    expect(after.get('h1/b')).toEqual(before.get('h1/b'));
    for (const name of ['h2/W', 'h2/b', 'out/W']) expect(after.get(name)).not.toEqual(before.get(name));
    net.dispose();
  });

  it('trains the unfrozen layers exactly as a network whose frozen layer is a constant', async () => {
    // The same network unfrozen, but with h1's gradients discarded, must reach the same values:
    // frozen changes nothing but h1 (its penalty gradient included).
    const frozen = network(true);
    const free = network(undefined);
    await frozen.fit({ features: X, labels: Y }, { epochs: 1, batchSize: 4 });
    await free.fit({ features: X, labels: Y }, { epochs: 1, batchSize: 4 });
    const a = await snapshot(frozen);
    const b = await snapshot(free);
    // One full batch: the layers above h1 get the same gradient whether or not h1 moves in the same step.
    for (const name of ['h2/W', 'h2/b', 'out/W']) expect(a.get(name)).toEqual(b.get(name));
    expect(a.get('h1/W')).not.toEqual(b.get('h1/W'));
    frozen.dispose();
    free.dispose();
  });

  it('still pretrains a frozen layer, and commits the state it proposes after every step', async () => {
    const net = network(true);
    const before = await snapshot(net);
    const data = DataSet.from(X, Y);
    await net.pretrainLayer('h1', data, { epochs: 2, batchSize: 2 });
    const after = await snapshot(net);
    expect(after.get('h1/W')).not.toEqual(before.get('h1/W'));
    // 2 epochs x 2 batches: the counter moved 4 times from its initial value.
    expect((after.get('h1/steps') as Float32Array)[0]).toBeCloseTo(((before.get('h1/steps') as Float32Array)[0] as number) + 4, 5);
    const tensors = tf.memory().numTensors;
    await net.pretrainLayer('h1', data, { epochs: 1, batchSize: 2 });
    expect(tf.memory().numTensors).toBe(tensors);
    data.dispose();
    net.dispose();
  });

  it('rejects a non-boolean frozen, naming the layer', () => {
    expect(() => network('yes' as unknown as boolean)).toThrow(ConfigError);
    expect(() => network('yes' as unknown as boolean)).toThrow('Layer 0 "h1" (frz/affine): frozen must be a boolean, received "yes"');
  });
});
