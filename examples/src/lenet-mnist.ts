// LeNet on MNIST, after Deeplearning4j's LeNetMNIST example: conv 5x5x20, max-pool 2, conv 5x5x50,
// max-pool 2, dense 500 (relu), softmax 10. Run: pnpm --filter @dl4ts/examples lenet -- [options]
//   --data <dir>       the MNIST IDX files (default $DL4TS_DATA/mnist, or ../shared/data/mnist beside the repository)
//   --backend <name>   auto (default: native, then CUDA, wasm, cpu), native, wasm or cpu
//   --epochs <n>       default 12;  --batch <n> default 64;  --limit <n> training images (all)
//   --checkpoints <dir> save every epoch there and resume from the newest one
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Network, Registry, evaluateClassifier } from '@dl4ts/core';
import type { EpochInfo, NetworkConfig } from '@dl4ts/core';
import { CheckpointListener, listCheckpoints, loadMnist, loadModel } from '@dl4ts/core/node';
import { selectAutoBackend } from '@dl4ts/backend-auto';
import { registerCnn } from '@dl4ts/cnn';
import { registerLosses } from '@dl4ts/losses';
import { registerUpdaters } from '@dl4ts/updaters';

const { values: args } = parseArgs({
  options: {
    // ../shared beside the repository's folder, wherever this runs from.
    data: { type: 'string', default: process.env.DL4TS_DATA === undefined ? fileURLToPath(new URL('../../../shared/data/mnist', import.meta.url)) : `${process.env.DL4TS_DATA}/mnist` },
    backend: { type: 'string', default: 'auto' },
    epochs: { type: 'string', default: '12' },
    batch: { type: 'string', default: '64' },
    limit: { type: 'string' },
    checkpoints: { type: 'string' },
  },
});

/** DL4J's LeNet, fed flat 784-vectors; Adam with the learning rate halved every 4 epochs, L2 5e-4. */
export const LENET: NetworkConfig = {
  seed: 123,
  input: 784,
  defaults: {
    weightInit: 'xavier',
    l2: 5e-4,
    updater: { type: 'updaters/adam', learningRate: { type: 'step', initialValue: 1e-3, decayRate: 0.5, step: 4, scheduleType: 'epoch' } },
  },
  layers: [
    { type: 'cnn/reshape', shape: [28, 28, 1] },
    { type: 'cnn/convolution2d', nOut: 20, kernelSize: 5, stride: 1, activation: 'identity' },
    { type: 'cnn/subsampling2d', poolingType: 'max', kernelSize: 2, stride: 2 },
    { type: 'cnn/convolution2d', nOut: 50, kernelSize: 5, stride: 1, activation: 'identity' },
    { type: 'cnn/subsampling2d', poolingType: 'max', kernelSize: 2, stride: 2 },
    { type: 'cnn/flatten' },
    { type: 'layers/dense', nOut: 500, activation: 'relu' },
    { type: 'layers/output', nOut: 10, activation: 'softmax', loss: 'mcxent' },
  ],
};

const backend = await selectAutoBackend(args.backend as 'auto');
console.log(`backend: ${backend.name}${backend.detail === undefined ? '' : ` (${backend.detail})`}`);
const registry = new Registry();
[registerCnn, registerLosses, registerUpdaters].forEach((register) => register(registry));

const limit = args.limit === undefined ? {} : { limit: Number(args.limit) };
const train = await loadMnist(args.data, { split: 'train', scale: true, ...limit });
const test = await loadMnist(args.data, { split: 'test', scale: true });

// Resume from the newest checkpoint when there is one.
const saved = args.checkpoints === undefined ? [] : await listCheckpoints(args.checkpoints);
const newest = saved.at(-1);
const net = newest === undefined ? new Network(LENET, { registry }).init() : (await loadModel(newest.path, { registry })).network;
if (newest !== undefined) console.log(`resumed from ${newest.path}`);
console.log(net.summary());

const epochs = Number(args.epochs);
let started = performance.now();
const listeners = [
  ...(args.checkpoints === undefined ? [] : [new CheckpointListener({ directory: args.checkpoints, everyEpochs: 1, keepLast: 2 })]),
  {
    async onEpochEnd(info: EpochInfo) {
      const seconds = (performance.now() - started) / 1000;
      const accuracy = (await evaluateClassifier(net, test, { batchSize: 500 })).accuracy();
      console.log(`epoch ${info.epoch}/${epochs}: loss ${info.meanScore.toFixed(4)}, ${seconds.toFixed(1)} s (${(train.size / seconds).toFixed(0)} images/s), test accuracy ${(100 * accuracy).toFixed(2)}%`);
      started = performance.now();
    },
  },
];
const remaining = epochs - net.epoch;
if (remaining > 0) await net.fit(train, { epochs: remaining, batchSize: Number(args.batch), listeners });
const evaluation = await evaluateClassifier(net, test, { batchSize: 500 });
console.log(`${backend.name}: test accuracy ${(100 * evaluation.accuracy()).toFixed(2)}% after ${net.epoch} epochs`);
[train, test, net].forEach((d) => d.dispose());
