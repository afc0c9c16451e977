// Pretraining benchmark on scikit-learn's 8x8 digits (the "RBM features for digit classification"
// comparison): logistic regression on the hidden means of a 100-unit binary RBM, against logistic
// regression on the raw pixels. Macro F1 on a held-out 20%.
//
//   node bench/dist/rbm.js [--data DIR] [--out FILE] [--rbm-epochs N] [--epochs N] [--seed S]
//
// Data: --data DIR, else ../shared/data/digits from the repository root.
import { readFileSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import { DataSet, Evaluation, Network, Registry, Rng, oneHot, selectBackend } from '@dl4ts/core';
import type { NetworkConfig } from '@dl4ts/core';
import { wasmBackend } from '@dl4ts/backend-wasm';
import { registerLayers } from '@dl4ts/layers';
import { registerLosses } from '@dl4ts/losses';
import { meanFreeEnergy, pretrain, pseudoLogLikelihood, reconstructionError, registerRbm, unlabeled } from '@dl4ts/rbm';
import { registerUpdaters } from '@dl4ts/updaters';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    out: { type: 'string', default: join(here, '..', 'results', 'rbm.md') },
    'rbm-epochs': { type: 'string', default: '20' },
    epochs: { type: 'string', default: '100' },
    seed: { type: 'string', default: '0' },
  },
});
const dataDir = values.data ?? resolve(here, '../../../shared/data/digits');

const registry = new Registry();
registerLayers(registry);
registerLosses(registry);
registerUpdaters(registry);
registerRbm(registry);

/** Pixels scaled from 0..16 to [0, 1] (read as probabilities by the binary RBM) and labels. */
function loadDigits(): { x: Float32Array; y: number[] } {
  const rows = gunzipSync(readFileSync(join(dataDir, 'digits.csv.gz'))).toString('ascii').trim().split('\n');
  const x = new Float32Array(rows.length * 64);
  const y: number[] = [];
  rows.forEach((line, r) => {
    const cols = line.split(',').map(Number);
    for (let c = 0; c < 64; c++) x[r * 64 + c] = (cols[c] as number) / 16;
    y.push(cols[64] as number);
  });
  return { x, y };
}

const output = { type: 'layers/output', name: 'out', nOut: 10, activation: 'softmax', loss: 'mcxent', weightInit: 'xavier', updater: { type: 'updaters/adam', learningRate: 0.01 } } as const;

function rbmConfig(seed: number): NetworkConfig {
  return {
    seed,
    input: 64,
    layers: [
      // sklearn's BernoulliRBM settings: 100 components, learning rate 0.06, minibatches of 10.
      { type: 'rbm/rbm', name: 'rbm', nOut: 100, k: 1, frozen: true, weightInit: { type: 'layers/distribution', distribution: { type: 'normal', std: 0.01 } }, updater: { type: 'updaters/sgd', learningRate: 0.06 } },
      output,
    ],
  };
}

const rawConfig = (seed: number): NetworkConfig => ({ seed, input: 64, layers: [output] });

async function macroF1(net: Network, test: DataSet): Promise<{ f1: number; accuracy: number }> {
  const out = net.output(test.features);
  const ev = await new Evaluation(10).eval(test.labels, out);
  out.dispose();
  return { f1: ev.f1('macro'), accuracy: ev.accuracy() };
}

const lines: string[] = [];
function report(line: string): void {
  console.log(line);
  lines.push(line);
}

async function main(): Promise<void> {
  const chosen = await selectBackend('wasm', [wasmBackend()]);
  const seed = Number(values.seed);
  const rbmEpochs = Number(values['rbm-epochs']);
  const epochs = Number(values.epochs);
  const { x, y } = loadDigits();
  const all = DataSet.adopt(tf.tensor2d(x, [y.length, 64]), oneHot(y, 10));
  const { train, test } = all.split(0.8, new Rng(seed));
  all.dispose();
  report(`\n## Digits 8x8, RBM features vs raw pixels, backend ${chosen.name}, ${new Date().toISOString().slice(0, 10)}, node ${process.version}\n`);
  report(`train ${train.size}, test ${test.size}; RBM 64-100 CD-1 (sampled hidden), SGD 0.06, batch 10, ${rbmEpochs} epochs; logistic regression: softmax output, Adam 0.01, batch 32, ${epochs} epochs\n`);
  report('| model | macro F1 | accuracy | time |');
  report('| --- | --- | --- | --- |');

  const raw = new Network(rawConfig(seed), { registry }).init();
  let started = performance.now();
  await raw.fit(train, { epochs, batchSize: 32 });
  const rawScore = await macroF1(raw, test);
  report(`| logistic regression on raw pixels | ${rawScore.f1.toFixed(4)} | ${(100 * rawScore.accuracy).toFixed(2)}% | ${((performance.now() - started) / 1000).toFixed(1)} s |`);
  raw.dispose();

  const net = new Network(rbmConfig(seed), { registry }).init();
  const unsup = unlabeled(train.features);
  started = performance.now();
  const before = await pseudoLogLikelihood(net, 'rbm', test.features);
  const scores = await pretrain(net, unsup, { epochs: rbmEpochs, batchSize: 10 });
  const pretrainSeconds = (performance.now() - started) / 1000;
  const monitors = {
    pll: await pseudoLogLikelihood(net, 'rbm', test.features),
    rec: await reconstructionError(net, 'rbm', test.features),
    feTrain: await meanFreeEnergy(net, 'rbm', train.features),
    feTest: await meanFreeEnergy(net, 'rbm', test.features),
  };
  started = performance.now();
  await net.fit(train, { epochs, batchSize: 32 }); // the RBM is frozen: only the output layer learns
  const rbmScore = await macroF1(net, test);
  report(`| RBM features (frozen) + logistic regression | ${rbmScore.f1.toFixed(4)} | ${(100 * rbmScore.accuracy).toFixed(2)}% | ${pretrainSeconds.toFixed(1)} s pretraining + ${((performance.now() - started) / 1000).toFixed(1)} s |`);
  report('');
  report(`RBM reconstruction error per epoch: ${(scores.rbm ?? []).map((s) => s.toFixed(3)).join(', ')}`);
  report(`test pseudo-log-likelihood ${before.toFixed(2)} -> ${monitors.pll.toFixed(2)}; test reconstruction error ${monitors.rec.toFixed(3)}; mean free energy train ${monitors.feTrain.toFixed(2)}, test ${monitors.feTest.toFixed(2)}`);
  unsup.dispose();
  net.dispose();
  train.dispose();
  test.dispose();
  await mkdir(dirname(values.out as string), { recursive: true });
  await appendFile(values.out as string, lines.join('\n') + '\n');
  console.log(`\nappended to ${values.out}`);
}

await main();
