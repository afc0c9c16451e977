// The MLP the speed, accuracy and latency cases share: 784-500-250-10 ReLU/softmax, MCXENT,
// Nesterov momentum 0.02/0.9, L2 1e-4, in dl4ts and as the same model in tfjs-layers.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ComputationGraph, Network, Registry } from '@dl4ts/core';
import type { NetworkConfig } from '@dl4ts/core';
import { registerLayers } from '@dl4ts/layers';
import { registerLosses } from '@dl4ts/losses';
import { registerUpdaters } from '@dl4ts/updaters';

export const MLP_SIZES = [784, 500, 250, 10] as const;

/** A registry with the built-in layers, losses and updaters. */
export function builtInRegistry(): Registry {
  const registry = new Registry();
  registerLayers(registry);
  registerLosses(registry);
  registerUpdaters(registry);
  return registry;
}

/** 784-500-250-10 ReLU/softmax, MCXENT, Nesterov momentum, L2 1e-4 (the accuracy bench's config). */
export function mlpConfig(seed: number): NetworkConfig {
  return {
    seed,
    input: 784,
    defaults: { activation: 'relu', weightInit: 'relu', updater: { type: 'updaters/nesterovs', learningRate: 0.02, momentum: 0.9 }, l2: 1e-4 },
    layers: [
      { type: 'layers/dense', nOut: 500 },
      { type: 'layers/dense', nOut: 250 },
      { type: 'layers/output', nOut: 10, activation: 'softmax', loss: 'mcxent', weightInit: 'xavier' },
    ],
  };
}

export function mlpNetwork(seed: number, registry: Registry = builtInRegistry()): Network {
  return new Network(mlpConfig(seed), { registry }).init();
}

/** The same MLP as a chain ComputationGraph (input `pixels`, each layer reading the one before). */
export function mlpGraph(seed: number, registry: Registry = builtInRegistry()): ComputationGraph {
  const { input, layers, ...rest } = mlpConfig(seed);
  const names = ['hidden1', 'hidden2', 'out'];
  const vertices = layers.map((layer, i) => ({ ...layer, name: names[i] as string, inputs: [i === 0 ? 'pixels' : (names[i - 1] as string)] }));
  return new ComputationGraph({ ...rest, inputs: { pixels: input }, vertices, outputs: ['out'] }, { registry }).init();
}

/**
 * The same model in tfjs-layers: He-normal hidden layers, Glorot-normal output, Nesterov momentum,
 * L2 on the kernels (Keras' l2 = DL4J's l2 / 2, as Keras adds l2 * sum(w^2) and DL4J l2/2 * sum(w^2)).
 */
export function mlpTfjsLayers(): tfl.Sequential {
  const l2 = () => tfl.regularizers.l2({ l2: 0.5e-4 });
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [784], units: 500, activation: 'relu', kernelInitializer: 'heNormal', kernelRegularizer: l2() }),
      tfl.layers.dense({ units: 250, activation: 'relu', kernelInitializer: 'heNormal', kernelRegularizer: l2() }),
      tfl.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: 'glorotNormal', kernelRegularizer: l2() }),
    ],
  });
  model.compile({ optimizer: tf.train.momentum(0.02, 0.9, true), loss: 'categoricalCrossentropy' });
  return model;
}
