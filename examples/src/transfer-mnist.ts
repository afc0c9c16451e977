// Transfer learning on MNIST: a small LeNet trained on digits 0-4 becomes a frozen feature extractor
// with a new output layer, trained on 500 images of digits 5-9; beside it the same network trained
// from scratch on those 500 images. Run:
//   pnpm --filter @dl4ts/examples transfer -- [--backend auto|native|wasm|cpu] [--epochs 2] [--limit n] [--few 500]
//     [--few-epochs 30] [--freeze flat] (the feature extractor: that layer and those below it are frozen)
import { Network, TransferLearning, evaluateClassifier } from '@dl4ts/core';
import type { NetworkConfig } from '@dl4ts/core';
import { byDigits, exampleArgs, mnist, percent, setUp } from './graph-example-support';

/** A small LeNet: two convolution and pooling stages (the features), a dense layer and the classes. */
export const BASE: NetworkConfig = {
  seed: 3,
  input: 784,
  defaults: { weightInit: 'relu', activation: 'relu', updater: { type: 'updaters/adam', learningRate: 1e-3 } },
  layers: [
    { type: 'cnn/reshape', name: 'image', shape: [28, 28, 1] },
    { type: 'cnn/convolution2d', name: 'conv1', nOut: 20, kernelSize: 5 },
    { type: 'cnn/subsampling2d', name: 'pool1', poolingType: 'max', kernelSize: 2, stride: 2 },
    { type: 'cnn/convolution2d', name: 'conv2', nOut: 50, kernelSize: 5 },
    { type: 'cnn/subsampling2d', name: 'pool2', poolingType: 'max', kernelSize: 2, stride: 2 },
    { type: 'cnn/flatten', name: 'flat' },
    { type: 'layers/dense', name: 'features', nOut: 256 },
    { type: 'layers/output', name: 'classes', nOut: 5, activation: 'softmax', loss: 'mcxent', weightInit: 'xavier' },
  ],
};

const args = exampleArgs(2, ['few', 'few-epochs', 'freeze']);
const few = Number(args.extra.few ?? 500);
const fewEpochs = Number(args.extra['few-epochs'] ?? 30);
const registry = await setUp(args.backend);
const { train, test } = await mnist(args);
const [lowTrain, highTrain, lowTest, highTest] = [
  await byDigits(train, [0, 1, 2, 3, 4]),
  await byDigits(train, [5, 6, 7, 8, 9], few),
  await byDigits(test, [0, 1, 2, 3, 4]),
  await byDigits(test, [5, 6, 7, 8, 9]),
];
[train, test].forEach((d) => d.dispose());

const base = new Network(BASE, { registry }).init();
await base.fit(lowTrain, { epochs: args.epochs, batchSize: args.batch });
console.log(`base network on digits 0-4 (${lowTrain.size} images, ${args.epochs} epochs): test accuracy ${percent((await evaluateClassifier(base, lowTest)).accuracy())}`);

// The convolutional features frozen; the dense layer (copied) and a fresh output layer for digits 5-9 train.
const transferred = new TransferLearning(base).fineTune({ seed: 11 }).setFeatureExtractor(args.extra.freeze ?? 'flat').nOutReplace('classes', 5).build();
const scratch = new Network({ ...BASE, seed: 11 }, { registry }).init();
for (const [name, net] of [['transferred (frozen features, new output layer)', transferred], ['from scratch', scratch]] as const) {
  await net.fit(highTrain, { epochs: fewEpochs, batchSize: 50 });
  console.log(`${name}: ${highTrain.size} images of digits 5-9, ${fewEpochs} epochs: test accuracy on digits 5-9 ${percent((await evaluateClassifier(net, highTest)).accuracy())}`);
}
[lowTrain, highTrain, lowTest, highTest, base, transferred, scratch].forEach((d) => d.dispose());
