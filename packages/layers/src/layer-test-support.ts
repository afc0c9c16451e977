// Shared by this package's layer tests only (not exported from index.ts). @dl4ts/losses and
// @dl4ts/updaters are not dependencies of this package, so a cross-entropy, a squared error and
// SGD are written here against core's contracts.
import * as tf from '@tensorflow/tfjs-core';
import { Registry } from '@dl4ts/core';
import type { BuildContext, ComponentDefinition, ForwardContext, Layer, Loss, ParamDeclaration, Updater } from '@dl4ts/core';
import { expect } from 'vitest';
import { configRoundTrip, inferenceContext, recordingBuildContext, registryWith, trainingContext } from '@dl4ts/core/testing';
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
export function testRegistry(): Registry {
  return registryWith(registerLayers, { name: 'layer-test', definitions });
}

export const registry = testRegistry();

/** A build context that records declarations, like the one Network passes. */
export function buildContext(): { context: BuildContext; declarations: ParamDeclaration[] } {
  return recordingBuildContext(registry);
}

/** Creates a layer through the registry, as Network does (name defaulted to `l`). */
export function createLayer<L extends Layer>(config: Record<string, unknown>): L {
  return registry.create('layer', { name: 'l', ...config }) as L;
}

/** An inference-mode forward context. */
export const inference: ForwardContext = inferenceContext();

/** A training-mode forward context whose proposed state values are collected in `state`. */
export const training = trainingContext;

/** Config round trip (see core's testing kit): config -> JSON -> registry -> same layer. */
export function expectConfigRoundTrip(layer: Layer, inputShape: readonly number[]): void {
  expect(configRoundTrip(registry, layer, inputShape)).toEqual([]);
}

export { initialValues, readParam, rows, values } from '@dl4ts/core/testing';
