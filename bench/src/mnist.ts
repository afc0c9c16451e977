// MNIST benchmarks on the wasm backend: accuracy of two reference configs and training throughput
// of dl4ts beside tfjs-layers' model.fit on the same architecture, in the same process.
//
//   pnpm bench -- --case accuracy|dl4j|updaters|speed|all [--data DIR] [--out FILE] [--speed-samples N] [--rounds R]
//                 [--backend wasm|webgpu|cpu[,...]]
//
// --backend: the speed case runs on each backend listed, one after the other in this process (the
// others run on the first); each backend's anchor is tfjs-layers on that backend.
//
// Data: --data DIR, else DL4TS_DATA, else ../shared/data/mnist from the repository root.
import { existsSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { Evaluation, Network, selectBackend } from '@dl4ts/core';
import { DataSet } from '@dl4ts/core';
import type { ComponentRef, NetworkConfig } from '@dl4ts/core';
import { loadMnist } from '@dl4ts/core/node';
import { installWasmKernelFixes, wasmBackend } from '@dl4ts/backend-wasm';
import { cpuBackend } from '@dl4ts/backend-cpu';
import { webgpuBackend } from '@dl4ts/backend-gpu';
import { builtInRegistry, mlpConfig, mlpTfjsLayers } from './mlp-models';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    case: { type: 'string', default: 'all' },
    data: { type: 'string' },
    out: { type: 'string', default: join(here, '..', 'results', 'mnist.md') },
    'speed-samples': { type: 'string', default: '6400' },
    rounds: { type: 'string', default: '5' },
    backend: { type: 'string', default: 'wasm' },
  },
});

const dataDir = values.data ?? process.env.DL4TS_DATA ?? resolve(here, '../../../shared/data/mnist');
if (!existsSync(join(dataDir, 'train-images-idx3-ubyte.gz')) && !existsSync(join(dataDir, 'train-images-idx3-ubyte'))) {
  console.error(`MNIST not found in ${dataDir}: pass --data DIR or set DL4TS_DATA (the IDX files, gzipped or raw).`);
  process.exit(2);
}

const registry = builtInRegistry();

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

/** A model under timing: trains one epoch over the data it was given. */
interface Contender {
  readonly name: string;
  /** Whether it runs on tfjs-backend-wasm's stock kernels rather than dl4ts's kernel fixes. */
  readonly stockKernels: boolean;
  epoch(): Promise<void>;
  dispose(): void;
}

function dl4tsContender(name: string, stockKernels: boolean, x: tf.Tensor, y: tf.Tensor): Contender {
  const net = new Network(mlpConfig(1), { registry }).init();
  const data = DataSet.adopt(tf.clone(x) as tf.Tensor2D, tf.clone(y) as tf.Tensor2D);
  return {
    name,
    stockKernels,
    epoch: async () => {
      const before = tf.memory().numTensors;
      await net.fit(data, { epochs: 1, batchSize: 128 });
      if (tf.memory().numTensors !== before) throw new Error(`dl4ts leaked ${tf.memory().numTensors - before} tensors in one epoch`);
    },
    dispose: () => {
      data.dispose();
      net.dispose();
    },
  };
}

/** tfjs-layers on the same architecture, initialisation, optimiser and L2 penalty (Keras' l2 = DL4J's l2 / 2). */
function tfjsLayersContender(name: string, stockKernels: boolean, x: tf.Tensor, y: tf.Tensor): Contender {
  const model = mlpTfjsLayers();
  return {
    name,
    stockKernels,
    epoch: async () => {
      await model.fit(x, y, { epochs: 1, batchSize: 128, shuffle: true, verbose: 0 });
    },
    dispose: () => model.dispose(),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * Throughput of dl4ts and tfjs-layers, each on dl4ts's wasm kernel fixes and on the stock kernels.
 * The contenders take turns, one epoch each per round, so that the machine's changing load falls on
 * all of them alike; the figure is the median over rounds, after one warm-up epoch each.
 */
async function speed(train: DataSet, samples: number, rounds: number): Promise<void> {
  // Copied through the host: slicing on the active backend would first move all 60,000 rows to it,
  // a buffer larger than WebGPU's binding limit (128 MiB under Mesa).
  const [features, labels] = await Promise.all([train.features.data(), train.labels.data()]);
  const [nx, ny] = [train.features.shape[1] as number, train.labels.shape[1] as number];
  const x = tf.tensor2d(features.subarray(0, samples * nx), [samples, nx]);
  const y = tf.tensor2d(labels.subarray(0, samples * ny), [samples, ny]);
  // The kernel fixes are wasm kernels; elsewhere the two contenders run on the backend's own.
  const wasm = tf.getBackend() === 'wasm';
  const kernels = wasm ? 'stock wasm kernels' : `${tf.getBackend()} backend`;
  const contenders = !wasm ? [tfjsLayersContender(`tfjs-layers model.fit, ${kernels} (anchor)`, false, x, y), dl4tsContender(`dl4ts Network.fit, ${kernels}`, false, x, y)] : [
    tfjsLayersContender('tfjs-layers model.fit, stock wasm kernels (anchor)', true, x, y),
    dl4tsContender('dl4ts Network.fit', false, x, y),
    tfjsLayersContender('tfjs-layers model.fit, with dl4ts kernel fixes', false, x, y),
    dl4tsContender('dl4ts Network.fit, stock wasm kernels', true, x, y),
  ];
  const rates = contenders.map((): number[] => []);
  for (let round = 0; round <= rounds; round++) {
    for (const [i, contender] of contenders.entries()) {
      const restore = wasm ? installWasmKernelFixes() : () => undefined;
      if (contender.stockKernels) restore();
      const started = performance.now();
      await contender.epoch();
      const rate = samples / ((performance.now() - started) / 1000);
      if (wasm) installWasmKernelFixes();
      if (round > 0) (rates[i] as number[]).push(rate); // round 0 warms up
      console.log(`  round ${round}${round === 0 ? ' (warm-up)' : ''}: ${contender.name}: ${rate.toFixed(0)} samples/s`);
    }
  }
  const anchor = median(rates[0] as number[]);
  report(`\n| 784-500-250-10, batch 128, Nesterov, L2 1e-4; median of ${rounds} interleaved epochs of ${samples} samples | samples/s | ratio to anchor | epochs (samples/s) |`);
  report('| --- | --- | --- | --- |');
  for (const [i, contender] of contenders.entries()) {
    const m = median(rates[i] as number[]);
    report(`| ${contender.name} | ${m.toFixed(0)} | ${(m / anchor).toFixed(2)}x | ${(rates[i] as number[]).map((r) => r.toFixed(0)).join(', ')} |`);
  }
  for (const contender of contenders) contender.dispose();
  tf.dispose([x, y]);
}

/** Each updater with the learning rate the bench uses (DL4J's defaults suit longer runs than 2 epochs). */
const UPDATER_CASES: { name: string; updater: ComponentRef<'updater'> }[] = [
  { name: 'SGD lr 0.1', updater: { type: 'updaters/sgd', learningRate: 0.1 } },
  { name: 'NESTEROVS lr 0.02, momentum 0.9', updater: { type: 'updaters/nesterovs', learningRate: 0.02, momentum: 0.9 } },
  { name: 'ADAM lr 1e-3 (default)', updater: { type: 'updaters/adam' } },
  { name: 'ADAMAX lr 2e-3', updater: { type: 'updaters/adamax', learningRate: 2e-3 } },
  { name: 'NADAM lr 1e-3 (default)', updater: { type: 'updaters/nadam' } },
  { name: 'AMSGRAD lr 1e-3 (default)', updater: { type: 'updaters/amsgrad' } },
  { name: 'ADAGRAD lr 0.01', updater: { type: 'updaters/adagrad', learningRate: 0.01 } },
  { name: 'ADADELTA (default: rho 0.95, eps 1e-6)', updater: { type: 'updaters/adadelta' } },
  { name: 'RMSPROP lr 1e-3', updater: { type: 'updaters/rmsprop', learningRate: 1e-3 } },
  { name: 'NONE (raw gradient as the update, step 1)', updater: { type: 'updaters/none' } },
];

/** 784-256-10 ReLU/softmax, MCXENT, with the given updater: 2 epochs on all 60,000 examples. */
async function updaters(train: DataSet, test: DataSet, epochs: number): Promise<void> {
  report(`| updater | test accuracy after ${epochs} epochs | train samples/s | tensors after each epoch |`);
  report('| --- | --- | --- | --- |');
  for (const { name, updater } of UPDATER_CASES) {
    const config: NetworkConfig = {
      seed: 7,
      input: 784,
      defaults: { activation: 'relu', weightInit: 'relu', updater },
      layers: [
        { type: 'layers/dense', nOut: 256 },
        { type: 'layers/output', nOut: 10, activation: 'softmax', loss: 'mcxent', weightInit: 'xavier' },
      ],
    };
    const net = new Network(config, { registry }).init();
    const counts: number[] = [];
    const started = performance.now();
    await net.fit(train, { epochs, batchSize: 128, listeners: [{ onEpochEnd: () => void counts.push(tf.memory().numTensors) }] });
    const rate = (train.size * epochs) / ((performance.now() - started) / 1000);
    const acc = await accuracy(net, test);
    report(`| ${name} | ${(100 * acc).toFixed(2)}% | ${rate.toFixed(0)} | ${counts.join(', ')} |`);
    net.dispose();
  }
}

async function main(): Promise<void> {
  const backends = (values.backend as string).split(',');
  const adapters = [wasmBackend(), webgpuBackend(), cpuBackend()];
  const chosen = await selectBackend(backends[0] as string, adapters);
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
  if (which === 'updaters' || which === 'all') await updaters(train, test, 2);
  if (which === 'speed' || which === 'all') {
    for (const [i, name] of backends.entries()) {
      if (i > 0) report(`\n### backend ${(await selectBackend(name, adapters)).name}`);
      await speed(train, Number(values['speed-samples']), Number(values.rounds));
    }
  }
  train.dispose();
  test.dispose();
  await mkdir(dirname(values.out as string), { recursive: true });
  await appendFile(values.out as string, lines.join('\n') + '\n');
  console.log(`\nappended to ${values.out}`);
}

await main();
