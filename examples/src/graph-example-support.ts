// What the graph examples share: their command-line options, the backend and the registry, MNIST
// split by digit, and evaluation printed per output.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { DataSet, Registry } from '@dl4ts/core';
import type { Model, TrainingListener } from '@dl4ts/core';
import { loadMnist } from '@dl4ts/core/node';
import { selectAutoBackend } from '@dl4ts/backend-auto';
import { registerCnn } from '@dl4ts/cnn';
import { registerLayers } from '@dl4ts/layers';
import { registerLosses } from '@dl4ts/losses';
import { registerUpdaters } from '@dl4ts/updaters';

/** Options every graph example takes: --data, --backend, --epochs, --batch, --limit (training images). */
export interface ExampleArgs {
  readonly data: string;
  readonly backend: string;
  readonly epochs: number;
  readonly batch: number;
  readonly limit: number | undefined;
  readonly extra: Readonly<Record<string, string | undefined>>;
}

/** Parses the shared options (with the example's default epochs) and any extra string options. */
export function exampleArgs(defaultEpochs: number, extra: readonly string[] = []): ExampleArgs {
  const { values } = parseArgs({
    options: {
      data: { type: 'string', default: process.env.DL4TS_DATA === undefined ? fileURLToPath(new URL('../../../shared/data/mnist', import.meta.url)) : `${process.env.DL4TS_DATA}/mnist` },
      backend: { type: 'string', default: 'auto' },
      epochs: { type: 'string', default: String(defaultEpochs) },
      batch: { type: 'string', default: '64' },
      limit: { type: 'string' },
      ...Object.fromEntries(extra.map((name) => [name, { type: 'string' as const }])),
    },
  });
  const { data, backend, epochs, batch, limit, ...rest } = values as Record<string, string | undefined>;
  return { data: data as string, backend: backend as string, epochs: Number(epochs), batch: Number(batch), limit: limit === undefined ? undefined : Number(limit), extra: rest };
}

/** Activates the backend (printing which) and returns a registry with layers, losses and updaters. */
export async function setUp(backendName: string): Promise<Registry> {
  const backend = await selectAutoBackend(backendName as 'auto');
  console.log(`backend: ${backend.name}${backend.detail === undefined ? '' : ` (${backend.detail})`}`);
  const registry = new Registry();
  [registerLayers, registerCnn, registerLosses, registerUpdaters].forEach((register) => register(registry));
  return registry;
}

/** MNIST's training and test sets, the training set cut to `limit` images. */
export async function mnist(args: ExampleArgs): Promise<{ train: DataSet; test: DataSet }> {
  const train = await loadMnist(args.data, { split: 'train', scale: true, ...(args.limit === undefined ? {} : { limit: args.limit }) });
  const test = await loadMnist(args.data, { split: 'test', scale: true });
  return { train, test };
}

/** The digit of each row of one-hot MNIST labels. */
export async function digitsOf(data: DataSet): Promise<number[]> {
  const indices = tf.argMax(data.labels, 1);
  const digits = Array.from(await indices.data());
  indices.dispose();
  return digits;
}

/**
 * The examples whose digit is in `digits` (at most `limit` of them, in order), relabelled one-hot
 * by the digit's position in `digits`: digits 5-9 become classes 0-4.
 */
export async function byDigits(data: DataSet, digits: readonly number[], limit = Infinity): Promise<DataSet> {
  const all = await digitsOf(data);
  const rows = all.flatMap((d, i) => (digits.includes(d) ? [i] : [])).slice(0, limit);
  const [features, labels] = tf.tidy(() => {
    const index = tf.tensor1d(rows, 'int32');
    const classes = tf.tensor1d(rows.map((i) => digits.indexOf(all[i] as number)), 'int32');
    return [tf.gather(data.features, index) as tf.Tensor2D, tf.oneHot(classes, digits.length) as tf.Tensor2D];
  });
  return DataSet.adopt(features, labels);
}

/**
 * A listener printing each epoch's mean loss, its seconds and `report()` (test accuracy), as the
 * examples log their progress.
 */
export function epochReporter(epochs: number, report: () => Promise<string>): TrainingListener<Model> {
  let started = performance.now();
  return {
    async onEpochEnd(info) {
      const seconds = (performance.now() - started) / 1000;
      console.log(`epoch ${info.epoch}/${epochs}: loss ${info.meanScore.toFixed(4)}, ${seconds.toFixed(1)} s, ${await report()}`);
      started = performance.now();
    },
  };
}

/** `12.34%`. */
export const percent = (fraction: number): string => `${(100 * fraction).toFixed(2)}%`;
