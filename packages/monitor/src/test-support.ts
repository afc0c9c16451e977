// Shared by this package's tests only (not exported from index.ts). This package depends on core
// alone, so a tiny classifier is written here against core's contracts: a tanh dense layer and a
// softmax output with cross-entropy (one-hot labels, or class indices with `sparse`), plain SGD,
// and three seeded Gaussian blobs in 2-D as data.
import * as tf from '@tensorflow/tfjs-core';
import { DataSet, LAYER_COMMON_OPTIONS, Network, Registry, Rng } from '@dl4ts/core';
import type { Activation, BuildContext, ComponentDefinition, Layer, Loss, OutputLayer, ParamMap, ResolvedConfig, TrainingListener, Updater, WeightInit } from '@dl4ts/core';

declare module '@dl4ts/core' {
  interface LayerConfigMap {
    'monitor-test/dense': { nOut: number };
    'monitor-test/softmax-out': { nOut: number; logits?: boolean; sparse?: boolean };
  }
  interface UpdaterConfigMap {
    'monitor-test/sgd': { learningRate: number };
  }
}

const uniformInit = (config: ResolvedConfig): WeightInit => ({
  key: 'monitor-test/uniform',
  config,
  init: ({ shape, fanIn, fanOut, rng }) => {
    const a = Math.sqrt(6 / (fanIn + fanOut));
    return Float32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => rng.uniformRange(-a, a));
  },
});
const zerosInit = (config: ResolvedConfig): WeightInit => ({ key: 'monitor-test/zeros', config, init: ({ shape }) => new Float32Array(shape.reduce((p, d) => p * d, 1)) });

function addDense(ctx: BuildContext, nIn: number, nOut: number): void {
  ctx.addParam({ name: 'W', shape: [nIn, nOut], role: 'weight', init: ctx.weightInit('monitor-test/uniform'), fanIn: nIn, fanOut: nOut });
  ctx.addParam({ name: 'b', shape: [nOut], role: 'bias', init: ctx.weightInit('monitor-test/zeros'), fanIn: nIn, fanOut: nOut });
}

const affine = (x: tf.Tensor, p: ParamMap) => tf.add(tf.matMul(x as tf.Tensor2D, p.W as tf.Tensor2D), p.b as tf.Tensor);

const dense = (config: ResolvedConfig): Layer => ({
  key: 'monitor-test/dense',
  config: config as ResolvedConfig & { name: string },
  build(shape, ctx) {
    addDense(ctx, shape[0] as number, config.nOut as number);
    return [config.nOut as number];
  },
  forward: (x, p) => tf.tanh(affine(x, p)),
});

function softmaxOut(config: ResolvedConfig): OutputLayer {
  const nOut = config.nOut as number;
  const sparse = config.sparse === true;
  // With `logits` the network outputs raw scores (not probabilities); the loss is the same.
  const activation: Activation = config.logits === true ? { key: 'monitor-test/identity', config: { type: 'monitor-test/identity' }, apply: (x: tf.Tensor) => x } : { key: 'monitor-test/softmax', config: { type: 'monitor-test/softmax' }, apply: (x: tf.Tensor) => tf.softmax(x) };
  const loss: Loss = {
    key: 'monitor-test/mcxent',
    config: { type: 'monitor-test/mcxent' },
    scoreArray: ({ labels, preOutput }) => {
      const target = sparse ? tf.oneHot(tf.cast(tf.reshape(labels, [-1]), 'int32'), nOut) : labels;
      return tf.neg(tf.sum(tf.mul(target, tf.logSoftmax(preOutput)), -1));
    },
    labelWidth: (n) => (sparse ? 1 : n),
  };
  return {
    key: 'monitor-test/softmax-out',
    config: config as ResolvedConfig & { name: string },
    activation,
    loss,
    build(shape, ctx) {
      addDense(ctx, shape[0] as number, nOut);
      return [nOut];
    },
    preOutput: (x, p) => affine(x, p),
    forward: (x, p, ctx) => activation.apply(affine(x, p), ctx),
  };
}

const sgd = (config: ResolvedConfig): Updater => ({
  key: 'monitor-test/sgd',
  config,
  initState: () => ({}),
  apply: (g, state) => ({ update: tf.mul(g, config.learningRate as number), state }),
});

const definitions: ComponentDefinition[] = [
  { kind: 'layer', key: 'monitor-test/dense', contractVersion: 1, options: [...Object.keys(LAYER_COMMON_OPTIONS), 'nOut'], create: dense },
  { kind: 'layer', key: 'monitor-test/softmax-out', contractVersion: 1, options: [...Object.keys(LAYER_COMMON_OPTIONS), 'nOut', 'logits', 'sparse'], create: softmaxOut },
  { kind: 'weightInit', key: 'monitor-test/uniform', contractVersion: 1, create: uniformInit },
  { kind: 'weightInit', key: 'monitor-test/zeros', contractVersion: 1, create: zerosInit },
  { kind: 'updater', key: 'monitor-test/sgd', contractVersion: 1, create: sgd },
];

const registry = new Registry().use({ name: 'monitor-test', definitions });

/** A 2-8-3 classifier; `logits`: outputs raw scores; `sparse`: labels are class indices `[n, 1]`. */
export function makeClassifier(options: { logits?: boolean; sparse?: boolean } = {}): Network {
  return new Network(
    {
      seed: 7,
      input: 2,
      defaults: { updater: { type: 'monitor-test/sgd', learningRate: 0.3 } },
      layers: [{ type: 'monitor-test/dense', nOut: 8 }, { type: 'monitor-test/softmax-out', nOut: 3, ...options }],
    },
    { registry, onWarning: () => undefined },
  ).init();
}

/** `perClass` seeded points around each of three centres; labels one-hot, or class indices with `sparse`. */
export function blobs(perClass: number, seed: number, sparse = false): DataSet {
  const rng = new Rng(seed);
  const centres = [[-1, 0], [1, 0.5], [0, -1.2]];
  const features: number[][] = [];
  const labels: number[][] = [];
  centres.forEach(([cx, cy], c) => {
    for (let i = 0; i < perClass; i++) {
      features.push([(cx as number) + 0.6 * rng.normal(), (cy as number) + 0.6 * rng.normal()]);
      labels.push(sparse ? [c] : [0, 1, 2].map((k) => (k === c ? 1 : 0)));
    }
  });
  return DataSet.from(features, labels);
}

/** What an independent listener saw: scores read at chosen iterations, epoch means, live tensors. */
export interface Recording {
  readonly reads: { iteration: number; score: number }[];
  readonly epochMeans: number[];
  readonly tensorsAtEpochEnd: number[];
}

/** A listener that reads the score where `(iteration - 1) % every === 0` (a fresh network). */
export function recorder(every: number, onEpoch?: (network: Network) => Promise<void>): TrainingListener & { recording: Recording } {
  const recording: Recording = { reads: [], epochMeans: [], tensorsAtEpochEnd: [] };
  return {
    recording,
    async onIterationEnd(info) {
      if ((info.iteration - 1) % every === 0) recording.reads.push({ iteration: info.iteration, score: await info.score() });
    },
    async onEpochEnd(info) {
      recording.epochMeans.push(info.meanScore);
      await onEpoch?.(info.network);
      recording.tensorsAtEpochEnd.push(tf.memory().numTensors);
    },
  };
}
