import * as tf from '@tensorflow/tfjs-core';
import type { BatchSource } from './data-set';
import type { EvaluationOptions } from './evaluation';
import { Evaluation } from './evaluation';
import { RegressionEvaluation } from './regression-evaluation';
import { ConfigError } from './errors';
import type { Model } from './model';
import type { AnyBatch } from './training-strategy';
import { batchRows, disposeBatch, toMultiBatch } from './training-strategy';

/** How held-out data is walked: in order, in minibatches of this size (default 256). */
export interface EvaluateOptions {
  readonly batchSize?: number;
}

async function forEachBatch<B extends AnyBatch>(data: BatchSource<B>, batchSize: number, visit: (batch: B) => Promise<void>): Promise<void> {
  for await (const batch of data.batches(batchSize)) {
    try {
      await visit(batch);
    } finally {
      disposeBatch(batch);
    }
  }
}

/**
 * Classification or regression metrics of the given outputs of a model (all of them by default) on
 * held-out data, in inference mode without shuffling: each output against its labels, minibatch by
 * minibatch, from one forward pass per minibatch. A one-column classifier (a sigmoid output) is
 * DL4J's binary case: two classes.
 */
export async function evaluateOutputs(model: Model, data: BatchSource<AnyBatch>, kind: 'classification', options: EvaluateOptions & EvaluationOptions, outputs?: readonly number[]): Promise<Evaluation[]>;
export async function evaluateOutputs(model: Model, data: BatchSource<AnyBatch>, kind: 'regression', options: EvaluateOptions, outputs?: readonly number[]): Promise<RegressionEvaluation[]>;
export async function evaluateOutputs(
  model: Model,
  data: BatchSource<AnyBatch>,
  kind: 'classification' | 'regression',
  options: EvaluateOptions & EvaluationOptions,
  outputs: readonly number[] = model.outputNames.map((_, k) => k),
): Promise<(Evaluation | RegressionEvaluation)[]> {
  const evaluations = outputs.map((k) => {
    const shape = model.outputShapeAt(k);
    const width = shape[shape.length - 1] as number;
    return kind === 'classification' ? new Evaluation(Math.max(width, 2), options) : new RegressionEvaluation(width);
  });
  await forEachBatch(data, options.batchSize ?? 256, async (batch) => {
    const labels = toMultiBatch(batch).labels;
    const predicted = model.outputsFor(batch);
    try {
      for (const [i, k] of outputs.entries()) await (evaluations[i] as Evaluation | RegressionEvaluation).eval(labels[k] as tf.Tensor, predicted[k] as tf.Tensor);
    } finally {
      tf.dispose(predicted);
    }
  });
  return evaluations;
}

/** Which output an evaluation reads: by name or index, the first by default. */
export interface OutputChoice {
  readonly output?: string | number;
}

function outputIndex(model: Model, choice: OutputChoice): number {
  const { output } = choice;
  if (output === undefined) return 0;
  const k = typeof output === 'number' ? output : model.outputNames.indexOf(output);
  if (k < 0) throw new ConfigError(`evaluation: no output named ${JSON.stringify(output)}; outputs: ${model.outputNames.join(', ')}`);
  return k;
}

/**
 * Classification metrics of one output of `network` (a `Network`'s only one, a graph's first or
 * `output`) on held-out data (inference mode, no shuffle): the {@link Evaluation} of every
 * minibatch's outputs against its labels.
 *
 * @example
 * ```ts
 * const ev = await evaluateClassifier(net, test);
 * console.log(ev.accuracy(), ev.f1());
 * ```
 */
export async function evaluateClassifier(network: Model, data: BatchSource<AnyBatch>, options: EvaluateOptions & EvaluationOptions & OutputChoice = {}): Promise<Evaluation> {
  return (await evaluateOutputs(network, data, 'classification', options, [outputIndex(network, options)]))[0] as Evaluation;
}

/** Regression metrics of one output of `network` (the first by default) on held-out data (inference mode, no shuffle). */
export async function evaluateRegression(network: Model, data: BatchSource<AnyBatch>, options: EvaluateOptions & OutputChoice = {}): Promise<RegressionEvaluation> {
  return (await evaluateOutputs(network, data, 'regression', options, [outputIndex(network, options)]))[0] as RegressionEvaluation;
}

/**
 * The model's score (weighted mean losses plus L1/L2 penalties, as `fit` reports it) on held-out
 * data: the mean over examples of every minibatch's score weighted by its size.
 */
export async function heldOutScore(network: Model, data: BatchSource<AnyBatch>, options: EvaluateOptions = {}): Promise<number> {
  let sum = 0;
  let count = 0;
  await forEachBatch(data, options.batchSize ?? 256, async (batch) => {
    const rows = batchRows(batch);
    sum += (await network.scoreBatch(batch)) * rows;
    count += rows;
  });
  return count === 0 ? Number.NaN : sum / count;
}
