// MNIST benchmarks on the wasm backend: accuracy of two reference configs and training throughput
// of dl4ts beside tfjs-layers' model.fit on the same architecture, in the same process.
//
//   pnpm bench -- --case accuracy|dl4j|speed|all [--data DIR] [--out FILE]
//
// Data: --data DIR, else DL4TS_DATA, else ../shared/data/mnist from the repository root.
import { existsSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { Evaluation, Network, Registry, selectBackend } from '@dl4ts/core';
import { DataSet } from '@dl4ts/core';
import type { NetworkConfig } from '@dl4ts/core';
import { loadMnist } from '@dl4ts/core/node';
import { wasmBackend } from '@dl4ts/backend-wasm';
import { registerLayers } from '@dl4ts/layers';
import { registerLosses } from '@dl4ts/losses';
import { registerUpdaters } from '@dl4ts/updaters';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    case: { type: 'string', default: 'all' },
    data: { type: 'string' },
    out: { type: 'string', default: join(here, '..', 'results', 'mnist.md') },
    'speed-samples': { type: 'string', default: '12800' },
  },
});

const dataDir = values.data ?? process.env.DL4TS_DATA ?? resolve(here, '../../../shared/data/mnist');
if (!existsSync(join(dataDir, 'train-images-idx3-ubyte.gz')) && !existsSync(join(dataDir, 'train-images-idx3-ubyte'))) {
  console.error(`MNIST not found in ${dataDir}: pass --data DIR or set DL4TS_DATA (the IDX files, gzipped or raw).`);
  process.exit(2);
}

const registry = new Registry();
registerLayers(registry);
registerLosses(registry);
registerUpdaters(registry);

/** 784-500-250-10 ReLU/softmax, MCXENT, Nesterov momentum, L2 1e-4. */
export function mlpConfig(seed: number): NetworkConfig {
  return {
    seed,
    input: 784,
    defaults: { activation: 'relu', weightInit: 'relu', updater: { type: 'updaters/nesterovs', learningRate: 0.02, momentum: 0.9 }, l2: 1e-4 },
    layers: [
      { type: 'layers/dense', nOut: 500 },
      { type: 'layers/dense', nOut: 250 },
      { type: 'layers/output', nOut: 10, activation: 'softmax', loss: 'mcxent', weightInit: 'xavier' },
    ],
  };
}

/** DL4J's MLPMnistSingleLayerExample: 784-1000-10, Nesterovs lr 0.006 momentum 0.9, L2 1e-4, XAVIER. */
export function dl4jSingleLayerConfig(seed: number): NetworkConfig {
  return {
    seed,
    input: 784,
    defaults: { weightInit: 'xavier', updater: { type: 'updaters/nesterovs', learningRate: 0.006, momentum: 0.9 }, l2: 1e-4 },
    layers: [
      { type: 'layers/dense', nOut: 1000, activation: 'relu' },
      { type: 'layers/output', nOut: 10, activation: 'softmax', loss: 'mcxent' },
    ],
  };
}

async function accuracy(net: Network, data: DataSet): Promise<number> {
  const output = net.output(data.features);
  const evaluation = await new Evaluation(10).eval(data.labels, output);
  output.dispose();
  return evaluation.accuracy();
}

const lines: string[] = [];
function report(line: string): void {
  console.log(line);
  lines.push(line);
}

async function trainForAccuracy(name: string, config: NetworkConfig, epochs: number, train: DataSet, test: DataSet): Promise<void> {
  const net = new Network(config, { registry }).init();
  const started = performance.now();
  const perEpoch: string[] = [];
  await net.fit(train, {
    epochs,
    batchSize: 128,
    listeners: [
      {
        onEpochEnd: async ({ epoch, meanScore }) => {
          const acc = await accuracy(net, test);
          perEpoch.push(`${epoch}: ${(100 * acc).toFixed(2)}%`);
          console.log(`  ${name} epoch ${epoch}: loss ${meanScore.toFixed(4)}, test accuracy ${(100 * acc).toFixed(2)}%, tensors ${tf.memory().numTensors}`);
        },
      },
    ],
  });
  const seconds = (performance.now() - started) / 1000;
  const final = await accuracy(net, test);
  report(`| ${name} | ${epochs} | ${(100 * final).toFixed(2)}% | ${((train.size * epochs) / seconds).toFixed(0)} | ${perEpoch.join(', ')} |`);
  net.dispose();
}

/** Samples per second of one epoch over `samples` examples, after one warm-up batch. */
async function dl4tsSpeed(train: DataSet, samples: number): Promise<number> {
  const net = new Network(mlpConfig(1), { registry }).init();
  const head = (rows: number) => DataSet.adopt(tf.slice(train.features, [0, 0], [rows, -1]), tf.slice(train.labels, [0, 0], [rows, -1]));
  const subset = head(samples);
  const warm = head(128);
  await net.fit(warm, { epochs: 1, batchSize: 128 });
  warm.dispose();
  const before = tf.memory().numTensors;
  const started = performance.now();
  await net.fit(subset, { epochs: 1, batchSize: 128 });
  const rate = samples / ((performance.now() - started) / 1000);
  if (tf.memory().numTensors !== before) console.warn(`dl4ts leaked ${tf.memory().numTensors - before} tensors`);
  subset.dispose();
  net.dispose();
  return rate;
}

async function tfjsLayersSpeed(train: DataSet, samples: number): Promise<number> {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [784], units: 500, activation: 'relu', kernelInitializer: 'heNormal' }),
      tfl.layers.dense({ units: 250, activation: 'relu', kernelInitializer: 'heNormal' }),
      tfl.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: 'glorotNormal' }),
    ],
  });
  model.compile({ optimizer: tf.train.momentum(0.02, 0.9, true), loss: 'categoricalCrossentropy' });
  const x = tf.slice(train.features, [0, 0], [samples, -1]);
  const y = tf.slice(train.labels, [0, 0], [samples, -1]);
  await model.fit(tf.slice(x, [0, 0], [128, -1]), tf.slice(y, [0, 0], [128, -1]), { epochs: 1, batchSize: 128, verbose: 0 });
  const started = performance.now();
  await model.fit(x, y, { epochs: 1, batchSize: 128, shuffle: true, verbose: 0 });
  const rate = samples / ((performance.now() - started) / 1000);
  tf.dispose([x, y]);
  model.dispose();
  return rate;
}

async function main(): Promise<void> {
  const chosen = await selectBackend('wasm', [wasmBackend()]);
  const train = await loadMnist(dataDir, { split: 'train', scale: true });
  const test = await loadMnist(dataDir, { split: 'test', scale: true });
  report(`\n## MNIST, backend ${chosen.name}, ${new Date().toISOString().slice(0, 10)}, node ${process.version}\n`);
  const which = values.case;
  if (which === 'accuracy' || which === 'dl4j' || which === 'all') {
    report('| config | epochs | test accuracy | train samples/s | accuracy per epoch |');
    report('| --- | --- | --- | --- | --- |');
    if (which !== 'dl4j') await trainForAccuracy('784-500-250-10 ReLU/softmax, Nesterovs 0.02/0.9, L2 1e-4, batch 128', mlpConfig(42), 10, train, test);
    if (which !== 'accuracy') await trainForAccuracy("DL4J single layer 784-1000-10 (DL4J reports 97.1%)", dl4jSingleLayerConfig(123), 15, train, test);
  }
  if (which === 'speed' || which === 'all') {
    const samples = Number(values['speed-samples']);
    const ours = await dl4tsSpeed(train, samples);
    const theirs = await tfjsLayersSpeed(train, samples);
    report('\n| 784-500-250-10, batch 128, one epoch of ' + samples + ' samples | samples/s | ratio |');
    report('| --- | --- | --- |');
    report(`| dl4ts Network.fit | ${ours.toFixed(0)} | ${(ours / theirs).toFixed(2)}x |`);
    report(`| tfjs-layers model.fit | ${theirs.toFixed(0)} | 1.00x |`);
  }
  train.dispose();
  test.dispose();
  await mkdir(dirname(values.out as string), { recursive: true });
  await appendFile(values.out as string, lines.join('\n') + '\n');
  console.log(`\nappended to ${values.out}`);
}

await main();
