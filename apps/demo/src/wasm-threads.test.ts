import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// Multithreaded wasm in Node, end to end through the built packages: a fresh process trains with
// wasmBackend({ threads: 2 }) and must exit by itself (idle pool workers must not keep Node
// alive), and its parameters must equal a single-threaded run's (XNNPACK splits a product's output
// tiles across threads, each summing its dot products in the same order).
const here = dirname(fileURLToPath(import.meta.url));
const childDir = join(here, '..', 'node_modules', '.dl4ts-test');

const CHILD = `
import { writeFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import { Network, Registry, selectBackend } from '@dl4ts/core';
import { wasmBackend } from '@dl4ts/backend-wasm';
import { registerLayers } from '@dl4ts/layers';
import { registerLosses } from '@dl4ts/losses';
import { registerUpdaters } from '@dl4ts/updaters';
const [threads, outPath] = process.argv.slice(2);
await selectBackend('wasm', [wasmBackend(threads === '1' ? {} : { threads: Number(threads) })]);
const registry = new Registry();
registerLayers(registry); registerLosses(registry); registerUpdaters(registry);
const net = new Network({
  seed: 3, input: 196,
  defaults: { activation: 'relu', weightInit: 'relu', updater: { type: 'updaters/nesterovs', learningRate: 0.05, momentum: 0.9 }, l2: 1e-4 },
  layers: [{ type: 'layers/dense', nOut: 300 }, { type: 'layers/output', nOut: 10, activation: 'softmax', loss: 'mcxent', weightInit: 'xavier' }],
}, { registry }).init();
const n = 256;
const x = tf.randomUniform([n, 196], 0, 1, 'float32', 7);
const y = tf.oneHot(tf.randomUniform([n], 0, 10, 'int32', 8), 10);
await net.fit({ features: x, labels: tf.cast(y, 'float32') }, { epochs: 2, batchSize: 64 });
const params = {};
for (const name of net.paramNames()) { const p = net.getParam(name); params[name] = Array.from(await p.data()); p.dispose(); }
await writeFile(outPath, JSON.stringify({ threads: tf.backend().wasm.tfjs.getThreadsCount(), params }));
// No process.exit: the test checks that the process ends by itself.
`;

async function run(threads: number): Promise<{ threads: number; params: Record<string, number[]> }> {
  await mkdir(childDir, { recursive: true });
  const childPath = join(childDir, 'threads-child.mjs');
  await writeFile(childPath, CHILD);
  const outPath = join(childDir, `threads-${threads}.json`);
  await promisify(execFile)(process.execPath, [childPath, String(threads), outPath], { timeout: 60_000 });
  return JSON.parse(await readFile(outPath, 'utf8')) as { threads: number; params: Record<string, number[]> };
}

describe('wasmBackend({ threads: 2 }) in a fresh Node process', () => {
  it('runs a 2-thread pool, trains to the same parameters as one thread, and exits by itself', async () => {
    const [one, two] = await Promise.all([run(1), run(2)]);
    expect(one.threads).toBe(1);
    expect(two.threads).toBe(2);
    expect(Object.keys(two.params)).toEqual(['dense_0/W', 'dense_0/b', 'output_1/W', 'output_1/b']);
    for (const name of Object.keys(one.params)) expect(two.params[name], name).toEqual(one.params[name]);
    // Not vacuous: biases start at 0, so training moved them.
    expect(one.params['output_1/b']!.some((v) => v !== 0)).toBe(true);
  }, 120_000);
});
