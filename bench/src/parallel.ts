// Data-parallel training bench (@dl4ts/parallel): the MNIST MLP (784-500-250-10, the accuracy
// bench's config) trained on wasm workers by parameter averaging, for each worker count asked,
// beside a plain `fit` on this thread in the same process (the anchor). Reports samples/s, the
// ratio to the 1-worker and the plain runs, and test accuracy after the same epochs.
//
//   pnpm --filter @dl4ts/bench run bench:parallel -- --epochs 3 --workers 1,2
//
// Throughput means something only on an otherwise idle machine: each worker needs a core.
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { Network, evaluateClassifier, selectBackend } from '@dl4ts/core';
import type { DataSet } from '@dl4ts/core';
import { loadMnist } from '@dl4ts/core/node';
import { wasmBackend } from '@dl4ts/backend-wasm';
import { ParallelTrainer } from '@dl4ts/parallel';
import { nodeWorkers } from '@dl4ts/parallel/node';
import { mnistDir } from './data';
import { builtInRegistry, mlpConfig, mlpNetwork } from './mlp-models';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    epochs: { type: 'string', default: '3' },
    limit: { type: 'string', default: '60000' },
    'test-limit': { type: 'string', default: '10000' },
    batch: { type: 'string', default: '64' },
    workers: { type: 'string', default: '1,2' },
    frequency: { type: 'string', default: '5' },
    seed: { type: 'string', default: '42' },
    'no-plain': { type: 'boolean', default: false },
    // The linear scaling rule: N workers averaging every step take one N-times larger step.
    'scale-lr': { type: 'boolean', default: false },
  },
  allowPositionals: true,
});

const epochs = Number(values.epochs);
const batchSize = Number(values.batch);
const frequency = Number(values.frequency);
const seed = Number(values.seed);
const workerCounts = (values.workers ?? '1,2').split(',').map(Number);

interface Row {
  readonly run: string;
  readonly seconds: number;
  readonly samplesPerSecond: number;
  readonly accuracy: number;
  readonly startSeconds?: number;
}

/** The bench MLP, its learning rate multiplied by `scale`. */
function scaledNetwork(scale: number): Network {
  const config = mlpConfig(seed);
  const updater = { type: 'updaters/nesterovs', learningRate: 0.02, momentum: 0.9 } as const;
  if (JSON.stringify(config.defaults?.updater) !== JSON.stringify(updater)) throw new Error('bench:parallel: mlpConfig changed its updater; update scaledNetwork');
  return new Network({ ...config, defaults: { ...config.defaults, updater: { ...updater, learningRate: updater.learningRate * scale } } }, { registry: builtInRegistry() }).init();
}

async function accuracy(net: Network, test: DataSet): Promise<number> {
  return (await evaluateClassifier(net, test)).accuracy();
}

async function main(): Promise<void> {
  const dir = values.data ?? mnistDir();
  if (dir === undefined) {
    console.log('bench:parallel: no MNIST found (pass --data DIR or set DL4TS_DATA); skipped');
    return;
  }
  const chosen = await selectBackend('wasm', [wasmBackend()]);
  const train = await loadMnist(dir, { split: 'train', scale: true, limit: Number(values.limit) });
  const test = await loadMnist(dir, { split: 'test', scale: true, limit: Number(values['test-limit']) });
  const samples = train.size * epochs;
  console.log(
    `MNIST MLP 784-500-250-10, ${train.size} training and ${test.size} test examples, ${epochs} epoch(s), batch ${batchSize}, averaging every ${frequency}${values['scale-lr'] === true ? ', learning rate x workers' : ''}; main thread ${chosen.name}, workers wasm`,
  );
  const rows: Row[] = [];

  for (const workers of workerCounts) {
    const net = values['scale-lr'] === true ? scaledNetwork(workers) : mlpNetwork(seed);
    const trainer = new ParallelTrainer(net, { transport: nodeWorkers(), workers, averagingFrequency: frequency, backend: 'wasm' });
    try {
      const s0 = performance.now();
      await trainer.start();
      const startSeconds = (performance.now() - s0) / 1000;
      const before = tf.memory().numTensors;
      const t0 = performance.now();
      await trainer.fit(train, { epochs, batchSize });
      const seconds = (performance.now() - t0) / 1000;
      if (tf.memory().numTensors !== before) throw new Error(`bench:parallel: ${tf.memory().numTensors - before} tensors leaked on the main thread`);
      rows.push({ run: `${workers} worker(s)`, seconds, samplesPerSecond: samples / seconds, accuracy: await accuracy(net, test), startSeconds });
    } finally {
      await trainer.close();
      net.dispose();
    }
  }
  // The anchor runs last, so it does not pay this process's warm-up (wasm compilation, JIT).
  if (values['no-plain'] !== true) {
    const net = mlpNetwork(seed);
    const t0 = performance.now();
    await net.fit(train, { epochs, batchSize });
    const seconds = (performance.now() - t0) / 1000;
    rows.push({ run: 'plain fit (this thread)', seconds, samplesPerSecond: samples / seconds, accuracy: await accuracy(net, test) });
    net.dispose();
  }
  const plain = rows.find((r) => r.run.startsWith('plain'));
  const one = rows.find((r) => r.run === '1 worker(s)');
  console.log('\nrun                       s      samples/s  vs 1 worker  vs plain  test acc  start s');
  for (const r of rows) {
    const ratio = (anchor: Row | undefined) => (anchor === undefined ? '     -' : `${(r.samplesPerSecond / anchor.samplesPerSecond).toFixed(2)}x`.padStart(6));
    console.log(
      `${r.run.padEnd(24)} ${r.seconds.toFixed(1).padStart(6)} ${r.samplesPerSecond.toFixed(0).padStart(10)}  ${ratio(one).padStart(11)}  ${ratio(plain).padStart(8)}  ${(100 * r.accuracy).toFixed(2).padStart(7)}%  ${r.startSeconds === undefined ? '      -' : r.startSeconds.toFixed(1).padStart(7)}`,
    );
  }
  console.log(JSON.stringify({ bench: 'parallel', backend: 'wasm', examples: train.size, epochs, batchSize, frequency, rows }));
  train.dispose();
  test.dispose();
}

await main();
