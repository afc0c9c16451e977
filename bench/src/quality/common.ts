// What the model-quality runs share: the backend (native by default, the one a user trains on),
// the machine line of the results, MNIST with a held-out validation split, classification error,
// the monitor chart of a curve, and a results file appended line by line.
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { DataSet, evaluateClassifier, selectBackend } from '@dl4ts/core';
import type { Model } from '@dl4ts/core';
import { loadMnist } from '@dl4ts/core/node';
import { nativeBackend } from '@dl4ts/backend-native';
import { wasmBackend } from '@dl4ts/backend-wasm';
import { loadUplotAssets, renderChartHtml } from '@dl4ts/monitor';
import type { ChartData } from '@dl4ts/monitor';
import { dataRoot } from '../data';
import type { CurvePoint, RunStore } from './run-store';

const here = dirname(fileURLToPath(import.meta.url));
/** bench/results/quality: where the runs' tables and charts are committed. */
export const RESULTS = resolve(here, '..', 'results', 'quality');

/** Activates `name` ('native' or 'wasm') and returns a line naming it, its BLAS kernel and threads. */
export async function activate(name: string): Promise<string> {
  if (name === 'native') {
    const native = nativeBackend();
    await selectBackend('native', [native]);
    return `native (${native.describe?.() ?? 'no kernel report'})`;
  }
  if (name === 'wasm') {
    await selectBackend('wasm', [wasmBackend()]);
    return 'wasm';
  }
  throw new Error(`--backend: expected native or wasm, received ${name}`);
}

/** The machine, for the results table: CPU model and cores, Node. */
export function machineLine(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${cpu}, ${cpus().length} cores, Node ${process.version}`;
}

export interface MnistSplits {
  /** The first `trainSize` training images (50,000 by default). */
  readonly train: DataSet;
  /** The rest of the training images, for early stopping and model choice. */
  readonly validation: DataSet;
  readonly test: DataSet;
  dispose(): void;
}

/** MNIST scaled to [0, 1]: training images split into train and validation in file order, and the test set. */
export async function mnistSplits(validationSize = 10_000): Promise<MnistSplits> {
  const dir = join(dataRoot(), 'mnist');
  if (!existsSync(join(dir, 'train-images-idx3-ubyte.gz')) && !existsSync(join(dir, 'train-images-idx3-ubyte'))) {
    throw new Error(`MNIST not found in ${dir}: set DL4TS_DATA to the folder holding mnist/ (the IDX files, gzipped or raw)`);
  }
  const all = await loadMnist(dir, { split: 'train', scale: true });
  const trainSize = all.size - validationSize;
  const part = (start: number, size: number): DataSet =>
    DataSet.adopt(tf.slice(all.features, [start, 0], [size, -1]) as tf.Tensor2D, tf.slice(all.labels, [start, 0], [size, -1]) as tf.Tensor2D);
  const train = part(0, trainSize);
  const validation = part(trainSize, validationSize);
  all.dispose();
  const test = await loadMnist(dir, { split: 'test', scale: true });
  return { train, validation, test, dispose: () => [train, validation, test].forEach((d) => d.dispose()) };
}

/** All 60,000 training images with their labels (train and validation together), a new data set. */
export function allTraining(data: MnistSplits): DataSet {
  return DataSet.adopt(tf.concat([data.train.features, data.validation.features]) as tf.Tensor2D, tf.concat([data.train.labels, data.validation.labels]) as tf.Tensor2D);
}

/** Classification error (1 - accuracy) of `model` on `data`. */
export async function errorRate(model: Model, data: DataSet): Promise<number> {
  const evaluation = await evaluateClassifier(model, data, { batchSize: 2000 });
  return 1 - evaluation.accuracy();
}

export const pct = (e: number): string => `${(100 * e).toFixed(2)}%`;

/**
 * Writes curve `name` of `store` as the monitor's chart page: `train` and `validation` figures as
 * the losses per epoch, `1 - validationError` as the accuracy. The page goes to the run folder and
 * to bench/results/quality/<file>.html.
 */
export async function writeChart(store: RunStore<unknown>, name: string, title: string, file: string, finished: boolean): Promise<void> {
  const curve: readonly CurvePoint[] = store.state.curves[name] ?? [];
  const data: ChartData = {
    title,
    iterations: [],
    losses: [],
    epochs: curve.map((p) => p.step),
    epochIterations: curve.map((p) => p.step),
    epochLosses: curve.map((p) => p.train ?? Number.NaN),
    validationLosses: curve.every((p) => p.validation !== undefined) ? curve.map((p) => p.validation as number) : [],
    validationAccuracies: curve.every((p) => p.validationError !== undefined) ? curve.map((p) => 1 - (p.validationError as number)) : [],
    finished,
    updated: new Date().toISOString(),
  };
  const html = renderChartHtml(data, await loadUplotAssets());
  store.writeFile(`${file}.html`, html);
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, `${file}.html`), html);
}

/** Appends lines to bench/results/quality/<file>.md and prints them. */
export function report(file: string, ...lines: string[]): void {
  mkdirSync(RESULTS, { recursive: true });
  for (const line of lines) console.log(line);
  appendFileSync(join(RESULTS, `${file}.md`), lines.map((l) => `${l}\n`).join(''));
}

/** A column of {@link curveTable}: the figure's key in the curve point, its header, its format. */
export type CurveColumn = readonly [key: string, header: string, format: (v: number) => string];

const loss = (v: number): string => v.toFixed(4);

/** The columns of a phase trained with early stopping (see train-epochs.ts's `trainEpochs`). */
export const SUPERVISED_COLUMNS: readonly CurveColumn[] = [['train', 'training loss', loss], ['validation', 'validation loss', loss], ['validationError', 'validation error', pct], ['testError', 'test error', pct], ['tensors', 'tensors above start', String]];

/** The columns of a phase of a fixed number of epochs (see train-epochs.ts's `fixedEpochs`). */
export const FIXED_COLUMNS: readonly CurveColumn[] = [['train', 'training loss', loss], ['testError', 'test error', pct], ['tensors', 'tensors above start', String]];

/** A markdown table of a curve, the given figures as columns. */
export function curveTable(curve: readonly CurvePoint[], columns: readonly CurveColumn[], stepHeader = 'epoch'): string[] {
  const rows = curve.map((p) => `| ${p.step} | ${columns.map(([key, , format]) => (p[key] === undefined ? '' : format(p[key] as number))).join(' | ')} | ${p.seconds.toFixed(0)} |`);
  return [`| ${stepHeader} | ${columns.map(([, h]) => h).join(' | ')} | seconds |`, `| --- | ${columns.map(() => '---').join(' | ')} | --- |`, ...rows];
}
