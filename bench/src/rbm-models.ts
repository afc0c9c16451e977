// The RBM contenders the CD-1 cases share (784-500 binary units, batch 100, SGD 0.1): dl4ts's
// `rbm/rbm` layer through Network.pretrainLayer, and the same CD-1 update written directly in
// tfjs-core ops (tfjs-layers has no RBM, so that is what a tfjs user would write: sampled hidden
// states, mean reconstructions, plain SGD on W, hidden and visible biases).
import * as tf from '@tensorflow/tfjs-core';
import { DataSet, Network } from '@dl4ts/core';
import type { NetworkConfig, Registry } from '@dl4ts/core';
import { registerRbm, unlabeled } from '@dl4ts/rbm';
import type { Contender } from './harness';
import { builtInRegistry } from './mlp-models';

const NV = 784;
const NH = 500;
export const RBM_BATCH = 100;
const BATCH = RBM_BATCH;
const LR = 0.1;
/** Per sample: three products of the visible and hidden layers (up, down, up) and two outer products. */
export const RBM_FLOPS = 5 * 2 * NV * NH;

/** Layers, losses, updaters and the RBM: what the RBM and DBN benches build from. */
export function rbmRegistry(): Registry {
  const registry = builtInRegistry();
  registerRbm(registry);
  return registry;
}

/** dl4ts's CD-1 over `data`'s features, one pretraining epoch per round. */
export function dl4tsRbm(data: DataSet, name = 'dl4ts Network.pretrainLayer (rbm/rbm, CD-1)'): Contender {
  const registry = rbmRegistry();
  const net = new Network(
    {
      seed: 1,
      input: NV,
      defaults: { updater: { type: 'updaters/sgd', learningRate: LR } },
      layers: [
        { type: 'rbm/rbm', name: 'rbm', nOut: NH, weightInit: { type: 'layers/distribution', distribution: { type: 'normal', std: 0.01 } } },
        { type: 'layers/output', nOut: 10, activation: 'softmax', loss: 'mcxent' },
      ],
    },
    { registry },
  ).init();
  const source = unlabeled(data.features);
  return {
    name,
    flopsPerUnit: RBM_FLOPS,
    round: async () => {
      const before = tf.memory().numTensors;
      await net.pretrainLayer('rbm', source, { epochs: 1, batchSize: BATCH });
      if (tf.memory().numTensors !== before) throw new Error(`dl4ts leaked ${tf.memory().numTensors - before} tensors in one epoch`);
      return data.size;
    },
    dispose: () => {
      source.dispose?.();
      net.dispose();
    },
  };
}

/** CD-1 in tfjs-core ops, one tidy per minibatch, parameters updated with assign. */
export function tfjsCoreRbm(data: DataSet, name = 'tfjs-core CD-1, hand-written (anchor)', anchor = true): Contender {
  // tf.variable keeps its initial value alive: build them inside tidy.
  const [W, hb, vb] = tf.tidy(() => [tf.variable(tf.randomNormal([NV, NH], 0, 0.01, 'float32', 1)), tf.variable(tf.zeros([NH])), tf.variable(tf.zeros([NV]))]);
  let seed = 1;
  return {
    name,
    anchor,
    flopsPerUnit: RBM_FLOPS,
    round: async () => {
      const n = data.size;
      for (let start = 0; start < n; start += BATCH) {
        const size = Math.min(BATCH, n - start);
        tf.tidy(() => {
          const v0 = tf.slice(data.features, [start, 0], [size, NV]);
          const h0 = tf.sigmoid(tf.add(tf.matMul(v0, W), hb));
          const hSample = tf.cast(tf.less(tf.randomUniform(h0.shape, 0, 1, 'float32', seed++), h0), 'float32');
          const v1 = tf.sigmoid(tf.add(tf.matMul(hSample, W, false, true), vb));
          const h1 = tf.sigmoid(tf.add(tf.matMul(v1, W), hb));
          const positive = tf.matMul(v0, h0, true, false);
          const negative = tf.matMul(v1, h1, true, false);
          W.assign(tf.add(W, tf.mul(LR / size, tf.sub(positive, negative))));
          hb.assign(tf.add(hb, tf.mul(LR, tf.mean(tf.sub(h0, h1), 0))));
          vb.assign(tf.add(vb, tf.mul(LR, tf.mean(tf.sub(v0, v1), 0))));
        });
      }
      await W.data(); // the work is queued until read: wait for it inside the timed round
      return n;
    },
    dispose: () => tf.dispose([W, hb, vb]),
  };
}


/**
 * Copies the pretrained weights and hidden biases of `layers` from a pretraining network into a
 * fine-tuning one of the same shapes (a fresh net, so the fine-tuning updater starts clean; an
 * RBM's visible bias takes no part in the forward pass and is left behind).
 */
export function copyRbmWeights(from: Network, to: Network, layers: readonly string[]): void {
  for (const name of layers) {
    for (const p of ['W', 'b']) {
      const value = from.getParam(`${name}/${p}`);
      to.setParam(`${name}/${p}`, value);
      value.dispose();
    }
  }
}

/** The RBM stack of Hinton, Osindero and Teh's MNIST DBN, and the 10-way output above it. */
export const DBN_SIZES = [500, 500, 2000] as const;
export const DBN_NAMES = ['rbm1', 'rbm2', 'rbm3'] as const;

/**
 * The DBN's pretraining net with Hinton's settings for each RBM: weights N(0, 0.01), weight decay
 * 2e-4 (scaled by the learning rate, as in his code), CD-1, Nesterov momentum 0.5 for the first
 * tenth of each layer's minibatches (at most 5 epochs), then 0.9. Momentum is scheduled by
 * iteration (pretraining does not advance the epoch counter) and the counter runs on across
 * layers, so each layer's switch is placed after its own start; `epochs[i]` is layer i's.
 */
export function dbnPretrainConfig(options: { seed: number; learningRate: number; epochs: readonly number[]; batchesPerEpoch: number }): NetworkConfig {
  let start = 0;
  const layers = DBN_SIZES.map((nOut, i) => {
    const total = (options.epochs[i] as number) * options.batchesPerEpoch;
    const switchAt = start + Math.min(5 * options.batchesPerEpoch, Math.max(1, Math.round(total / 10)));
    start += total;
    return {
      type: 'rbm/rbm' as const,
      name: DBN_NAMES[i] as string,
      nOut,
      k: 1,
      weightDecay: 2e-4,
      weightInit: { type: 'layers/distribution', distribution: { type: 'normal', std: 0.01 } } as const,
      updater: { type: 'updaters/nesterovs', learningRate: options.learningRate, momentum: { type: 'map', values: { '0': 0.5, [String(switchAt)]: 0.9 } } } as const,
    };
  });
  return { seed: options.seed, input: 784, layers: [...layers, { type: 'layers/output', name: 'out', nOut: 10, activation: 'softmax', loss: 'mcxent', weightInit: 'xavier' }] };
}

/**
 * The 784-500-500-2000-10 sigmoid net that is fine-tuned after pretraining, or trained from xavier
 * weights: Nesterov momentum, learning rate `lr x decay^epoch`; with `retain`, dropout on each
 * layer's input (DL4J's retain probabilities: the pixels, the hidden units).
 */
export function dbnSupervisedConfig(options: { seed: number; lr: number; decay: number; momentum: number; retain?: { input: number; hidden: number } }): NetworkConfig {
  const { retain } = options;
  const dropout = (i: number) => (retain === undefined ? {} : { dropout: i === 0 ? retain.input : retain.hidden });
  return {
    seed: options.seed,
    input: 784,
    defaults: {
      weightInit: 'xavier',
      updater: { type: 'updaters/nesterovs', learningRate: { type: 'exponential', initialValue: options.lr, gamma: options.decay, scheduleType: 'epoch' }, momentum: options.momentum },
    },
    layers: [
      ...DBN_SIZES.map((nOut, i) => ({ type: 'rbm/rbm' as const, name: DBN_NAMES[i] as string, nOut, ...dropout(i) })),
      { type: 'layers/output', name: 'out', nOut: 10, activation: 'softmax', loss: 'mcxent', ...dropout(DBN_SIZES.length) },
    ],
  };
}
