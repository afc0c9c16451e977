// Shared by this package's layer tests only (not exported from index.ts). @dl4ts/losses and
// @dl4ts/updaters are not dependencies of this package, so a cross-entropy, a squared error and
// SGD are written here against core's contracts.
import * as tf from '@tensorflow/tfjs-core';
import { Registry, Rng } from '@dl4ts/core';
import type { BuildContext, ComponentDefinition, ForwardContext, Layer, Loss, Network, ParamDeclaration, ResolvedLayerConfig, Updater } from '@dl4ts/core';
import { expect } from 'vitest';
import { registerLayers } from './register-layers';

declare module '@dl4ts/core' {
  interface LossConfigMap {
    'layer-test/mcxent': Record<never, never>;
    'layer-test/mse': Record<never, never>;
  }
  interface UpdaterConfigMap {
    'layer-test/sgd': { learningRate: number };
  }
}

const definitions: ComponentDefinition[] = [
  {
    kind: 'loss',
    key: 'layer-test/mcxent',
    contractVersion: 1,
    create: (config): Loss => ({
      key: 'layer-test/mcxent',
      config,
      scoreArray: ({ labels, preOutput }) => tf.neg(tf.sum(tf.mul(labels, tf.logSoftmax(preOutput)), -1)),
    }),
  },
  {
    kind: 'loss',
    key: 'layer-test/mse',
    contractVersion: 1,
    create: (config): Loss => ({
      key: 'layer-test/mse',
      config,
      scoreArray: ({ labels, preOutput, activation }) => tf.mean(tf.square(tf.sub(activation.apply(preOutput, { training: true }), labels)), -1),
    }),
  },
  {
    kind: 'updater',
    key: 'layer-test/sgd',
    contractVersion: 1,
    create: (config): Updater => ({
      key: 'layer-test/sgd',
      config,
      initState: () => ({}),
      apply: (g, state) => ({ update: tf.mul(g, config.learningRate as number), state }),
    }),
  },
];

/** A registry with this package's components and the test loss and updaters above. */
export function makeRegistry(): Registry {
  const registry = registerLayers(new Registry());
  registry.use({ name: 'layer-test', definitions });
  return registry;
}

export const registry = makeRegistry();

/** A build context that records declarations, like the one Network passes. */
export function buildContext(): { context: BuildContext; declarations: ParamDeclaration[] } {
  const declarations: ParamDeclaration[] = [];
  const context: BuildContext = {
    activation: (ref) => registry.create('activation', ref ?? 'identity'),
    weightInit: (ref) => registry.create('weightInit', ref ?? 'xavier'),
    loss: (ref) => registry.create('loss', ref),
    addParam: (d) => void declarations.push(d),
  };
  return { context, declarations };
}

/** Creates a layer through the registry, as Network does (name defaulted to `l`). */
export function createLayer<L extends Layer>(config: Record<string, unknown>): L {
  return registry.create('layer', { name: 'l', ...config }) as L;
}

/** An inference-mode forward context. */
export const inference: ForwardContext = { training: false, rng: new Rng(1) };

/** A training-mode forward context whose proposed state values are collected in `state`. */
export function training(seed = 1): { context: ForwardContext; state: Map<string, tf.Tensor> } {
  const state = new Map<string, tf.Tensor>();
  const context: ForwardContext = { training: true, rng: new Rng(seed), setState: (name, value) => void state.set(name, tf.keep(value)) };
  return { context, state };
}

/** The values each declared parameter is initialised to (seeded), by name. */
export function initialValues(declarations: readonly ParamDeclaration[], seed = 3): Record<string, tf.Tensor> {
  const rng = new Rng(seed);
  return Object.fromEntries(declarations.map((d) => [d.name, tf.tensor(d.init.init({ shape: d.shape, fanIn: d.fanIn, fanOut: d.fanOut, rng }), [...d.shape])]));
}

/**
 * Config round trip: config -> JSON -> registry -> same config; the recreated layer builds to the
 * same output shape with the same declarations.
 */
export function expectConfigRoundTrip(layer: Layer, inputShape: readonly number[]): void {
  const json = JSON.parse(JSON.stringify(layer.config)) as ResolvedLayerConfig;
  const recreated = registry.create('layer', json);
  expect(recreated.key).toBe(layer.key);
  expect(recreated.config).toEqual(layer.config);
  const a = buildContext();
  const b = buildContext();
  expect(recreated.build(inputShape, b.context)).toEqual(layer.build(inputShape, a.context));
  const describe = (ds: ParamDeclaration[]) => ds.map((d) => [d.name, d.shape, d.role, d.fanIn, d.fanOut, d.init.config]);
  expect(describe(b.declarations)).toEqual(describe(a.declarations));
}

/** Reads a tensor as a plain array of numbers. */
export async function values(t: tf.Tensor): Promise<number[]> {
  return Array.from(await t.data());
}

/** Row-major host matrix of a 2-D tensor's values. */
export function rows(flat: readonly number[], cols: number): number[][] {
  return Array.from({ length: flat.length / cols }, (_, r) => flat.slice(r * cols, r * cols + cols));
}

/** A copy of a network parameter's values. */
export async function readParam(net: Network, name: string): Promise<number[]> {
  const t = net.getParam(name);
  const v = await values(t);
  t.dispose();
  return v;
}
