// Shared by this package's tests: small networks, data and comparisons.
import * as tf from '@tensorflow/tfjs-core';
import type { Model, NetworkConfig } from '@dl4ts/core';
import { Network, Registry } from '@dl4ts/core';
import { registerLayers } from '@dl4ts/layers';
import { registerLosses } from '@dl4ts/losses';
import { registerUpdaters } from '@dl4ts/updaters';
import { StateLayout } from './flat-state';
import { faultPlugin } from './test-fixtures';
import { registryWith, syntheticClassification } from '@dl4ts/core/testing';

export function testRegistry(): Registry {
  return registryWith(registerLayers, registerLosses, registerUpdaters, faultPlugin);
}

export function network(config: NetworkConfig, registry = testRegistry()): Network {
  return new Network(config, { registry, onWarning: () => undefined }).init();
}

/** `n` examples of `features` columns in [-1, 1], labels one-hot of `classes` from a seeded rule. */
export const classification = syntheticClassification;

/** Parameters and updater state as one flat buffer, in the trainer's layout. */
export function flatState(net: Model): Promise<Float32Array> {
  return new StateLayout(net).read(net, true);
}

/** Index of the first element that differs (bitwise, NaN-safe), or -1. */
export function firstDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return i;
  return -1;
}

export const numTensors = (): number => tf.memory().numTensors;
