#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { DataSet, Evaluation, EvaluativeListener, Network, Registry, selectBackend } from '@dl4ts/core';
import type { TrainingListener } from '@dl4ts/core';
import type { NetworkConfig } from '@dl4ts/core';
import { loadMnist } from '@dl4ts/core/node';
import { cpuBackend } from '@dl4ts/backend-cpu';
import { cudaBackend } from '@dl4ts/backend-gpu';
import { nativeBackend } from '@dl4ts/backend-native';
import { wasmBackend } from '@dl4ts/backend-wasm';
import { registerLayers } from '@dl4ts/layers';
import { registerLosses } from '@dl4ts/losses';
import { registerUpdaters } from '@dl4ts/updaters';
import { ChartListener, ProgressBarListener } from '@dl4ts/monitor';
import { MemoryStatsStorage, StatsListener, startUi } from '@dl4ts/ui';
import { syntheticDigits } from './synthetic-digits';

const HELP = `dl4ts: trains a multilayer perceptron on MNIST (or on generated digits when MNIST is absent)
and prints test accuracy, the confusion matrix, throughput and the backend used.

Usage: pnpm start [-- options]
  --data <dir>                   folder with the MNIST IDX files (gzipped or raw); default $DL4TS_DATA
  --backend <auto|native|gpu|wasm|cpu>  default auto: native, then gpu, wasm, cpu
  --epochs <n>                   default 3
  --hidden <a,b,...>             hidden layer sizes, default 256,128
  --batch <n>                    default 128
  --limit <n>                    use only the first n training examples
  --seed <n>                     default 42
  --chart <file.html>            write a chart of loss and test accuracy, updated every epoch
  --ui                           open the live training dashboard (@dl4ts/ui) at a printed URL; it stays up after training until Ctrl-C
  --ui-port <n>                  the dashboard's port, default 9000 (0: any free one)
  --threads <n>                  native: BLAS and loop threads (default: the cores); wasm: XNNPACK threads (1-8; default 1)
  -h, --help`;

function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, received "${value}"`);
  return n;
}

function mlpConfig(hidden: number[], seed: number): NetworkConfig {
  return {
    seed,
    input: 784,
    defaults: { activation: 'relu', weightInit: 'relu', updater: { type: 'updaters/nesterovs', learningRate: 0.02, momentum: 0.9 }, l2: 1e-4 },
    layers: [
      ...hidden.map((nOut) => ({ type: 'layers/dense' as const, nOut })),
      { type: 'layers/output', nOut: 10, activation: 'softmax', loss: 'mcxent', weightInit: 'xavier' },
    ],
  };
}

async function loadData(dir: string | undefined, limit: number | undefined): Promise<{ train: DataSet; test: DataSet; source: string }> {
  if (dir !== undefined) {
    const found = ['train-images-idx3-ubyte.gz', 'train-images-idx3-ubyte'].some((f) => existsSync(join(dir, f)));
    if (!found) throw new Error(`No MNIST IDX files in "${dir}" (expected train-images-idx3-ubyte[.gz] and the three others)`);
    const train = await loadMnist(dir, { split: 'train', scale: true, limit });
    const test = await loadMnist(dir, { split: 'test', scale: true });
    return { train, test, source: `MNIST from ${dir}` };
  }
  const n = limit ?? 12000;
  const train = syntheticDigits(n, 1);
  const test = syntheticDigits(2000, 2);
  return {
    train: DataSet.from(train.features, train.labels, { features: [n, 784], labels: [n, 10] }),
    test: DataSet.from(test.features, test.labels, { features: [2000, 784], labels: [2000, 10] }),
    source: 'GENERATED digits (MNIST not found: pass --data DIR or set DL4TS_DATA to use the real data set)',
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    // `pnpm start -- --epochs 5` hands the script literal `--` separators; they separate nothing here.
    args: process.argv.slice(2).filter((arg) => arg !== '--'),
    options: {
      data: { type: 'string' },
      backend: { type: 'string', default: 'auto' },
      epochs: { type: 'string', default: '3' },
      hidden: { type: 'string', default: '256,128' },
      batch: { type: 'string', default: '128' },
      limit: { type: 'string' },
      seed: { type: 'string', default: '42' },
      chart: { type: 'string' },
      ui: { type: 'boolean', default: false },
      'ui-port': { type: 'string', default: '9000' },
      threads: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const epochs = positiveInt('epochs', values.epochs) as number;
  const batchSize = positiveInt('batch', values.batch) as number;
  const limit = positiveInt('limit', values.limit);
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, received "${values.seed}"`);
  const hidden = (values.hidden as string).split(',').map((s) => positiveInt('hidden', s.trim()) as number);

  const preference = values.backend === 'auto' ? ['native', 'gpu', 'wasm', 'cpu'] : [values.backend as string];
  const threads = positiveInt('threads', values.threads);
  const chosen = await selectBackend(preference, [nativeBackend(threads === undefined ? {} : { threads }), cudaBackend(), wasmBackend(threads === undefined ? {} : { threads }), cpuBackend()]);
  console.log(`backend: ${chosen.name} (tfjs "${chosen.tfjsName}")${chosen.detail === undefined ? '' : `: ${chosen.detail}`}`);
  for (const skip of chosen.skipped) console.log(`  skipped ${skip.name}: ${skip.reason.split('\n')[0]}`);

  // Paths given on the command line are the user's: relative to where pnpm was run (INIT_CWD), not
  // to this package's folder, where pnpm runs the script.
  const fromUser = (path: string) => resolve(process.env.INIT_CWD ?? process.cwd(), path);
  const { train, test, source } = await loadData(values.data === undefined ? process.env.DL4TS_DATA : fromUser(values.data), limit);
  console.log(`data: ${source}; ${train.size} training and ${test.size} test examples\n`);

  const registry = new Registry();
  registerLayers(registry);
  registerLosses(registry);
  registerUpdaters(registry);
  const net = new Network(mlpConfig(hidden, seed), { registry }).init();
  console.log(net.summary() + '\n');

  let examplesTrained = 0;
  const listeners: TrainingListener[] = [
    new ProgressBarListener(), // quiet when stderr is not a terminal, or in CI
    { onIterationEnd: ({ examples }) => void (examplesTrained += examples) },
    new EvaluativeListener({
      data: test,
      onEvaluation: ({ epoch, evaluation }) => console.log(`  epoch ${epoch}: test accuracy ${(100 * evaluation.accuracy()).toFixed(2)}%`),
    }),
  ];
  if (values.chart !== undefined) {
    listeners.push(new ChartListener({ path: fromUser(values.chart), title: `dl4ts MNIST MLP (${hidden.join('-')})`, validation: test }));
    console.log(`chart: ${fromUser(values.chart)} (open it in a browser)`);
  }
  const dashboard = values.ui ? await openDashboard(Number(values['ui-port']), listeners, `dl4ts MNIST MLP (${hidden.join('-')})`, test) : undefined;
  const started = performance.now();
  const { meanScores } = await net.fit(train, { epochs, batchSize, listeners });
  console.log(`  training loss per epoch: ${meanScores.map((s) => s.toFixed(4)).join(', ')}`);
  const seconds = (performance.now() - started) / 1000;

  const output = net.output(test.features);
  const evaluation = await new Evaluation(10).eval(test.labels, output);
  output.dispose();
  console.log(`\ntest accuracy: ${(100 * evaluation.accuracy()).toFixed(2)}%`);
  console.log(`throughput: ${(examplesTrained / seconds).toFixed(0)} examples/s (training incl. per-epoch evaluation) on ${chosen.name}`);
  console.log(`\nconfusion matrix (test):\n${evaluation.confusionTable()}`);
  net.dispose();
  train.dispose();
  test.dispose();
  if (dashboard !== undefined) {
    console.log(`\ntraining done; the dashboard stays at ${dashboard.url} until Ctrl-C`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await dashboard.close();
    dashboard.probe.dispose();
  }
  if (tf.memory().numTensors !== 0) console.warn(`note: ${tf.memory().numTensors} tensors still allocated`);
}

/** Starts the dashboard over an in-memory storage and adds its listener (probe: 256 test images; validation: the test set). */
async function openDashboard(port: number, listeners: TrainingListener[], title: string, test: DataSet): Promise<{ url: string; probe: tf.Tensor; close(): Promise<void> }> {
  const storage = new MemoryStatsStorage();
  const ui = await startUi({ port, storages: [storage] });
  const probe = tf.slice(test.features, [0, 0], [Math.min(256, test.size), -1]);
  listeners.push(new StatsListener(storage, { title, probe, validation: test }));
  console.log(`dashboard: ${ui.url}`);
  return { url: ui.url, probe, close: () => ui.close() };
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
  process.exitCode = 1;
});
