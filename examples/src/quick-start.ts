import * as tf from '@tensorflow/tfjs-core';
import { DataSet, Evaluation, Network, Registry, Rng, oneHot, selectBackend } from '@dl4ts/core';
import { cpuBackend } from '@dl4ts/backend-cpu';
import { wasmBackend } from '@dl4ts/backend-wasm';
import { registerLayers } from '@dl4ts/layers';
import { registerLosses } from '@dl4ts/losses';
import { registerUpdaters } from '@dl4ts/updaters';

const backend = await selectBackend(['wasm', 'cpu'], [wasmBackend(), cpuBackend()]);

const registry = new Registry();
registerLayers(registry); // explicit registration: importing a package registers nothing
registerLosses(registry);
registerUpdaters(registry);

// Three classes of 4 features each, 150 examples: class c is centred at c in every feature.
const rng = new Rng(7);
const classes = Array.from({ length: 150 }, (_, i) => i % 3);
const features = classes.map((c) => Array.from({ length: 4 }, () => c + 0.3 * rng.normal()));
const labels = oneHot(classes, 3); // one row per example, a 1 in its class's column

const net = new Network(
  {
    seed: 42,
    input: 4,
    defaults: { weightInit: 'xavier', updater: { type: 'updaters/nesterovs', learningRate: 0.05 } },
    layers: [
      { type: 'layers/dense', nOut: 16, activation: 'relu', weightInit: 'relu' },
      { type: 'layers/output', nOut: 3, activation: 'softmax', loss: 'mcxent' },
    ],
  },
  { registry },
).init();
console.log(net.summary());

const data = DataSet.from(features, labels); // number[][], typed arrays with shapes, or tensors
labels.dispose(); // DataSet.from copied it
await net.fit(data, { epochs: 30, batchSize: 32 });
const predictions = net.output(data.features); // a tensor the caller owns
const evaluation = await new Evaluation(3).eval(data.labels, predictions);
console.log(`${backend.name}: accuracy ${evaluation.accuracy()}`);
tf.dispose(predictions);
data.dispose();
net.dispose();
