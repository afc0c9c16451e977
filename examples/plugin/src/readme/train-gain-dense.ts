import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { DataSet, Network, Registry, Rng, selectBackend } from '@dl4ts/core';
import { loadModel, saveModel } from '@dl4ts/core/node';
import { cpuBackend } from '@dl4ts/backend-cpu';
import { registerLayers } from '@dl4ts/layers';
import { registerLosses } from '@dl4ts/losses';
import { registerUpdaters } from '@dl4ts/updaters';
import { gainDenseDefinition } from './gain-dense.js';

await selectBackend(['cpu'], [cpuBackend()]);
const registry = new Registry();
registerLayers(registry);
registerLosses(registry);
registerUpdaters(registry);
registry.register(gainDenseDefinition); // a plugin layer is registered like any other

// y = sin(2 x0) + x1 / 2 on 256 seeded points in [-1, 1]^2.
const rng = new Rng(5);
const x = Array.from({ length: 256 }, () => [rng.uniformRange(-1, 1), rng.uniformRange(-1, 1)]);
const y = x.map(([a = 0, b = 0]) => [Math.sin(2 * a) + b / 2]);
const data = DataSet.from(x, y);

const net = new Network(
  {
    seed: 1,
    input: 2,
    defaults: { updater: { type: 'updaters/adam', learningRate: 0.02 } },
    layers: [
      { type: 'my-plugin/gain-dense', nOut: 16, activation: 'tanh', gainInit: 0.5 },
      { type: 'layers/output', nOut: 1, activation: 'identity', loss: 'mse' },
    ],
  },
  { registry },
).init();
const { meanScores } = await net.fit(data, { epochs: 60, batchSize: 32 });

// Saved and loaded like a built-in layer: the loader needs the same registry.
const path = join(process.env.MODEL_DIR ?? mkdtempSync(join(tmpdir(), 'gain-dense-')), 'gain-dense.safetensors');
await saveModel(net, path);
const { network: loaded } = await loadModel(path, { registry });
const before = net.output(data.features);
const after = loaded.output(data.features);
const predictions = await before.data();
const same = tf.util.arraysEqual(predictions, await after.data());
console.log(JSON.stringify({ first: meanScores[0], last: meanScores.at(-1), path, same, predictions: Array.from(predictions.slice(0, 8)) }));
tf.dispose([before, after]);
data.dispose();
net.dispose();
loaded.dispose();
