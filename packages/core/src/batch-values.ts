import * as tf from '@tensorflow/tfjs-core';
import type { BuiltModel } from './built-model';
import { outputLayerOf, outputShapeOf } from './built-model';
import { ValueError } from './errors';
import type { MultiBatch } from './training-strategy';

// Label checks of data at the boundary: labels what each loss expects (class indices in range,
// distributions that sum to 1). Finiteness is checked in finite-values.ts, shapes in
// input-checks.ts; these read values, so they run once per data set, or on a source's batches
// during the first epoch.

/**
 * Runs each output's `loss.checkLabels` (where the loss has one) on the batch's labels as rows
 * `[rows, width]`: sequence labels `[batch, time, width]` flattened over time, with the steps their
 * mask (the labels mask, else a features mask of the same steps) removes left out. The loss's
 * error is prefixed with `where`.
 */
export async function checkLabelValues(model: BuiltModel, batch: MultiBatch, where: string): Promise<void> {
  for (const [k, labels] of batch.labels.entries()) {
    const loss = outputLayerOf(model, k).loss;
    if (loss.checkLabels === undefined) continue;
    const shape = outputShapeOf(model, k);
    const nOut = shape[shape.length - 1] as number;
    const rows = await labelRows(labels, stepMask(batch, k, labels));
    try {
      await loss.checkLabels(rows, nOut);
    } catch (error) {
      if (error instanceof ValueError) throw new ValueError(`${where}: ${batch.labels.length > 1 ? `labels[${k}]: ` : ''}${error.message}`);
      throw error;
    } finally {
      if (rows !== labels) rows.dispose();
    }
  }
}

/** The mask of a sequence output's steps: its labels mask, else a features mask over the same steps. */
function stepMask(batch: MultiBatch, k: number, labels: tf.Tensor): tf.Tensor | undefined {
  if (labels.rank !== 3) return undefined;
  const own = batch.labelsMasks?.[k];
  if (own !== undefined) return own;
  return batch.featuresMasks?.find((m) => m !== undefined && m.shape[0] === labels.shape[0] && m.shape[1] === labels.shape[1]);
}

async function labelRows(labels: tf.Tensor, mask: tf.Tensor | undefined): Promise<tf.Tensor> {
  if (labels.rank < 3) return labels;
  const width = labels.shape[labels.rank - 1] as number;
  const flat = tf.reshape(labels, [-1, width]);
  if (mask === undefined) return flat;
  const keep = tf.tidy(() => tf.greater(tf.reshape(mask, [-1]), 0));
  try {
    return await tf.booleanMaskAsync(flat, keep);
  } finally {
    tf.dispose([flat, keep]);
  }
}
