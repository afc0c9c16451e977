// A deep belief net on MNIST: greedy CD-1 pretraining of a stack of RBMs, a backup of the
// pretrained net, fine-tuning of a copy loaded from that backup, and (with --autoencoder) the same
// stack unrolled into a deep autoencoder fine-tuned on reconstruction.
//
//   pnpm --filter @dl4ts/examples dbn -- [--data DIR] [--hidden 500,500,2000] [--limit 60000]
//        [--pretrain-epochs 10] [--epochs 10] [--backup FILE] [--autoencoder]
//
// The defaults (256-256 RBMs, 10,000 training images, 2 pretraining and 3 fine-tuning epochs) run
// in a minute or two; `--hidden 500,500,2000 --limit 60000` is Hinton, Osindero and Teh's net.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { DataSet, Evaluation, Network, Registry, selectBackend } from '@dl4ts/core';
import type { LayerConfig } from '@dl4ts/core';
import { loadMnist, loadModel, saveModel } from '@dl4ts/core/node';
import { cpuBackend } from '@dl4ts/backend-cpu';
import { wasmBackend } from '@dl4ts/backend-wasm';
import { registerLayers } from '@dl4ts/layers';
import { registerLosses } from '@dl4ts/losses';
import { meanFreeEnergy, pretrain, reconstructionError, registerRbm, unlabeled, unrollAutoencoder } from '@dl4ts/rbm';
import { registerUpdaters } from '@dl4ts/updaters';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    hidden: { type: 'string', default: '256,256' },
    limit: { type: 'string', default: '10000' },
    'pretrain-epochs': { type: 'string', default: '2' },
    epochs: { type: 'string', default: '3' },
    backup: { type: 'string' },
    autoencoder: { type: 'boolean', default: false },
  },
});
// Default: the shared data beside the repository (examples/dist -> ../../../shared).
const dir = values.data ?? process.env.DL4TS_DATA ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/data/mnist');
const hidden = (values.hidden as string).split(',').map(Number);
const batchSize = 100;

const backend = await selectBackend(['wasm', 'cpu'], [wasmBackend(), cpuBackend()]);
const registry = registerRbm(registerUpdaters(registerLosses(registerLayers(new Registry()))));
const train = await loadMnist(dir, { split: 'train', scale: true, limit: Number(values.limit) });
const test = await loadMnist(dir, { split: 'test', scale: true });
console.log(`${backend.name}: ${train.size} training images, RBMs 784-${hidden.join('-')}, then a softmax output`);

// Hinton's RBM settings: weights N(0, 0.01), learning rate 0.1, momentum 0.5 then 0.9, weight
// decay 2e-4. Momentum switches after the first epoch's minibatches (pretraining counts
// iterations, not epochs), and stays 0.9 for fine-tuning.
const switchAt = String(Math.ceil(train.size / batchSize));
const net = new Network(
  {
    seed: 7,
    input: 784,
    defaults: { updater: { type: 'updaters/nesterovs', learningRate: 0.1, momentum: { type: 'map', values: { '0': 0.5, [switchAt]: 0.9 } } } },
    layers: [
      ...hidden.map((nOut, i): LayerConfig => ({ type: 'rbm/rbm', name: `rbm${i + 1}`, nOut, weightDecay: 2e-4, weightInit: { type: 'layers/distribution', distribution: { type: 'normal', std: 0.01 } } })),
      { type: 'layers/output', name: 'out', nOut: 10, activation: 'softmax', loss: 'mcxent', weightInit: 'xavier' },
    ],
  },
  { registry },
).init();

// Monitors after each layer: reconstruction error on held-out images (should fall), and the mean
// free energy of training and held-out images (a widening gap, training lower, means overfitting).
const heldOut = tf.slice(test.features, [0, 0], [1000, 784]);
const seen = tf.slice(train.features, [0, 0], [1000, 784]);
const pixels = unlabeled(train.features);
let started = performance.now();
await pretrain(net, pixels, {
  epochs: Number(values['pretrain-epochs']),
  batchSize,
  onLayerEnd: async ({ layer, scores }) => {
    const rec = await reconstructionError(net, layer, heldOut);
    const gap = (await meanFreeEnergy(net, layer, heldOut)) - (await meanFreeEnergy(net, layer, seen));
    console.log(`${layer}: reconstruction error per epoch ${scores.map((s) => s.toFixed(2)).join(', ')}; held-out ${rec.toFixed(2)}; free energy gap held-out - train ${gap.toFixed(2)}`);
  },
});
pixels.dispose();
console.log(`pretraining: ${((performance.now() - started) / 1000).toFixed(0)} s`);

// The pretrained net is the product: back it up, then fine-tune copies loaded from the backup.
const backup = values.backup ?? join(await mkdtemp(join(tmpdir(), 'dl4ts-dbn-')), 'pretrained.safetensors');
await saveModel(net, backup);
console.log(`backup: ${backup}`);

async function testError(model: Network): Promise<string> {
  const out = model.output(test.features);
  const evaluation = await new Evaluation(10).eval(test.labels, out);
  out.dispose();
  return `${(100 * (1 - evaluation.accuracy())).toFixed(2)}%`;
}

const { network: copy } = await loadModel(backup, { registry });
started = performance.now();
await copy.fit(train, {
  epochs: Number(values.epochs),
  batchSize,
  listeners: [{ onEpochEnd: async (e) => console.log(`fine-tuning epoch ${e.epoch}: loss ${e.meanScore.toFixed(4)}, test error ${await testError(copy)}`) }],
});
console.log(`fine-tuning: ${((performance.now() - started) / 1000).toFixed(0)} s, test error ${await testError(copy)}`);
copy.dispose();

if (values.autoencoder) {
  // The same RBMs unrolled into 784-...-code-...-784, fine-tuned to reconstruct their input.
  const ae = unrollAutoencoder(net, { defaults: { updater: { type: 'updaters/adam', learningRate: 1e-3 } } });
  const sample = DataSet.adopt(tf.clone(heldOut) as tf.Tensor2D, tf.clone(heldOut) as tf.Tensor2D);
  const before = await ae.score(sample.features, sample.labels);
  await ae.fit({ features: train.features, labels: train.features }, { epochs: Number(values.epochs), batchSize });
  const after = await ae.score(sample.features, sample.labels);
  console.log(`deep autoencoder 784-${hidden.join('-')}-...-784: held-out cross-entropy per image ${before.toFixed(1)} after unrolling, ${after.toFixed(1)} after fine-tuning`);
  sample.dispose();
  ae.dispose();
}
tf.dispose([heldOut, seen]);
net.dispose();
train.dispose();
test.dispose();
