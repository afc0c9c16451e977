// What @dl4ts/ui's StatsListener costs training: MLP 784-500-250-10 on the native backend, plain
// `Network.fit` (the anchor) beside the same fit with the listener at its default frequency
// (a report every 20 iterations, histograms every 200) into memory and into a stats file, and at
// every iteration (the worst case), in turns in one process. The budget: at most 5% at
// the default frequency.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Network, TrainingListener } from '@dl4ts/core';
import { FileStatsStorage, MemoryStatsStorage, StatsListener } from '@dl4ts/ui';
import type { StatsStorage } from '@dl4ts/ui';
import { type Contender, type ContenderResult, denseTrainingFlops, interleave, on, runCase } from '../harness';
import { mnistOrRandom } from '../data';
import { MLP_SIZES, mlpNetwork } from '../mlp-models';

const FLOPS = denseTrainingFlops(MLP_SIZES);
const BATCH = 128;

await runCase(
  'ui-overhead',
  async ({ quick, rounds, log, native, nativeMissing }) => {
    const title = 'StatsListener overhead: MLP 784-500-250-10 training, batch 128, native backend';
    if (native === undefined) return { title, unit: 'samples/s', rows: [], notes: [`skipped: ${nativeMissing ?? 'native backend not requested'}`] };
    // 400 iterations per round: twenty reports and two histogram reports at the default frequency.
    const samples = quick ? 2560 : 51_200;
    const dir = mkdtempSync(join(tmpdir(), 'dl4ts-ui-bench-'));
    const storages: StatsStorage[] = [];
    const make = (name: string, listener?: (storage: StatsStorage) => TrainingListener<Network>, storage?: StatsStorage): Promise<Contender> =>
      on('native', async () => {
        const { data } = await mnistOrRandom(samples);
        const net = mlpNetwork(1);
        if (storage !== undefined) storages.push(storage);
        const listeners = listener === undefined || storage === undefined ? [] : [listener(storage)];
        return {
          name,
          backend: 'native',
          flopsPerUnit: FLOPS,
          ...(listener === undefined ? { anchor: true } : {}),
          round: async () => {
            await net.fit(data, { epochs: 1, batchSize: BATCH, listeners });
            return data.size;
          },
          dispose: () => {
            net.dispose();
            data.dispose();
          },
        };
      });
    const contenders = [
      await make('dl4ts Network.fit, no listener (anchor)'),
      await make('with StatsListener, defaults (every 20, histograms every 200), MemoryStatsStorage', (s) => new StatsListener(s), new MemoryStatsStorage()),
      await make('with StatsListener, defaults, FileStatsStorage', (s) => new StatsListener(s), await FileStatsStorage.open(join(dir, 'bench.stats.jsonl'))),
      await make('with StatsListener every iteration, histograms every 10, MemoryStatsStorage', (s) => new StatsListener(s, { every: 1, histogramEvery: 10 }), new MemoryStatsStorage()),
    ];
    const rows: ContenderResult[] = await interleave(contenders, rounds(5), { log });
    for (const c of contenders) c.dispose();
    for (const s of storages) await s.close();
    rmSync(dir, { recursive: true, force: true });
    // This machine's speed drifts by tens of percent over a minute: each round's rate is compared
    // with the anchor's in the same round (run just before it), and the median of those ratios taken.
    const anchor = rows.find((r) => r.anchor);
    const metrics: Record<string, string> = {};
    for (const row of rows.filter((r) => !r.anchor)) {
      const paired = row.rounds.map((rate, i) => rate / (anchor?.rounds[i] ?? Number.NaN)).sort((a, b) => a - b);
      const median = paired[Math.floor(paired.length / 2)] as number;
      metrics[`cost of ${row.name.replace(/^with /, '')}`] = `${(100 * (1 - median)).toFixed(1)}% of the samples/s (median of the per-round ratios; ratios ${paired.map((p) => p.toFixed(2)).join(', ')})`;
    }
    return {
      title,
      unit: 'samples/s',
      rows,
      notes: [`${samples} MNIST images per round (${samples / BATCH} iterations), each round's rate divided by the anchor's in the same round, median of those ratios (after a warm-up round); the budget is 5% at the default frequency.`],
      metrics,
    };
  },
  {},
  { native: {} },
);
