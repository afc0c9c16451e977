import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSet } from '../data-set';
import { ConfigError } from '../errors';
import { Network } from '../network';
import { testRegistry } from '../test-support';
import { CheckpointListener, listCheckpoints } from './checkpoint-listener';
import { loadModel } from './model-files';

const X = Array.from({ length: 12 }, (_, i) => [Math.sin(i), Math.cos(i)]);
const Y = X.map(([a, b]) => [a! * b!]);
const registry = testRegistry();
const makeNet = () => new Network({ seed: 4, input: 2, defaults: { updater: { type: 'ts/sgd', lr: 0.2 } }, layers: [{ type: 'ts/dense', nOut: 3 }, { type: 'ts/out', nOut: 1 }] }, { registry }).init();

async function params(net: Network): Promise<number[]> {
  const out: number[] = [];
  for (const name of net.paramNames()) {
    const t = net.getParam(name);
    out.push(...(await t.data()));
    t.dispose();
  }
  return out;
}

let dir: string;
let data: DataSet;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dl4ts-ckpt-'));
  data = DataSet.from(X, Y);
});
afterAll(async () => {
  data.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('CheckpointListener', () => {
  it('saves every N epochs, keeps the last K, and a checkpoint resumes exactly', async () => {
    const net = makeNet();
    const folder = join(dir, 'epochs');
    const listener = new CheckpointListener({ directory: folder, everyEpochs: 2, keepLast: 2 });
    await net.fit(data, { epochs: 7, batchSize: 4, listeners: [listener] });
    // 3 iterations per epoch: saves after epochs 2, 4, 6; the oldest is pruned.
    expect(listener.saved.map((p) => p.slice(folder.length + 1))).toEqual(['checkpoint-i6-e2.safetensors', 'checkpoint-i12-e4.safetensors', 'checkpoint-i18-e6.safetensors']);
    expect((await readdir(folder)).sort()).toEqual(['checkpoint-i12-e4.safetensors', 'checkpoint-i18-e6.safetensors']);
    const last = (await listCheckpoints(folder)).at(-1)!;
    expect(last).toMatchObject({ iteration: 18, epoch: 6 });
    // Resume from epoch 6 and train one more: the same parameters as the straight 7 epochs.
    const { network: resumed } = await loadModel(last.path, { registry });
    await resumed.fit(data, { epochs: 1, batchSize: 4 });
    expect(await params(resumed)).toEqual(await params(net));
    resumed.dispose();
    net.dispose();
  });

  it('saves every N iterations and every N minutes of a given clock, one file per state', async () => {
    const net = makeNet();
    const folder = join(dir, 'iterations');
    let t = 0;
    const listener = new CheckpointListener({ directory: folder, everyIterations: 3, everyMinutes: 1, everyEpochs: 1, keepLast: 0, now: () => t });
    await net.fit(data, {
      epochs: 2,
      batchSize: 4,
      listeners: [{ onIterationEnd: (i) => void (t = i.iteration === 4 ? 60_000 : t) }, listener],
    });
    // Iteration 3 (count) and epoch 1 end at the same state: only the epoch's file is kept.
    // Iteration 4: a minute has passed. Iteration 6: count, then epoch 2's end replaces it.
    expect((await listCheckpoints(folder)).map((c) => [c.iteration, c.epoch])).toEqual([[3, 1], [4, 1], [6, 2]]);
    net.dispose();
  });

  it('rejects options that would never save or are out of range', () => {
    expect(() => new CheckpointListener({ directory: dir })).toThrow(/at least one of everyEpochs, everyIterations, everyMinutes/);
    expect(() => new CheckpointListener({ directory: dir, everyEpochs: 1.5 })).toThrow(ConfigError);
    expect(() => new CheckpointListener({ directory: dir, everyMinutes: -1 })).toThrow(/everyMinutes must be a positive number, received -1/);
    expect(() => new CheckpointListener({ directory: dir, everyEpochs: 1, prefix: '../x' })).toThrow(/prefix/);
  });
});
