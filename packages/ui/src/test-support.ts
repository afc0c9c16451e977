// Shared by this package's tests only (not exported from index.ts): a small ReLU classifier built
// from the real layers, losses and updaters, and seeded data for it.
import * as tf from '@tensorflow/tfjs-core';
import { Network, Registry } from '@dl4ts/core';
import { syntheticClassification } from '@dl4ts/core/testing';
import type { DataSet } from '@dl4ts/core';
import { registerLayers } from '@dl4ts/layers';
import { registerLosses } from '@dl4ts/losses';
import { registerUpdaters } from '@dl4ts/updaters';

export const LR = 0.05;

/** 4-8-3 ReLU/softmax, SGD at {@link LR}. */
export function classifier(seed = 3): Network {
  const registry = registerUpdaters(registerLosses(registerLayers(new Registry())));
  return new Network(
    {
      seed,
      input: 4,
      defaults: { updater: { type: 'updaters/sgd', learningRate: LR }, weightInit: 'relu' },
      layers: [
        { type: 'layers/dense', name: 'hidden', nOut: 8, activation: 'relu' },
        { type: 'layers/output', name: 'out', nOut: 3, activation: 'softmax', loss: 'mcxent' },
      ],
    },
    { registry },
  ).init();
}

/** 96 seeded examples of 3 classes in 4 dimensions. */
export function data(): DataSet {
  return syntheticClassification(96, 4, 3, 11);
}

/** The parameter values of `net`, read now. */
export async function snapshot(net: Network): Promise<Map<string, Float32Array>> {
  const values = new Map<string, Float32Array>();
  for (const name of net.paramNames()) {
    const t = net.getParam(name);
    values.set(name, (await t.data()) as Float32Array);
    t.dispose();
  }
  return values;
}

export const tensorsNow = (): number => tf.memory().numTensors;
