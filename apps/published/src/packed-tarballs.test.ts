import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { emptyProject, npmInstall, root, tarballPacker, tfjsCore } from './tarballs';

// Packs the published shape of the packages, installs the tarballs with npm into projects outside
// the workspace, and trains there: proves `exports`, `files`, peer dependencies and the bundled
// gradients work for a real consumer.
const skip = process.env.DL4TS_SKIP_PACK === '1';

describe.skipIf(skip)('packed tarballs in a project outside the workspace', () => {
  const work = mkdtempSync(join(tmpdir(), 'dl4ts-pack-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const tarballsOf = tarballPacker(join(work, 'tarballs'));

  it('install with npm and train softmax regression on wasm', () => {
    const files = tarballsOf(['core', 'layers', 'losses', 'updaters', 'backend-wasm']);

    const app = emptyProject(join(work, 'app'), 'consumer');
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
    npmInstall(app, [...files, tfjsCore]);
    const output = execFileSync('node', ['train.mjs'], { cwd: app, encoding: 'utf8' });
    const result = JSON.parse(output.trim().split('\n').pop() as string) as { backend: string; tfjs: string; accuracy: number; classNames: string[] };
    expect(result.backend).toBe('wasm');
    expect(result.tfjs).toBe('wasm');
    expect(result.accuracy).toBeGreaterThan(0.9);
    // Bundling keeps class names: a saved normaliser prints as Standardize, not _Standardize.
    expect(result.classNames).toEqual(['Standardize', 'MinMax', 'Network', 'DataSet']);
  }, 600_000);

  it("a plugin author's project: the core README's custom layer, typed and compiled with tsc, trains, saves, and loads bitwise in a fresh process", () => {
    const files = tarballsOf(['core', 'layers', 'losses', 'updaters', 'backend-cpu']);
    const app = emptyProject(join(work, 'plugin-app'), 'my-plugin');
    mkdirSync(join(app, 'src'));
    const readme = join(root, 'examples/plugin/src/readme');
    // A strict project, as a careful plugin author's would be.
    const compilerOptions = { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true, skipLibCheck: true, outDir: 'out', rootDir: 'src', types: ['node'] };
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['src'] }));
    for (const name of ['gain-dense.ts', 'train-gain-dense.ts']) writeFileSync(join(app, 'src', name), readFileSync(join(readme, name), 'utf8'));
    // A fresh process that loads the saved model and predicts the first 8 examples of the same data.
    writeFileSync(
      join(app, 'load.mjs'),
      `import * as tf from '@tensorflow/tfjs-core';
import { Registry, Rng, selectBackend } from '@dl4ts/core';
import { loadModel } from '@dl4ts/core/node';
import { cpuBackend } from '@dl4ts/backend-cpu';
import { registerLayers } from '@dl4ts/layers';
import { registerLosses } from '@dl4ts/losses';
import { registerUpdaters } from '@dl4ts/updaters';
import { gainDenseDefinition } from './out/gain-dense.js';
await selectBackend(['cpu'], [cpuBackend()]);
const registry = new Registry();
registerLayers(registry); registerLosses(registry); registerUpdaters(registry); registry.register(gainDenseDefinition);
const { network } = await loadModel(process.argv[2], { registry });
const rng = new Rng(5);
const x = Array.from({ length: 256 }, () => [rng.uniformRange(-1, 1), rng.uniformRange(-1, 1)]);
console.log(JSON.stringify(Array.from((await network.output(tf.tensor2d(x)).data()).slice(0, 8))));
`,
    );
    npmInstall(app, [...files, tfjsCore, 'typescript@5.9.3', '@types/node@20']);
    execFileSync(join(app, 'node_modules/.bin/tsc'), ['-p', '.'], { cwd: app, stdio: 'pipe' });
    const models = join(app, 'models');
    mkdirSync(models);
    const trained = execFileSync('node', ['out/train-gain-dense.js'], { cwd: app, encoding: 'utf8', env: { ...process.env, MODEL_DIR: models } });
    const result = JSON.parse(trained.trim().split('\n').pop() as string) as { first: number; last: number; path: string; same: boolean; predictions: number[] };
    expect(result.same).toBe(true);
    expect(result.last).toBeLessThan(result.first / 2);
    const loaded = execFileSync('node', ['load.mjs', result.path], { cwd: app, encoding: 'utf8' });
    // JSON numbers of float32 values: equal text is equal bits.
    expect(JSON.parse(loaded.trim().split('\n').pop() as string)).toEqual(result.predictions);
  }, 600_000);

  // Each component package with nothing beside it but its own dependencies and peers, as a user who
  // installs only it has: it must load, register, and hold every registry key it emits at run time.
  const alone: readonly [string, readonly string[], Readonly<Record<string, string[]>>][] = [
    ['core', [], { strategy: ['core/backprop'], updater: ['core/sgd'], weightInit: ['core/xavier'], activation: ['core/identity'] }],
    ['layers', ['core'], { layer: ['layers/dense', 'layers/output'], weightInit: ['layers/constant'] }],
    ['losses', ['core'], { loss: ['losses/mcxent', 'losses/mse'] }],
    ['updaters', ['core'], { updater: ['updaters/adam'], strategy: ['updaters/lbfgs'] }],
    ['rnn', ['core', 'layers'], { layer: ['rnn/lstm'], weightInit: ['layers/constant'], activation: ['layers/tanh', 'layers/sigmoid'] }],
    ['cnn', ['core', 'layers'], { layer: ['cnn/convolution2d', 'cnn/subsampling2d', 'layers/batch-normalization'], weightInit: ['layers/constant'], activation: ['layers/relu'] }],
    ['rbm', ['core', 'layers', 'losses'], { layer: ['rbm/rbm', 'layers/dense', 'layers/output'], loss: ['losses/xent', 'losses/mcxent', 'losses/mse'] }],
    ['monitor', ['core'], {}],
    ['ui', ['core'], {}],
    ['parallel', ['core'], {}],
    ['backend-cpu', ['core'], {}],
    ['backend-wasm', ['core'], {}],
  ];
  it.each(alone)('@dl4ts/%s installed alone loads, registers and holds the keys it emits', (name, deps, emitted) => {
    const app = emptyProject(join(work, `alone-${name}`), `alone-${name}`);
    writeFileSync(
      join(app, 'check.mjs'),
      `const pkg = await import('@dl4ts/${name}');
const { Registry } = await import('@dl4ts/core');
const registry = new Registry();
for (const [key, value] of Object.entries(pkg)) if (/^register[A-Z]/.test(key) && typeof value === 'function') value(registry);
const emitted = ${JSON.stringify(emitted)};
const missing = Object.entries(emitted).flatMap(([kind, keys]) => keys.filter((k) => !registry.has(kind, k)).map((k) => kind + ' ' + k));
console.log(JSON.stringify({ exports: Object.keys(pkg).length, missing }));
`,
    );
    const files = tarballsOf([name, ...deps]);
    npmInstall(app, [...files, tfjsCore]);
    const out = execFileSync('node', ['check.mjs'], { cwd: app, encoding: 'utf8' });
    const result = JSON.parse(out.trim().split('\n').pop() as string) as { exports: number; missing: string[] };
    expect(result.exports).toBeGreaterThan(0);
    expect(result.missing).toEqual([]);
  }, 300_000);
});
