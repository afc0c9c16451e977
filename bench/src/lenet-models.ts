// LeNet as the CNN cases and examples/lenet-mnist.ts train it (Deeplearning4j's LeNetMNIST): conv
// 5x5x20, max-pool 2, conv 5x5x50, max-pool 2, dense 500 relu, softmax 10; Adam 1e-3, L2 5e-4; in
// dl4ts, and the same model in tfjs-layers (python/lenet.py has it in PyTorch).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { Network } from '@dl4ts/core';
import type { NetworkConfig } from '@dl4ts/core';
import { registerCnn } from '@dl4ts/cnn';
import { builtInRegistry } from './mlp-models';

/** Training FLOPs per image: forward multiply-adds of the two convolutions and two dense layers, x2 (FLOPs) x3 (forward and two gradients). */
export const LENET_FLOPS = 6 * (24 * 24 * 20 * 25 + 8 * 8 * 50 * 500 + 800 * 500 + 500 * 10);

export function lenetConfig(seed: number): NetworkConfig {
  return {
    seed,
    input: 784,
    defaults: { weightInit: 'xavier', l2: 5e-4, updater: { type: 'updaters/adam', learningRate: 1e-3 } },
    layers: [
      { type: 'cnn/reshape', shape: [28, 28, 1] },
      { type: 'cnn/convolution2d', nOut: 20, kernelSize: 5, activation: 'identity' },
      { type: 'cnn/subsampling2d', poolingType: 'max', kernelSize: 2, stride: 2 },
      { type: 'cnn/convolution2d', nOut: 50, kernelSize: 5, activation: 'identity' },
      { type: 'cnn/subsampling2d', poolingType: 'max', kernelSize: 2, stride: 2 },
      { type: 'cnn/flatten' },
      { type: 'layers/dense', nOut: 500, activation: 'relu' },
      { type: 'layers/output', nOut: 10, activation: 'softmax', loss: 'mcxent' },
    ],
  };
}

export function lenetNetwork(seed: number): Network {
  const registry = builtInRegistry();
  registerCnn(registry);
  return new Network(lenetConfig(seed), { registry }).init();
}

/** The same model in tfjs-layers: Glorot-normal kernels, L2 on the kernels (Keras' l2 = DL4J's l2 / 2). */
export function lenetTfjsLayers(): tfl.Sequential {
  const l2 = () => tfl.regularizers.l2({ l2: 2.5e-4 });
  const conv = (filters: number, first: boolean) =>
    tfl.layers.conv2d({ ...(first ? { inputShape: [28, 28, 1] } : {}), filters, kernelSize: 5, activation: 'linear', kernelInitializer: 'glorotNormal', kernelRegularizer: l2() });
  const model = tfl.sequential({
    layers: [
      tfl.layers.reshape({ inputShape: [784], targetShape: [28, 28, 1] }),
      conv(20, false),
      tfl.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      conv(50, false),
      tfl.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 500, activation: 'relu', kernelInitializer: 'glorotNormal', kernelRegularizer: l2() }),
      tfl.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: 'glorotNormal', kernelRegularizer: l2() }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  return model;
}
