// A multi-task network on MNIST as a ComputationGraph: one trunk, two heads with their own losses,
// the digit (softmax, multi-class cross-entropy) and whether it is odd (sigmoid, binary
// cross-entropy, half the weight). Run:
//   pnpm --filter @dl4ts/examples multitask -- [--backend auto|native|wasm|cpu] [--epochs 10] [--limit n]
import * as tf from '@tensorflow/tfjs-core';
import { ComputationGraph, MultiDataSet } from '@dl4ts/core';
import type { DataSet, GraphConfig } from '@dl4ts/core';
import { digitsOf, epochReporter, exampleArgs, mnist, percent, setUp } from './graph-example-support';

export const MULTITASK: GraphConfig = {
  seed: 7,
  inputs: { pixels: 784 },
  defaults: { weightInit: 'relu', activation: 'relu', updater: { type: 'updaters/adam', learningRate: 1e-3 } },
  vertices: [
    { name: 'trunk1', type: 'layers/dense', nOut: 512, inputs: ['pixels'] },
    { name: 'trunk2', type: 'layers/dense', nOut: 256, inputs: ['trunk1'] },
    { name: 'digit', type: 'layers/output', nOut: 10, activation: 'softmax', loss: 'mcxent', weightInit: 'xavier', inputs: ['trunk2'] },
    { name: 'odd', type: 'layers/output', nOut: 1, activation: 'sigmoid', loss: 'xent', weightInit: 'xavier', inputs: ['trunk2'] },
  ],
  outputs: ['digit', 'odd'],
  lossWeights: { odd: 0.5 },
};

/** The images with two label arrays: the digit one-hot, and 1 for an odd digit. */
async function withParity(data: DataSet): Promise<MultiDataSet> {
  const odd = (await digitsOf(data)).map((d) => d % 2);
  return MultiDataSet.adopt({ features: [tf.clone(data.features)], labels: [tf.clone(data.labels), tf.tensor2d(odd, [odd.length, 1])] });
}

const args = exampleArgs(10);
const registry = await setUp(args.backend);
const { train: trainImages, test: testImages } = await mnist(args);
const [train, test] = [await withParity(trainImages), await withParity(testImages)];
[trainImages, testImages].forEach((d) => d.dispose());
const graph = new ComputationGraph(MULTITASK, { registry }).init();
console.log(graph.summary());
const report = async (): Promise<string> => {
  const evaluations = await graph.evaluate(test, { batchSize: 1000 });
  return `digit accuracy ${percent(evaluations.digit?.accuracy() ?? Number.NaN)}, odd/even accuracy ${percent(evaluations.odd?.accuracy() ?? Number.NaN)}`;
};
await graph.fit(train, { epochs: args.epochs, batchSize: args.batch, listeners: [epochReporter(args.epochs, report)] });
console.log(`multi-task: ${await report()} after ${graph.epoch} epochs`);
[train, test, graph].forEach((d) => d.dispose());
