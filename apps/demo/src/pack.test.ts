import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// Packs the published shape of the packages the demo needs, installs the tarballs with npm into a
// project outside the workspace, and trains the demo model there: proves `exports`, `files`,
// peer dependencies and the bundled gradients work for a real consumer.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const packages = ['core', 'layers', 'losses', 'updaters', 'backend-wasm'];
const skip = process.env.DL4TS_SKIP_PACK === '1';

/** Runs the pnpm that runs this test (turbo and pnpm set npm_execpath), else pnpm from PATH. */
function pnpm(args: string[], cwd: string): void {
  const exec = process.env.npm_execpath;
  if (exec !== undefined && /pnpm\.c?js$/.test(exec)) execFileSync(process.execPath, [exec, ...args], { cwd, stdio: 'pipe' });
  else execFileSync('pnpm', args, { cwd, stdio: 'pipe' });
}

describe.skipIf(skip)('packed tarballs in a project outside the workspace', () => {
  const work = mkdtempSync(join(tmpdir(), 'dl4ts-pack-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('install with npm and train softmax regression on wasm', () => {
    const tarballs = join(work, 'tarballs');
    for (const name of packages) {
      pnpm(['pack', '--pack-destination', tarballs], join(root, 'packages', name));
    }
    const files = readdirSync(tarballs).filter((f) => f.endsWith('.tgz'));
    expect(files).toHaveLength(packages.length);

    const app = join(work, 'app');
    execFileSync('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    writeFileSync(
      join(app, 'train.mjs'),
      `import * as tf from '@tensorflow/tfjs-core';
import { DataSet, Evaluation, MinMax, Network, Registry, Rng, Standardize, selectBackend } from '@dl4ts/core';
import { wasmBackend } from '@dl4ts/backend-wasm';
import { registerLayers } from '@dl4ts/layers';
import { registerLosses } from '@dl4ts/losses';
import { registerUpdaters } from '@dl4ts/updaters';
const chosen = await selectBackend(['wasm'], [wasmBackend()]);
const registry = new Registry();
registerLayers(registry); registerLosses(registry); registerUpdaters(registry);
const rng = new Rng(3);
const n = 300, x = [], y = [];
for (let i = 0; i < n; i++) { const c = i % 3; x.push([c * 3 + rng.normal(), -c * 2 + rng.normal()]); y.push([0, 1, 2].map((k) => (k === c ? 1 : 0))); }
const data = DataSet.from(x, y);
const net = new Network({ seed: 1, input: 2, defaults: { updater: { type: 'updaters/sgd', learningRate: 0.1 } },
  layers: [{ type: 'layers/output', nOut: 3, activation: 'softmax', loss: 'mcxent' }] }, { registry }).init();
await net.fit(data, { epochs: 60, batchSize: 32 });
const out = net.output(data.features);
const ev = await new Evaluation(3).eval(data.labels, out);
const classNames = [Standardize, MinMax, Network, DataSet].map((c) => c.name);
console.log(JSON.stringify({ backend: chosen.name, tfjs: tf.getBackend(), accuracy: ev.accuracy(), classNames }));
`,
    );
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...files.map((f) => join(tarballs, f)), '@tensorflow/tfjs-core@4.22.0'], { cwd: app, stdio: 'pipe' });
    const output = execFileSync('node', ['train.mjs'], { cwd: app, encoding: 'utf8' });
    const result = JSON.parse(output.trim().split('\n').pop() as string) as { backend: string; tfjs: string; accuracy: number; classNames: string[] };
    expect(result.backend).toBe('wasm');
    expect(result.tfjs).toBe('wasm');
    expect(result.accuracy).toBeGreaterThan(0.9);
    // Bundling keeps class names: a saved normaliser prints as Standardize, not _Standardize.
    expect(result.classNames).toEqual(['Standardize', 'MinMax', 'Network', 'DataSet']);
  }, 600_000);
});
