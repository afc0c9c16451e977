// Training across processes over Redis (@dl4ts/distributed): the MNIST MLP (784-500-250-10, the
// accuracy bench's config) trained by ParallelTrainer with 1 and 2 worker processes (dl4ts-worker)
// beside the in-process trainer (worker threads) with as many workers, all reading their own data
// (the MNIST data spec), in the same invocation. Reports samples/s, the ratio to the in-process
// run, bytes moved per averaging round, the time an averaging round adds, and test accuracy.
//
//   pnpm --filter @dl4ts/bench run bench:distributed -- --epochs 2 --workers 1,2
//
// A throwaway redis-server is started on a loopback port unless --redis URL is given.
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import type { Network } from '@dl4ts/core';
import { evaluateClassifier, selectBackend } from '@dl4ts/core';
import { loadMnist } from '@dl4ts/core/node';
import { wasmBackend } from '@dl4ts/backend-wasm';
import { ParallelTrainer, type BackendSpec, type SpecSource, type WorkerTransport } from '@dl4ts/parallel';
import { nodeWorkers, openData } from '@dl4ts/parallel/node';
import { redisWorkers, startLocalWorkers, type RedisTransport } from '@dl4ts/distributed';
import { startRedisServer, type LocalRedisServer } from '@dl4ts/distributed/testing';
import { mnistDir } from './data';
import { mlpNetwork } from './mlp-models';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    redis: { type: 'string' },
    epochs: { type: 'string', default: '2' },
    limit: { type: 'string', default: '60000' },
    batch: { type: 'string', default: '64' },
    workers: { type: 'string', default: '1,2' },
    frequency: { type: 'string', default: '5' },
    seed: { type: 'string', default: '42' },
    backend: { type: 'string', default: 'native' },
    reduction: { type: 'string', default: 'sharded' },
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
  readonly workers: number;
  readonly seconds: number;
  readonly samplesPerSecond: number;
  readonly accuracy: number;
  readonly averagingRounds: number;
  readonly bytesPerRound?: number;
}

/** Each worker's backend: native with the cores shared out, or wasm. */
function backendFor(workers: number): BackendSpec {
  if (values.backend === 'wasm') return 'wasm';
  return { module: '@dl4ts/backend-native', export: 'nativeBackend', options: { threads: Math.max(1, Math.floor(cpus().length / workers)) } };
}

async function main(): Promise<void> {
  const dir = values.data ?? mnistDir();
  if (dir === undefined) {
    console.log('bench:distributed: no MNIST found (pass --data DIR or set DL4TS_DATA); skipped');
    return;
  }
  let server: LocalRedisServer | undefined;
  const url = values.redis ?? (server = await startRedisServer()).url;
  await selectBackend('wasm', [wasmBackend()]); // the coordinator only averages and evaluates
  const limit = Number(values.limit);
  const train: SpecSource = await openData({ module: '@dl4ts/distributed/data', export: 'mnistData', options: { dir, split: 'train', scale: true, limit } });
  const test = await loadMnist(dir, { split: 'test', scale: true });
  const samples = train.size * epochs;
  const roundsPerEpoch = (workers: number) => Math.ceil(Math.ceil(train.size / batchSize) / workers);
  const averagingRounds = (workers: number) => epochs * Math.ceil(roundsPerEpoch(workers) / frequency);
  console.log(`MNIST MLP 784-500-250-10, ${train.size} training examples read by each worker, ${epochs} epoch(s), batch ${batchSize}, averaging every ${frequency}; workers on ${values.backend}; ${values.reduction} reduction over Redis; ${cpus().length} cores`);

  const rows: Row[] = [];
  const train1 = async (name: string, workers: number, transport: WorkerTransport, net: Network): Promise<number> => {
    const trainer = new ParallelTrainer(net, { transport, workers, averagingFrequency: frequency, backend: backendFor(workers) });
    try {
      await trainer.start();
      const before = tf.memory().numTensors;
      const t0 = performance.now();
      await trainer.fit(train, { epochs, batchSize });
      const seconds = (performance.now() - t0) / 1000;
      if (tf.memory().numTensors !== before) throw new Error(`bench:distributed: ${name} leaked ${tf.memory().numTensors - before} tensors on the coordinator`);
      return seconds;
    } finally {
      await trainer.close();
    }
  };
  for (const workers of workerCounts) {
    for (const kind of ['worker threads', 'Redis processes'] as const) {
      const net = mlpNetwork(seed);
      let transport: WorkerTransport = nodeWorkers();
      let processes: ReturnType<typeof startLocalWorkers> = [];
      if (kind === 'Redis processes') {
        const run = `bench-${process.pid}-${workers}`;
        processes = startLocalWorkers({ url, run, workers });
        transport = redisWorkers({ url, run, reduction: values.reduction === 'star' ? 'star' : 'sharded' });
      }
      const seconds = await train1(kind, workers, transport, net);
      const codes = await Promise.all(processes.map((p) => p.exited));
      if (codes.some((c) => c !== 0)) throw new Error(`bench:distributed: worker processes exited with ${codes.join(', ')}:\n${processes.map((p) => p.output()).join('\n')}`);
      const traffic = kind === 'Redis processes' ? (transport as RedisTransport).traffic : undefined;
      const rounds = averagingRounds(workers);
      rows.push({
        run: `${workers} ${kind}`,
        workers,
        seconds,
        samplesPerSecond: samples / seconds,
        accuracy: (await evaluateClassifier(net, test)).accuracy(),
        averagingRounds: rounds,
        ...(traffic !== undefined && { bytesPerRound: (traffic.sentBytes + traffic.receivedBytes) / rounds }),
      });
      net.dispose();
    }
  }
  console.log('\nrun                         s   samples/s  vs threads  rounds  coord MB/round  test acc');
  for (const r of rows) {
    const anchor = rows.find((a) => a.workers === r.workers && a.run.endsWith('worker threads'));
    const ratio = anchor === undefined ? '-' : `${(r.samplesPerSecond / anchor.samplesPerSecond).toFixed(2)}x`;
    console.log(
      `${r.run.padEnd(24)} ${r.seconds.toFixed(1).padStart(6)} ${r.samplesPerSecond.toFixed(0).padStart(10)}  ${ratio.padStart(10)}  ${String(r.averagingRounds).padStart(6)}  ${r.bytesPerRound === undefined ? '       -' : (r.bytesPerRound / 1e6).toFixed(1).padStart(8)}  ${(100 * r.accuracy).toFixed(2).padStart(7)}%`,
    );
  }
  console.log(JSON.stringify({ bench: 'distributed', backend: values.backend, examples: train.size, epochs, batchSize, frequency, rows }));
  train.dispose();
  test.dispose();
  await server?.stop();
}

await main();
