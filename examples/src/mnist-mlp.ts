// An MLP on MNIST in about 30 lines: pnpm --filter @dl4ts/examples mnist -- <dir with the IDX files>
import { Evaluation, Network, Registry, selectBackend } from '@dl4ts/core';
import { loadMnist } from '@dl4ts/core/node';
import { cpuBackend } from '@dl4ts/backend-cpu';
import { wasmBackend } from '@dl4ts/backend-wasm';
import { registerLayers } from '@dl4ts/layers';
import { registerLosses } from '@dl4ts/losses';
import { registerUpdaters } from '@dl4ts/updaters';

const dir = process.argv[2] ?? process.env.DL4TS_DATA ?? '../shared/data/mnist';
const backend = await selectBackend(['wasm', 'cpu'], [wasmBackend(), cpuBackend()]);
const registry = registerUpdaters(registerLosses(registerLayers(new Registry())));

const train = await loadMnist(dir, { split: 'train', scale: true });
const test = await loadMnist(dir, { split: 'test', scale: true });

const net = new Network(
  {
    seed: 42,
    input: 784,
    defaults: { activation: 'relu', weightInit: 'relu', updater: { type: 'updaters/nesterovs', learningRate: 0.02 }, l2: 1e-4 },
    layers: [
      { type: 'layers/dense', nOut: 500 },
      { type: 'layers/dense', nOut: 250 },
      { type: 'layers/output', nOut: 10, activation: 'softmax', loss: 'mcxent', weightInit: 'xavier' },
    ],
  },
  { registry },
).init();

await net.fit(train, { epochs: 3, batchSize: 128, listeners: [{ onEpochEnd: (e) => console.log(`epoch ${e.epoch}: loss ${e.meanScore.toFixed(4)}`) }] });
const evaluation = await new Evaluation(10).eval(test.labels, net.output(test.features));
console.log(`${backend.name}: test accuracy ${(100 * evaluation.accuracy()).toFixed(2)}%`);
console.log(evaluation.confusionTable());
