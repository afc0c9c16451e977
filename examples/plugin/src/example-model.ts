// The example network and its data, shared by the two scripts and the end-to-end test. Not part
// of the plugin's public face (index.ts): a user's program would hold its own version of this.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { Network, Registry, Rng } from '@dl4ts/core';
import type { FitResult, NetworkConfig, TrainingListener } from '@dl4ts/core';
import { registerLayers } from '@dl4ts/layers';
import { registerExamplePlugin } from './register-example-plugin';

/** Plain arrays, one row per example. */
export interface Problem {
  readonly features: number[][];
  readonly labels: number[][];
}

/** Seeds of the generated training and test sets. */
export const TRAIN_SEED = 2024;
export const TEST_SEED = 7;

/**
 * A seeded regression problem: 4 inputs uniform in [-1, 1], 2 targets
 * `y0 = sin(2 x0) + x1 x2` and `y1 = x3^2 - x0 / 2`. With `outliers`, that fraction of the
 * targets is shifted by +-3, the case log-cosh is for: such points pull on the fit like an
 * absolute error, not like a squared one.
 */
export function generateProblem(n: number, seed: number, outliers = 0): Problem {
  const rng = new Rng(seed);
  const features: number[][] = [];
  const labels: number[][] = [];
  for (let i = 0; i < n; i++) {
    const x = [rng.uniformRange(-1, 1), rng.uniformRange(-1, 1), rng.uniformRange(-1, 1), rng.uniformRange(-1, 1)] as [number, number, number, number];
    const y = [Math.sin(2 * x[0]) + x[1] * x[2], x[3] * x[3] - x[0] / 2];
    if (rng.uniform() < outliers) {
      const k = rng.int(2);
      y[k] = (y[k] as number) + (rng.uniform() < 0.5 ? -3 : 3);
    }
    features.push(x);
    labels.push(y);
  }
  return { features, labels };
}

/** The training set (5% outliers) and the clean test set every script and test uses. */
export const trainSet = (): Problem => generateProblem(256, TRAIN_SEED, 0.05);
export const testSet = (): Problem => generateProblem(64, TEST_SEED);

/** A network using all four plugin components, beside built-ins from `@dl4ts/layers`. */
export const EXAMPLE_CONFIG: NetworkConfig = {
  seed: 42,
  input: 4,
  defaults: { weightInit: 'xavier', updater: { type: 'example/lion', learningRate: 3e-3, beta1: 0.9, beta2: 0.99 } },
  layers: [
    { type: 'example/gated-dense', nOut: 16, activation: { type: 'example/beta-swish', beta: 1.5 }, gateBiasInit: 1 },
    { type: 'layers/output', nOut: 2, activation: 'identity', loss: { type: 'example/log-cosh', reduction: 'mean' } },
  ],
};

/** Where the scripts save and load by default: the OS temporary folder, not the repository. */
export const DEFAULT_MODEL_PATH = join(tmpdir(), 'dl4ts-example-plugin.safetensors');

/** Batch size of every training run here. */
export const BATCH_SIZE = 32;

/**
 * A registry with what the example network needs: core's strategy, `@dl4ts/layers` (output
 * layer, identity, xavier, constant) and, unless `plugin: false`, this package's components.
 */
export function exampleRegistry(options: { plugin?: boolean } = {}): Registry {
  const registry = new Registry();
  registerLayers(registry);
  if (options.plugin !== false) registerExamplePlugin(registry);
  return registry;
}

/** Trains `network` on the training set for `epochs` more epochs (seeded shuffling). */
export function train(network: Network, epochs: number, listeners: readonly TrainingListener[] = []): Promise<FitResult> {
  return network.fit(trainSet(), { epochs, batchSize: BATCH_SIZE, listeners });
}

/** The network's outputs on the test set, as float32 values (row-major, 2 per example). */
export async function predictTestSet(network: Network): Promise<Float32Array> {
  const x = tf.tensor2d(testSet().features);
  const y = network.output(x);
  try {
    return Float32Array.from(await y.data());
  } finally {
    tf.dispose([x, y]);
  }
}

/** Mean squared error of test-set predictions against the clean targets. */
export function testMse(predictions: Float32Array): number {
  const targets = testSet().labels.flat();
  return targets.reduce((sum, t, i) => sum + ((predictions[i] as number) - t) ** 2, 0) / targets.length;
}

/** Float32 values as base64 of their bytes: JSON that round-trips bit for bit (NaN and -0 included). */
export function toBase64(values: Float32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

/** Inverse of {@link toBase64}. */
export function fromBase64(text: string): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** Every parameter's values, by name, as base64 float32. */
export async function paramsBase64(network: Network): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of network.paramNames()) {
    const t = network.getParam(name);
    out[name] = toBase64(Float32Array.from(await t.data()));
    t.dispose();
  }
  return out;
}

/** Every updater state tensor (`<layer>/<param>/<state>`, e.g. Lion's `m`), as base64 float32. */
export async function updaterStateBase64(network: Network): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, t] of network.updaterState()) out[name] = toBase64(Float32Array.from(await t.data()));
  return out;
}
