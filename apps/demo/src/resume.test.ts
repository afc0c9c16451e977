import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { Network, Registry, selectBackend } from '@dl4ts/core';
import type { NetworkConfig } from '@dl4ts/core';
import { saveModel } from '@dl4ts/core/node';
import { cpuBackend } from '@dl4ts/backend-cpu';
import { wasmBackend } from '@dl4ts/backend-wasm';
import { registerLayers } from '@dl4ts/layers';
import { registerLosses } from '@dl4ts/losses';
import { registerUpdaters } from '@dl4ts/updaters';
import { afterAll, describe, expect, it } from 'vitest';
import { generateBlobs } from './softmax-regression';

// Exact resume across processes: train 5 epochs straight, versus 2 epochs, save, then load in a
// fresh Node process (which registers the same plugins) and train 3 more. The child imports the
// built packages, which turbo builds before this test runs.
const here = dirname(fileURLToPath(import.meta.url));
const childDir = join(here, '..', 'node_modules', '.dl4ts-test');

const CONFIG: NetworkConfig = {
  seed: 5,
  input: 4,
  defaults: { updater: { type: 'updaters/adam', learningRate: { type: 'exponential', initialValue: 0.02, gamma: 0.8, scheduleType: 'epoch' } }, l2: 1e-3 },
  layers: [
    { type: 'layers/dense', nOut: 8, activation: 'relu', weightInit: 'relu' },
    { type: 'layers/output', nOut: 3, activation: 'softmax', loss: 'mcxent', weightInit: 'xavier', dropout: 0.8 },
  ],
};

const CHILD = `
import { readFile, writeFile } from 'node:fs/promises';
import { Registry, selectBackend } from '@dl4ts/core';
import { loadModel } from '@dl4ts/core/node';
import { cpuBackend } from '@dl4ts/backend-cpu';
import { wasmBackend } from '@dl4ts/backend-wasm';
import { registerLayers } from '@dl4ts/layers';
import { registerLosses } from '@dl4ts/losses';
import { registerUpdaters } from '@dl4ts/updaters';
const [backend, modelPath, dataPath, outPath] = process.argv.slice(2);
await selectBackend(backend, [cpuBackend(), wasmBackend()]);
const registry = new Registry();
registerLayers(registry); registerLosses(registry); registerUpdaters(registry);
const { network } = await loadModel(modelPath, { registry });
const data = JSON.parse(await readFile(dataPath, 'utf8'));
await network.fit(data, { epochs: 3, batchSize: 10 });
const params = {};
for (const name of network.paramNames()) params[name] = Array.from(await network.getParam(name).data());
await writeFile(outPath, JSON.stringify({ params, iteration: network.iteration, epoch: network.epoch }));
`;

function registry(): Registry {
  const r = new Registry();
  registerLayers(r);
  registerLosses(r);
  registerUpdaters(r);
  return r;
}

const blobs = generateBlobs({ n: 60, numFeatures: 4, numClasses: 3, seed: 9 });
const data = {
  features: Array.from({ length: 60 }, (_, i) => Array.from(blobs.features.subarray(i * 4, i * 4 + 4))),
  labels: Array.from({ length: 60 }, (_, i) => Array.from(blobs.labels.subarray(i * 3, i * 3 + 3))),
};

async function params(net: Network): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const name of net.paramNames()) out[name] = Array.from(await net.getParam(name).data());
  return out;
}

let dir: string | undefined;
afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('exact resume in a fresh process', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`on ${backend}: 2 epochs, save, load in a new process, 3 more = 5 epochs straight`, async () => {
      await selectBackend(backend, [cpuBackend(), wasmBackend()]);
      dir ??= await mkdtemp(join(tmpdir(), 'dl4ts-resume-'));
      const straight = new Network(CONFIG, { registry: registry() }).init();
      await straight.fit(data, { epochs: 5, batchSize: 10 });
      const first = new Network(CONFIG, { registry: registry() }).init();
      await first.fit(data, { epochs: 2, batchSize: 10 });
      const modelPath = join(dir, `${backend}.safetensors`);
      await saveModel(first, modelPath);
      const dataPath = join(dir, 'data.json');
      await writeFile(dataPath, JSON.stringify(data));
      await mkdir(childDir, { recursive: true });
      const childPath = join(childDir, 'resume-child.mjs');
      await writeFile(childPath, CHILD);
      const outPath = join(dir, `${backend}.json`);
      await promisify(execFile)(process.execPath, [childPath, backend, modelPath, dataPath, outPath], { timeout: 60_000 });
      const resumed = JSON.parse(await readFile(outPath, 'utf8')) as { params: Record<string, number[]>; iteration: number; epoch: number };
      expect({ iteration: resumed.iteration, epoch: resumed.epoch }).toEqual({ iteration: straight.iteration, epoch: 5 });
      const expected = await params(straight);
      expect(resumed.params).toEqual(expected);
      // Not vacuous: the first two epochs alone end elsewhere.
      expect((await params(first))['dense_0/W']).not.toEqual(expected['dense_0/W']);
      straight.dispose();
      first.dispose();
      expect(tf.getBackend()).toBe(backend);
    }, 120_000);
  }
});
