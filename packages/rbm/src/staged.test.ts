import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, DataSet, Network } from '@dl4ts/core';
import type { NetworkConfig } from '@dl4ts/core';
import { loadModel, saveModel } from '@dl4ts/core/node';
import { describe, expect, it } from 'vitest';
import { pretrain, unlabeled } from './pretrain';
import { barsAndStripes, registry } from './test-support';

// A small DBN 9-6-4-2: two RBMs with persistent chains and momentum (updater state), then an output.
const config: NetworkConfig = {
  seed: 31,
  input: 9,
  defaults: { updater: { type: 'updaters/nesterovs', learningRate: 0.05, momentum: 0.5 } },
  layers: [
    { type: 'rbm/rbm', name: 'rbm1', nOut: 6, persistent: 5, sampleVisible: true, l2: 1e-3 },
    { type: 'rbm/rbm', name: 'rbm2', nOut: 4, k: 2, persistent: 3 },
    { type: 'layers/output', name: 'out', nOut: 2, activation: 'softmax', loss: 'mcxent' },
  ],
};

const PATTERNS = barsAndStripes();
const dataA = () => unlabeled(PATTERNS.slice(0, 8));
const dataB = () => unlabeled(PATTERNS.slice(6));
/** Labels: is it a pattern of rows (1, 0) or of columns (0, 1)? */
const labelled = () => DataSet.from(PATTERNS, PATTERNS.map((p) => (p[0] === p[1] && p[1] === p[2] ? [1, 0] : [0, 1])));

async function stage(net: Network, make: () => DataSet): Promise<void> {
  const data = make();
  await pretrain(net, data, { epochs: { rbm1: 3, rbm2: 2 }, batchSize: 3 });
  data.dispose();
}

/** Every parameter (chains included) and every updater state tensor, as exact float32 values. */
async function everything(net: Network): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const name of net.paramNames()) {
    const t = net.getParam(name);
    out[`param/${name}`] = Array.from(await t.data());
    t.dispose();
  }
  for (const [name, t] of net.updaterState()) out[`updater/${name}`] = Array.from(await t.data());
  return out;
}

const sha = async (path: string) => createHash('sha256').update(await readFile(path)).digest('hex');

describe('Staged pretraining with backups', () => {
  it('pretrain, save, load, pretrain more: bitwise the uninterrupted run (PCD chains and momentum carry over)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dl4ts-rbm-'));
    try {
      const straight = new Network(config, { registry }).init();
      await stage(straight, dataA);
      await stage(straight, dataB);

      const first = new Network(config, { registry }).init();
      await stage(first, dataA);
      const path = join(dir, 'stage1.safetensors');
      await saveModel(first, path);
      const stage1 = await everything(first);
      first.dispose();
      const { network: resumed } = await loadModel(path, { registry });
      const loaded = await everything(resumed);
      expect(loaded).toEqual(stage1);
      await stage(resumed, dataB);

      const expected = await everything(straight);
      expect(Object.keys(expected)).toContain('param/rbm1/chain');
      expect(Object.keys(expected)).toContain('updater/rbm1/W/v');
      const got = await everything(resumed);
      expect(got).toEqual(expected);
      // The second stage moved the chains: the comparison is not of untouched values.
      expect(expected['param/rbm1/chain']).not.toEqual(stage1['param/rbm1/chain']);
      straight.dispose();
      resumed.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fine-tunes two copies loaded from one backup without changing the backup file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dl4ts-rbm-'));
    try {
      const net = new Network(config, { registry }).init();
      await stage(net, dataA);
      const path = join(dir, 'pretrained.safetensors');
      await saveModel(net, path);
      const digest = await sha(path);
      const pretrained = await everything(net);
      net.dispose();

      const copies = [(await loadModel(path, { registry })).network, (await loadModel(path, { registry })).network];
      const data = labelled();
      await (copies[0] as Network).fit(data, { epochs: 2, batchSize: 7 });
      await (copies[1] as Network).fit(data, { epochs: 4, batchSize: 7 });
      const [a, b] = [await everything(copies[0] as Network), await everything(copies[1] as Network)];
      expect(a['param/rbm1/W']).not.toEqual(pretrained['param/rbm1/W']);
      expect(a['param/rbm1/W']).not.toEqual(b['param/rbm1/W']);
      expect(await sha(path)).toBe(digest);
      const reloaded = (await loadModel(path, { registry })).network;
      expect(await everything(reloaded)).toEqual(pretrained);
      data.dispose();
      for (const n of [...copies, reloaded]) n.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('pretrains the layers named, in network order, and rejects names that are not pretrainable', async () => {
    const net = new Network(config, { registry }).init();
    const data = dataA();
    const w1 = net.getParam('rbm1/W');
    const scores = await pretrain(net, data, { layers: ['rbm2'], epochs: 2 });
    expect(Object.keys(scores)).toEqual(['rbm2']);
    expect(scores.rbm2).toHaveLength(2);
    const w1After = net.getParam('rbm1/W');
    expect(Array.from(await w1After.data())).toEqual(Array.from(await w1.data()));
    await expect(pretrain(net, data, { layers: ['out'] })).rejects.toThrow(ConfigError);
    await expect(pretrain(net, data, { layers: ['out'] })).rejects.toThrow('pretrain: layers "out" are not pretrainable layers of the network; expected some of: rbm1, rbm2');
    await expect(pretrain(net, data, { epochs: { rbm3: 1 } })).rejects.toThrow('pretrain: epochs names rbm3, which are not pretrained; expected some of: rbm1, rbm2');
    await expect(pretrain(net, data, { epochs: -1 })).rejects.toThrow('pretrain: epochs for "rbm1" must be a non-negative integer, received -1');
    tf.dispose([w1, w1After]);
    data.dispose();
    net.dispose();
  });
});
