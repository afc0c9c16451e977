import * as tf from '@tensorflow/tfjs-core';
import type { BuiltModel } from './built-model';
import { outputLayerOf, outputShapeOf } from './built-model';
import { ShapeError, formatShape } from './errors';
import type { Layer, Shape } from './layer';
import type { Batch } from './training-strategy';

/** Shapes equal, -1 in `expected` matching any size. */
function sameShape(actual: readonly number[], expected: readonly number[]): boolean {
  return actual.length === expected.length && expected.every((d, i) => d === -1 || d === actual[i]);
}

/** Features must be `[batch, ...input]`; a {@link ShapeError} naming the first layer otherwise. */
export function checkFeatures(model: BuiltModel, features: tf.Tensor): void {
  const expected = model.shapes[0] as Shape;
  const got = features.shape.slice(1);
  if (features.rank !== expected.length + 1 || !sameShape(got, expected)) {
    const first = model.layers[0] as Layer;
    const detail =
      features.rank === 2 && expected.length === 1
        ? `input has ${features.shape[1]} features, expected ${expected[0]}`
        : `input has shape ${formatShape(features.shape)}, expected [batch, ${expected.join(', ')}]`;
    throw new ShapeError(`Layer "${first.config.name}" (${first.key}): ${detail}`, features.shape, [-1, ...expected]);
  }
}

/** Labels must be `[rows, ...output]`, the last dimension as wide as the loss takes. */
export function checkLabelShape(model: BuiltModel, labels: tf.Tensor, rows: number): void {
  const out = outputLayerOf(model);
  const shape = outputShapeOf(model);
  const nOut = shape[shape.length - 1] as number;
  const width = out.loss.labelWidth?.(nOut) ?? nOut;
  const expected = [...shape.slice(0, -1), width];
  if (labels.rank !== expected.length + 1 || !sameShape(labels.shape.slice(1), expected)) {
    // One column where the loss wants one per class: class indices given to a one-hot loss.
    const indices = labels.shape[labels.rank - 1] === 1 && width > 1 && labels.rank === expected.length + 1;
    const hint = indices ? `; labels with one column look like class indices: one-hot them (oneHot(labels, ${width})), or use a loss that takes indices (losses/sparse-mcxent)` : '';
    throw new ShapeError(
      `Output layer "${out.config.name}" (${out.loss.key}): labels have shape ${formatShape(labels.shape)}, expected [batch, ${expected.join(', ')}]${hint}`,
      labels.shape,
      [-1, ...expected],
    );
  }
  if (labels.shape[0] !== rows) {
    throw new ShapeError(`Minibatch has ${rows} feature rows but ${labels.shape[0]} label rows`, [labels.shape[0] as number], [rows]);
  }
}

/** A mask must be `[batch, time]` of the sequence it masks. */
export function checkMask(mask: tf.Tensor | undefined, of: tf.Tensor, name: 'featuresMask' | 'labelsMask'): void {
  if (mask === undefined) return;
  const what = name === 'featuresMask' ? 'features' : 'labels';
  if (of.rank !== 3) throw new ShapeError(`${name}: ${what} have shape ${formatShape(of.shape)}; a mask needs sequences [batch, time, size]`, of.shape, [-1, -1, -1]);
  const expected = [of.shape[0] as number, of.shape[1] as number];
  if (!tf.util.arraysEqual(mask.shape, expected)) {
    throw new ShapeError(`${name}: received shape ${formatShape(mask.shape)}, expected [batch, time] = ${formatShape(expected)} to match the ${what}`, mask.shape, expected);
  }
}

/** Every tensor of a minibatch against the network's input and output shapes. */
export function checkBatch(model: BuiltModel, batch: Batch): void {
  checkFeatures(model, batch.features);
  checkLabelShape(model, batch.labels, batch.features.shape[0] as number);
  checkMask(batch.featuresMask, batch.features, 'featuresMask');
  checkMask(batch.labelsMask, batch.labels, 'labelsMask');
}
