import * as tf from '@tensorflow/tfjs-core';
import { Evaluation, ShapeError, formatShape } from '@dl4ts/core';
import type { BatchSource, EvaluateOptions, EvaluationOptions, Network } from '@dl4ts/core';

/**
 * Adds the scored steps of a batch of sequence outputs to `evaluation` (DL4J's `evalTimeSeries`):
 * labels and outputs `[batch, time, classes]` are flattened to one row per step, and steps where
 * `mask` `[batch, time]` is 0 are dropped.
 *
 * @example
 * ```ts
 * await evalTimeSeries(ev, labels, net.output(features, { featuresMask }), featuresMask);
 * ```
 */
export async function evalTimeSeries(evaluation: Evaluation, labels: tf.Tensor, outputs: tf.Tensor, mask?: tf.Tensor): Promise<Evaluation> {
  for (const [name, t] of [['labels', labels], ['outputs', outputs]] as const) {
    if (t.rank !== 3) throw new ShapeError(`evalTimeSeries: ${name} have shape ${formatShape(t.shape)}, expected [batch, time, classes]`, t.shape, [-1, -1, evaluation.numClasses]);
  }
  const [batch, time] = outputs.shape as [number, number, number];
  if (mask !== undefined && !tf.util.arraysEqual(mask.shape, [batch, time])) {
    throw new ShapeError(`evalTimeSeries: mask has shape ${formatShape(mask.shape)}, expected [batch, time] = ${formatShape([batch, time])}`, mask.shape, [batch, time]);
  }
  const flat = (t: tf.Tensor) => tf.reshape(t, [batch * time, t.shape[2] as number]);
  if (mask === undefined) {
    const [l, o] = tf.tidy(() => [flat(labels), flat(outputs)]) as [tf.Tensor, tf.Tensor];
    try {
      return await evaluation.eval(l, o);
    } finally {
      tf.dispose([l, o]);
    }
  }
  const m = await mask.data();
  const kept: number[] = [];
  for (let i = 0; i < m.length; i++) if (m[i] !== 0) kept.push(i);
  if (kept.length === 0) return evaluation;
  const [l, o] = tf.tidy(() => {
    const rows = tf.tensor1d(kept, 'int32');
    return [tf.gather(flat(labels), rows), tf.gather(flat(outputs), rows)];
  }) as [tf.Tensor, tf.Tensor];
  try {
    return await evaluation.eval(l, o);
  } finally {
    tf.dispose([l, o]);
  }
}

/**
 * Classification metrics of a sequence-output network on held-out sequences (inference, in order):
 * every step's output against its label, leaving out the steps masked by the labels mask (or else
 * the features mask). Returns core's {@link Evaluation}, or adds to `options.evaluation`.
 *
 * @example
 * ```ts
 * const ev = await evaluateSequences(net, test);
 * console.log(ev.accuracy(), ev.confusionTable());
 * ```
 */
export async function evaluateSequences(
  network: Network,
  data: BatchSource,
  options: EvaluateOptions & EvaluationOptions & { evaluation?: Evaluation } = {},
): Promise<Evaluation> {
  const evaluation = options.evaluation ?? new Evaluation(network.outputShape[network.outputShape.length - 1] as number, options);
  for await (const batch of data.batches(options.batchSize ?? 256)) {
    const { features, labels, featuresMask, labelsMask } = batch;
    try {
      const outputs = network.output(features, featuresMask === undefined ? {} : { featuresMask });
      try {
        await evalTimeSeries(evaluation, labels, outputs, labelsMask ?? featuresMask);
      } finally {
        outputs.dispose();
      }
    } finally {
      tf.dispose([features, labels, ...[featuresMask, labelsMask].filter((t): t is tf.Tensor => t !== undefined)]);
    }
  }
  return evaluation;
}
