import * as tf from '@tensorflow/tfjs-core';
import { ACTIVATION_CONTRACT_VERSION } from './activation';
import type { Activation } from './activation';
import { ValueError, formatShape } from './errors';
import type { ComponentDefinition, ResolvedConfig } from './registry';
import type { Updater } from './updater';
import { UPDATER_CONTRACT_VERSION } from './updater';
import type { WeightInit } from './weight-init';
import { WEIGHT_INIT_CONTRACT_VERSION } from './weight-init';
import { rejectUnknownKeys } from './unknown-keys';

// The components core falls back to where a config names none, so that core names no other
// package's keys. Every Registry holds them; a package's component of the same short name
// (`layers/identity`, `updaters/sgd`) wins when a config spells the short name.

/** `f(x) = x`: the activation of a layer that names none. */
export const identityDefinition: ComponentDefinition<'activation', Activation> = {
  kind: 'activation',
  key: 'core/identity',
  contractVersion: ACTIVATION_CONTRACT_VERSION,
  provider: '@dl4ts/core',
  description: 'f(x) = x (the default activation)',
  options: [],
  create: (config) => ({ key: 'core/identity', config, apply: (x) => x }),
};

/**
 * Xavier (Glorot) normal, `N(0, 2 / (fanIn + fanOut))`, DL4J's default weight initialiser; the
 * same draws as `layers/xavier`.
 */
export const xavierDefinition: ComponentDefinition<'weightInit', WeightInit> = {
  kind: 'weightInit',
  key: 'core/xavier',
  contractVersion: WEIGHT_INIT_CONTRACT_VERSION,
  provider: '@dl4ts/core',
  description: 'normal, variance 2 / (fanIn + fanOut) (the default weight initialiser)',
  options: [],
  create: (config) => ({
    key: 'core/xavier',
    config,
    init: ({ shape, fanIn, fanOut, rng }) => {
      const n = fanIn + fanOut;
      if (!(Number.isFinite(n) && n > 0)) throw new ValueError(`Weight init "core/xavier": needs positive fans, received fanIn=${fanIn}, fanOut=${fanOut} for a parameter of shape ${formatShape(shape)}`);
      const std = Math.sqrt(2 / n);
      const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
      for (let i = 0; i < values.length; i++) values[i] = 0 + std * rng.normal();
      return values;
    },
  }),
};

/** Plain SGD, `update = learningRate * g` (default 1e-3, DL4J's): the updater of a layer that names none. */
export function coreSgd(config: ResolvedConfig): Updater {
  rejectUnknownKeys('updater "core/sgd"', config, ['learningRate']);
  const lr = config.learningRate ?? 1e-3;
  if (typeof lr !== 'number' || !(lr > 0) || !Number.isFinite(lr)) throw new ValueError(`updater "core/sgd": learningRate must be a positive number, received ${JSON.stringify(lr)}`);
  return {
    key: 'core/sgd',
    config: { ...config, learningRate: lr },
    initState: () => ({}),
    apply: (gradient, state) => ({ update: tf.mul(gradient, lr), state }),
    learningRateAt: () => lr,
    fusedRule: () => ({ rule: 'sgd', constants: [lr], state: [] }),
  };
}

export const sgdDefinition: ComponentDefinition<'updater', Updater> = {
  kind: 'updater',
  key: 'core/sgd',
  contractVersion: UPDATER_CONTRACT_VERSION,
  provider: '@dl4ts/core',
  description: 'Stochastic gradient descent (the default updater)',
  create: coreSgd,
};
