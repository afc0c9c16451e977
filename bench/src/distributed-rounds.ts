// What one averaging round over Redis costs, by model size and worker count: a one-layer model of
// P parameters (plain SGD, so the state is the parameters) trained for R rounds of one example per
// worker, averaging every round and then only once; the difference over R - 1 rounds is the time
// a round adds. Worker processes (dl4ts-worker) on this host, a throwaway redis-server.
//
//   pnpm --filter @dl4ts/bench run bench:distributed   (runs after distributed.js)
//   node bench/dist/distributed-rounds.js --sizes 500,2000,8000,32000 --workers 1,2 --rounds 20
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Network, Rng, selectBackend } from '@dl4ts/core';
import { wasmBackend } from '@dl4ts/backend-wasm';
import { ParallelTrainer, type SpecSource } from '@dl4ts/parallel';
import { openData } from '@dl4ts/parallel/node';
import { redisWorkers, startLocalWorkers, type RedisTransport } from '@dl4ts/distributed';
import { startRedisServer } from '@dl4ts/distributed/testing';
import { builtInRegistry } from './mlp-models';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '500,2000,8000,32000' },
    workers: { type: 'string', default: '1,2' },
    rounds: { type: 'string', default: '20' },
    reductions: { type: 'string', default: 'sharded,star' },
  },
  allowPositionals: true,
});
const INPUT = 256;
const sizes = (values.sizes ?? '').split(',').map(Number);
const workerCounts = (values.workers ?? '').split(',').map(Number);
const rounds = Number(values.rounds);
const reductions = (values.reductions ?? '').split(',') as ('sharded' | 'star')[];

async function main(): Promise<void> {
  const server = await startRedisServer();
  await selectBackend('wasm', [wasmBackend()]);
  const folder = mkdtempSync(join(tmpdir(), 'dl4ts-rounds-'));
  const rng = new Rng(1);
  const results: { reduction: string; workers: number; floats: number; roundMs: number; mbPerRound: number }[] = [];
  try {
    for (const workers of workerCounts) {
      const path = join(folder, `data-${workers}.csv`);
      const rows = Array.from({ length: rounds * workers }, () => [...Array.from({ length: INPUT }, () => rng.normal().toFixed(3)), 0].join(','));
      writeFileSync(path, `${rows.join('\n')}\n`);
      for (const units of sizes) for (const reduction of reductions) {
        // Labels one-hot over `units` classes: the MSE target has the output's width.
        const data: SpecSource = await openData({ module: '@dl4ts/distributed/data', export: 'csvData', options: { path, labelColumn: -1, numClasses: units } });
        const time = async (frequency: number): Promise<{ seconds: number; bytes: number }> => {
          const net = new Network({ seed: 1, input: INPUT, defaults: { updater: { type: 'updaters/sgd', learningRate: 1e-4 } }, layers: [{ type: 'layers/output', nOut: units, activation: 'identity', loss: 'mse' }] }, { registry: builtInRegistry() }).init();
          const run = `rounds-${process.pid}-${workers}-${units}-${frequency}-${reduction}`;
          const processes = startLocalWorkers({ url: server.url, run, workers });
          const transport: RedisTransport = redisWorkers({ url: server.url, run, reduction });
          const backend = { module: '@dl4ts/backend-native', export: 'nativeBackend', options: { threads: Math.max(1, Math.floor(cpus().length / workers)) } };
          const trainer = new ParallelTrainer(net, { transport, workers, averagingFrequency: frequency, backend, prefetch: 0 });
          try {
            await trainer.start();
            const t0 = performance.now();
            await trainer.fit(data, { epochs: 1, batchSize: 1, shuffle: false });
            return { seconds: (performance.now() - t0) / 1000, bytes: transport.traffic.sentBytes + transport.traffic.receivedBytes };
          } finally {
            await trainer.close();
            await Promise.all(processes.map((p) => p.exited));
            net.dispose();
          }
        };
        const every = await time(1);
        const once = await time(rounds);
        const floats = INPUT * units + units;
        const roundMs = ((every.seconds - once.seconds) * 1000) / (rounds - 1);
        const mbPerRound = (every.bytes - once.bytes) / (rounds - 1) / 1e6;
        results.push({ reduction, workers, floats, roundMs, mbPerRound });
        console.log(`${reduction}, ${workers} worker(s), ${(floats / 1e6).toFixed(2)}M floats (${((floats * 4) / 1e6).toFixed(1)} MB): ${roundMs.toFixed(1)} ms per averaging round, ${mbPerRound.toFixed(1)} MB moved per round`);
        data.dispose();
      }
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
    await server.stop();
  }
  console.log(JSON.stringify({ bench: 'distributed-rounds', rounds, results }));
}

await main();
