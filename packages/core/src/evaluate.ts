import * as tf from '@tensorflow/tfjs-core';
import type { BatchSource } from './data-set';
import type { EvaluationOptions } from './evaluation';
import { Evaluation } from './evaluation';
import type { Network } from './network';
import { RegressionEvaluation } from './regression-evaluation';
import type { ComputationGraph } from './graph/computation-graph';
import type { AnyBatch } from './training-strategy';
import { batchTensors, toMultiBatch } from './training-strategy';

/** How held-out data is walked: in order, in minibatches of this size (default 256). */
export interface EvaluateOptions {
  readonly batchSize?: number;
}

async function forEachBatch<B extends AnyBatch>(data: BatchSource<B>, batchSize: number, visit: (batch: B) => Promise<void>): Promise<void> {
  for await (const batch of data.batches(batchSize)) {
    try {
      await visit(batch);
    } finally {
      tf.dispose(batchTensors(batch));
    }
  }
}

/**
 * Classification or regression metrics of every output of a graph on held-out data (inference
 * mode, no shuffle), by output name: each output's outputs against its labels, minibatch by minibatch.
 */
export async function evaluateOutputs(graph: ComputationGraph, data: BatchSource<AnyBatch>, kind: 'classification', options: EvaluateOptions & EvaluationOptions): Promise<Record<string, Evaluation>>;
export async function evaluateOutputs(graph: ComputationGraph, data: BatchSource<AnyBatch>, kind: 'regression', options: EvaluateOptions): Promise<Record<string, RegressionEvaluation>>;
export async function evaluateOutputs(
  graph: ComputationGraph,
  data: BatchSource<AnyBatch>,
  kind: 'classification' | 'regression',
  options: EvaluateOptions & EvaluationOptions,
): Promise<Record<string, Evaluation | RegressionEvaluation>> {
  const shapes = graph.outputShapes;
  const evaluations = Object.fromEntries(
    Object.entries(shapes).map(([name, shape]) => {
      const width = shape[shape.length - 1] as number;
      // A one-column classifier (a sigmoid output) is DL4J's binary case: two classes.
      return [name, kind === 'classification' ? new Evaluation(Math.max(width, 2), options) : new RegressionEvaluation(width)];
    }),
  );
  await forEachBatch(data, options.batchSize ?? 256, async (batch) => {
    const m = toMultiBatch(batch);
    const outputs = graph.output(m.features, m.featuresMasks === undefined ? {} : { featuresMasks: m.featuresMasks });
    try {
      for (const [k, name] of graph.outputNames.entries()) await (evaluations[name] as Evaluation | RegressionEvaluation).eval(m.labels[k] as tf.Tensor, outputs[name] as tf.Tensor);
    } finally {
      tf.dispose(Object.values(outputs));
    }
  });
  return evaluations;
}

/**
 * Classification metrics of `network` on held-out data (inference mode, no shuffle): the
 * {@link Evaluation} of every minibatch's outputs against its labels.
 *
 * @example
 * ```ts
 * const ev = await evaluateClassifier(net, test);
 * console.log(ev.accuracy(), ev.f1());
 * ```
 */
export async function evaluateClassifier(network: Network, data: BatchSource, options: EvaluateOptions & EvaluationOptions = {}): Promise<Evaluation> {
  const evaluation = new Evaluation(network.outputShape[network.outputShape.length - 1] as number, options);
  await forEachBatch(data, options.batchSize ?? 256, async (batch) => {
    const outputs = network.output(batch.features, batch.featuresMask === undefined ? {} : { featuresMask: batch.featuresMask });
    try {
      await evaluation.eval(batch.labels, outputs);
    } finally {
      outputs.dispose();
    }
  });
  return evaluation;
}

/** Regression metrics of `network` on held-out data (inference mode, no shuffle). */
export async function evaluateRegression(network: Network, data: BatchSource, options: EvaluateOptions = {}): Promise<RegressionEvaluation> {
  const evaluation = new RegressionEvaluation(network.outputShape[network.outputShape.length - 1] as number);
  await forEachBatch(data, options.batchSize ?? 256, async (batch) => {
    const outputs = network.output(batch.features, batch.featuresMask === undefined ? {} : { featuresMask: batch.featuresMask });
    try {
      await evaluation.eval(batch.labels, outputs);
    } finally {
      outputs.dispose();
    }
  });
  return evaluation;
}

/**
 * The network's score (mean loss plus L1/L2 penalties, as `fit` reports it) on held-out data:
 * the mean over examples of every minibatch's score weighted by its size.
 */
export async function heldOutScore(network: Network, data: BatchSource, options: EvaluateOptions = {}): Promise<number> {
  let sum = 0;
  let count = 0;
  await forEachBatch(data, options.batchSize ?? 256, async (batch) => {
    const masks = { ...(batch.featuresMask && { featuresMask: batch.featuresMask }), ...(batch.labelsMask && { labelsMask: batch.labelsMask }) };
    const rows = batch.features.shape[0] as number;
    sum += (await network.score(batch.features, batch.labels, masks)) * rows;
    count += rows;
  });
  return count === 0 ? Number.NaN : sum / count;
}
