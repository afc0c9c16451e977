import * as tf from '@tensorflow/tfjs-core';
import { DataSet, Evaluation, Network, Registry, Rng } from '@dl4ts/core';
import type { NetworkConfig } from '@dl4ts/core';
import { registerLayers } from '@dl4ts/layers';
import { registerLosses } from '@dl4ts/losses';
import { registerUpdaters } from '@dl4ts/updaters';

/** A generated classification problem: Gaussian blobs around seeded centres. */
export interface Blobs {
  readonly features: Float32Array;
  readonly labels: Float32Array;
  readonly n: number;
  readonly numFeatures: number;
  readonly numClasses: number;
}

/** `n` points in `numFeatures` dimensions, `numClasses` blobs of standard deviation `spread`. */
export function generateBlobs(options: { n: number; numFeatures: number; numClasses: number; spread?: number; seed: number }): Blobs {
  const { n, numFeatures, numClasses, seed } = options;
  const spread = options.spread ?? 1;
  const rng = new Rng(seed);
  const centres = Array.from({ length: numClasses }, () => Array.from({ length: numFeatures }, () => rng.uniformRange(-3, 3)));
  const features = new Float32Array(n * numFeatures);
  const labels = new Float32Array(n * numClasses);
  for (let i = 0; i < n; i++) {
    const c = i % numClasses;
    const centre = centres[c] as number[];
    for (let j = 0; j < numFeatures; j++) features[i * numFeatures + j] = (centre[j] as number) + spread * rng.normal();
    labels[i * numClasses + c] = 1;
  }
  return { features, labels, n, numFeatures, numClasses };
}

/** Softmax regression as data: one output layer, softmax, cross-entropy, plain SGD. */
export function softmaxRegressionConfig(numFeatures: number, numClasses: number, seed: number): NetworkConfig {
  return {
    seed,
    input: numFeatures,
    defaults: { weightInit: 'xavier', updater: { type: 'updaters/sgd', learningRate: 0.1 } },
    layers: [{ type: 'layers/output', nOut: numClasses, activation: 'softmax', loss: 'mcxent' }],
  };
}

/** What a training run learned. */
export interface SoftmaxRegressionResult {
  readonly trainAccuracy: number;
  readonly testAccuracy: number;
  readonly meanScores: number[];
  /** Learned weights `W` [features, classes] row-major, then biases `b`. */
  readonly weights: Float32Array;
  readonly biases: Float32Array;
  readonly confusion: string;
}

/**
 * Trains softmax regression on generated blobs on the active tfjs backend.
 * Leaves no tensor behind.
 */
export async function trainSoftmaxRegression(options: { seed?: number; epochs?: number; batchSize?: number } = {}): Promise<SoftmaxRegressionResult> {
  const seed = options.seed ?? 42;
  const numFeatures = 4;
  const numClasses = 3;
  const train = generateBlobs({ n: 600, numFeatures, numClasses, seed, spread: 1 });
  const test = generateBlobs({ n: 300, numFeatures, numClasses, seed, spread: 1 });
  const registry = new Registry();
  registerLayers(registry);
  registerLosses(registry);
  registerUpdaters(registry);
  const net = new Network(softmaxRegressionConfig(numFeatures, numClasses, seed), { registry }).init();
  const trainData = DataSet.from(train.features, train.labels, { features: [train.n, numFeatures], labels: [train.n, numClasses] });
  const testData = DataSet.from(test.features, test.labels, { features: [test.n, numFeatures], labels: [test.n, numClasses] });
  try {
    const { meanScores } = await net.fit(trainData, { epochs: options.epochs ?? 20, batchSize: options.batchSize ?? 32 });
    const accuracy = async (data: DataSet) => {
      const output = net.output(data.features);
      const evaluation = await new Evaluation(numClasses).eval(data.labels, output);
      output.dispose();
      return evaluation;
    };
    const trainEval = await accuracy(trainData);
    const testEval = await accuracy(testData);
    const [W, b] = [net.getParam('output_0/W'), net.getParam('output_0/b')];
    const weights = (await W.data()) as Float32Array;
    const biases = (await b.data()) as Float32Array;
    tf.dispose([W, b]);
    return { trainAccuracy: trainEval.accuracy(), testAccuracy: testEval.accuracy(), meanScores, weights, biases, confusion: testEval.confusionTable() };
  } finally {
    trainData.dispose();
    testData.dispose();
    net.dispose();
  }
}
