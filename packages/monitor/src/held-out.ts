import * as tf from '@tensorflow/tfjs-core';
import { Evaluation, ShapeError, formatShape } from '@dl4ts/core';
import type { Network } from '@dl4ts/core';

/** Held-out examples: a `DataSet`, or any features and labels tensors with one row per example. */
export interface HeldOutData {
  readonly features: tf.Tensor;
  readonly labels: tf.Tensor;
}

/** Loss (and accuracy, for a classifier) of a network on held-out data. */
export interface HeldOutResult {
  /** Mean loss plus L1/L2 penalties, as `Network.score` computes it: comparable to the training loss. */
  readonly loss: number;
  /** Fraction of examples whose arg-max output is the labelled class; undefined when not computed. */
  readonly accuracy: number | undefined;
}

/** Options of {@link evaluateHeldOut}. */
export interface HeldOutOptions {
  /** Examples per forward pass. Default 1024. */
  readonly batchSize?: number;
  /**
   * `undefined` (auto): accuracy when the output is a probability vector per example (`[n, k]`,
   * k >= 2, rows non-negative and summing to 1, as softmax gives) and the labels are one-hot or
   * probability rows `[n, k]` or class indices `[n, 1]`. `true`: whenever the shapes fit, whatever
   * the output values (arg-max of logits); a shape that does not fit throws. `false`: never.
   */
  readonly accuracy?: boolean;
}

/** Checks that features and labels have one row per example each. */
export function checkHeldOut(owner: string, data: HeldOutData): void {
  const n = data.features.shape[0];
  if (data.features.rank < 2 || data.labels.rank < 1 || data.labels.shape[0] !== n) {
    throw new ShapeError(
      `${owner}: validation features have shape ${formatShape(data.features.shape)} and labels ${formatShape(data.labels.shape)}; expected [n, ...] and [n, ...] with the same n`,
      data.labels.shape,
      [n ?? -1, -1],
    );
  }
}

/** How labels are read for accuracy: one-hot (or probability) rows, class indices, or not at all (and why). */
type LabelForm = { readonly kind: 'rows' } | { readonly kind: 'indices' } | { readonly kind: 'none'; readonly why: string };

function labelForm(network: Network, labels: tf.Tensor): LabelForm {
  const out = network.outputShape;
  const k = out[0] as number;
  if (out.length !== 1 || k < 2) return { kind: 'none', why: `the output has shape [n, ${out.join(', ')}], expected [n, k] with k >= 2` };
  if (labels.rank === 2 && labels.shape[1] === k) return { kind: 'rows' };
  if (labels.rank === 2 && labels.shape[1] === 1) return { kind: 'indices' };
  return { kind: 'none', why: `labels have shape ${formatShape(labels.shape)}, expected [n, ${k}] (one-hot) or [n, 1] (class indices)` };
}

/** Whether every row of `output` is a probability vector (within float32 rounding). */
async function isProbability(output: tf.Tensor): Promise<boolean> {
  const [low, drift] = tf.tidy(() => [tf.min(output), tf.max(tf.abs(tf.sub(tf.sum(output, 1), 1)))]) as [tf.Tensor, tf.Tensor];
  const [l, d] = await Promise.all([low.data(), drift.data()]);
  tf.dispose([low, drift]);
  return (l[0] as number) >= -1e-6 && (d[0] as number) <= 1e-3;
}

/**
 * Loss and accuracy of `network` on held-out data, in batches, reading the device once per batch.
 * Frees every tensor it makes.
 *
 * @example
 * ```ts
 * const { loss, accuracy } = await evaluateHeldOut(net, test); // accuracy: softmax classifiers only
 * ```
 */
export async function evaluateHeldOut(network: Network, data: HeldOutData, options: HeldOutOptions = {}): Promise<HeldOutResult> {
  checkHeldOut('evaluateHeldOut', data);
  const n = data.features.shape[0] as number;
  const batchSize = options.batchSize ?? 1024;
  const auto = options.accuracy === undefined;
  const form: LabelForm = options.accuracy === false ? { kind: 'none', why: 'accuracy: false' } : labelForm(network, data.labels);
  if (options.accuracy === true && form.kind === 'none') throw new ShapeError(`evaluateHeldOut: accuracy needs a classifier: ${form.why}`, data.labels.shape);
  const evaluation = form.kind === 'none' ? undefined : new Evaluation(network.outputShape[0] as number);
  // Auto mode counts accuracy only if every output row turns out to be a probability vector.
  let probabilities = auto;
  let lossSum = 0;
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    // A number begin/size slices rows and keeps every other axis whole.
    const features = tf.slice(data.features, start, count);
    const labels = tf.slice(data.labels, start, count);
    try {
      // Score = mean loss + penalties; the penalties are the same for every batch, so the
      // example-weighted mean of the batch scores is the score of the whole set.
      lossSum += (await network.score(features, labels)) * count;
      if (evaluation !== undefined) {
        const output = network.output(features);
        try {
          if (probabilities) probabilities = await isProbability(output);
          if (form.kind === 'indices') {
            const indices = tf.reshape(labels, [count]);
            await evaluation.eval(indices, output).finally(() => indices.dispose());
          } else {
            await evaluation.eval(labels, output);
          }
        } finally {
          output.dispose();
        }
      }
    } finally {
      tf.dispose([features, labels]);
    }
  }
  const accuracy = evaluation === undefined || n === 0 || (auto && !probabilities) ? undefined : evaluation.accuracy();
  return { loss: n === 0 ? Number.NaN : lossSum / n, accuracy };
}
