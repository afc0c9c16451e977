import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { Network } from '@dl4ts/core';
import { loadModel, saveModel } from '@dl4ts/core/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CONFIG, exampleRegistry, paramsBase64, predictTestSet, toBase64, train, updaterStateBase64 } from './example-model';

// The plugin across processes. This process trains the example network (all four plugin
// components) and saves it; fresh Node processes then load it: load-and-predict.ts, bundled here
// with esbuild into node_modules/.dl4ts-test (its @dl4ts and tfjs imports resolve to the built
// packages, which turbo builds before tests), and a script that registers every built-in but not
// the plugin.
const here = dirname(fileURLToPath(import.meta.url));
const childDir = join(here, '..', 'node_modules', '.dl4ts-test', 'example-plugin');
const run = promisify(execFile);

const NO_PLUGIN_CHILD = `
import { Registry, selectBackend } from '@dl4ts/core';
import { loadModel } from '@dl4ts/core/node';
import { cpuBackend } from '@dl4ts/backend-cpu';
import { registerLayers } from '@dl4ts/layers';
import { registerLosses } from '@dl4ts/losses';
import { registerUpdaters } from '@dl4ts/updaters';
await selectBackend('cpu', [cpuBackend()]);
const registry = new Registry();
registerLayers(registry); registerLosses(registry); registerUpdaters(registry);
try {
  await loadModel(process.argv[2], { registry });
  console.log(JSON.stringify({ loaded: true }));
} catch (e) {
  console.log(JSON.stringify({ loaded: false, name: e.name, code: e.code, message: e.message }));
}
`;

interface ChildReport {
  iteration: number;
  epoch: number;
  predictions: string;
  updaterState: Record<string, string>;
  continued: { iteration: number; epoch: number; predictions: string; params: Record<string, string> };
}

const EPOCHS = 3;
const MORE = 2;
let dir: string;
let modelPath: string;
let bundled: Promise<unknown>;
let noPlugin: Promise<{ stdout: string }> | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dl4ts-plugin-'));
  modelPath = join(dir, 'model.safetensors');
  await mkdir(childDir, { recursive: true });
  await writeFile(join(childDir, 'no-plugin-child.mjs'), NO_PLUGIN_CHILD);
  // Started now, awaited where needed: bundling overlaps with training. esbuild is the one tsup
  // (the repo's build tool) runs, resolved through tsup: loading tsup itself takes seconds.
  const fromTsup = createRequire(createRequire(import.meta.url).resolve('tsup/package.json'));
  bundled = import(pathToFileURL(fromTsup.resolve('esbuild')).href).then((esbuild: { build(options: object): Promise<unknown> }) =>
    esbuild.build({
      entryPoints: [join(here, 'load-and-predict.ts')],
      outfile: join(childDir, 'load-and-predict.js'),
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external', // @dl4ts/* and tfjs resolve from this package's node_modules
      logLevel: 'silent',
    }),
  );
  bundled.catch(() => undefined); // rethrown where it is awaited
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the example plugin end to end', () => {
  it('trains with all four components without leaking; a fresh process predicts bit for bit and resumes exactly', async () => {
    const registry = exampleRegistry();
    const network = new Network(EXAMPLE_CONFIG, { registry }).init();
    const initial = await predictTestSet(network);
    const before = tf.memory().numTensors;
    const perEpoch: number[] = [];
    const result = await train(network, EPOCHS, [{ onEpochEnd: () => void perEpoch.push(tf.memory().numTensors) }]);
    // Leak check: the tensor count is flat after every epoch and back to its start after fit.
    expect(perEpoch).toHaveLength(EPOCHS);
    expect(new Set(perEpoch).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
    // It learned something (the log-cosh score fell), so the state below is not trivial.
    expect(result.meanScores[EPOCHS - 1]).toBeLessThan(result.meanScores[0] as number);
    await saveModel(network, modelPath);
    // The process without the plugin (checked by the next test) runs alongside this one's work.
    noPlugin = run(process.execPath, [join(childDir, 'no-plugin-child.mjs'), modelPath], { timeout: 30_000 });
    noPlugin.catch(() => undefined); // rethrown where it is awaited
    const saved = { predictions: toBase64(await predictTestSet(network)), state: await updaterStateBase64(network) };
    expect(saved.predictions).not.toBe(toBase64(initial));
    expect(Object.keys(saved.state).sort()).toEqual(['gated-dense_0/V/m', 'gated-dense_0/W/m', 'gated-dense_0/b/m', 'gated-dense_0/c/m', 'output_1/W/m', 'output_1/b/m']);

    await bundled;
    const outPath = join(dir, 'child.json');
    const child = run(process.execPath, [join(childDir, 'load-and-predict.js'), modelPath, '--continue', String(MORE), '--json', outPath], { timeout: 30_000 });
    // Meanwhile, the original keeps training: the reference for the resumed run.
    await train(network, MORE);
    const continued = { predictions: toBase64(await predictTestSet(network)), params: await paramsBase64(network) };
    await child;
    const report = JSON.parse(await readFile(outPath, 'utf8')) as ChildReport;

    expect({ iteration: report.iteration, epoch: report.epoch }).toEqual({ iteration: EPOCHS * 8, epoch: EPOCHS });
    expect(report.predictions).toBe(saved.predictions); // float32 bytes, bit for bit
    expect(report.updaterState).toEqual(saved.state); // Lion's momentum, restored exactly
    expect({ iteration: report.continued.iteration, epoch: report.continued.epoch }).toEqual({ iteration: network.iteration, epoch: network.epoch });
    expect(report.continued.params).toEqual(continued.params);
    expect(report.continued.predictions).toBe(continued.predictions);

    // Not vacuous: resuming from the same weights with Lion's momentum reset ends elsewhere.
    const { network: reset } = await loadModel(modelPath, { registry });
    const zeros = new Map([...reset.updaterState()].map(([name, m]) => [name, tf.zerosLike(m)]));
    reset.setUpdaterState(zeros);
    tf.dispose([...zeros.values()]);
    await train(reset, MORE);
    expect((await paramsBase64(reset))['gated-dense_0/W']).not.toBe(continued.params['gated-dense_0/W']);
    reset.dispose();
    network.dispose();
  });

  it('fails to load in a fresh process without the plugin, with one ArtifactError naming all four keys and the package', async () => {
    expect(noPlugin, 'the model was saved by the test above').toBeDefined();
    const { stdout } = await (noPlugin as Promise<{ stdout: string }>);
    const outcome = JSON.parse(stdout.trim().split('\n').pop() as string) as { loaded: boolean; name: string; code: string; message: string };
    expect(outcome).toMatchObject({ loaded: false, name: 'ArtifactError', code: 'DL4TS_ARTIFACT' });
    expect(outcome.message).toContain('the registry lacks layer example/gated-dense, activation example/beta-swish, updater example/lion, loss example/log-cosh (4 missing)');
    expect(outcome.message).toContain('@dl4ts/example-plugin provides: layer example/gated-dense, activation example/beta-swish, updater example/lion, loss example/log-cosh');
    // Built-ins were registered there, so nothing else is reported missing.
    expect(outcome.message).not.toMatch(/layers\/|losses\/|updaters\//);
  });
});
