import * as tf from '@tensorflow/tfjs-core';
import type { BuiltModel, ModelInput } from './built-model';
import { outputLayerOf, outputShapeOf } from './built-model';
import { Dl4tsError, ShapeError, ValueError, formatShape, formatValue } from './errors';
import type { AnyBatch, MultiBatch } from './training-strategy';
import { toMultiBatch } from './training-strategy';

/** Shapes equal, -1 in `expected` matching any size. */
function sameShape(actual: readonly number[], expected: readonly number[]): boolean {
  return actual.length === expected.length && expected.every((d, i) => d === -1 || d === actual[i]);
}

/** A tensor given to a model must be a tensor and alive; a `ValueError` or `DL4TS_DISPOSED` error naming it otherwise. */
export function checkAlive(t: tf.Tensor | undefined, what: string): void {
  if (t !== undefined && !(t instanceof tf.Tensor)) throw new ValueError(`${what}: expected a tf.Tensor, received ${formatValue(t)}; make one with tf.tensor2d(values) (or pass the data to fit, which converts arrays)`);
  if (t?.isDisposed === true) throw new Dl4tsError('DL4TS_DISPOSED', `${what}: the tensor was disposed before it was used; keep it until the call returns (or pass a copy)`);
}

/** How messages name input `k`: a network's by the layer reading it, a graph's by its name. */
function inputLabel(model: BuiltModel, k: number): string {
  const reader = model.nodes.find((n) => n.inputs.includes(k));
  const input = model.inputs[k] as ModelInput;
  if (model.inputs.length === 1 && input.name === 'input' && reader?.layer !== undefined) return `Layer "${reader.name}" (${reader.layer.key})`;
  return `Input "${input.name}"`;
}

/** Features of input `k` must be `[batch, ...input]`; a {@link ShapeError} naming the input otherwise. */
export function checkFeatures(model: BuiltModel, features: tf.Tensor, k = 0): void {
  checkAlive(features, `${inputLabel(model, k)}: features`);
  const expected = (model.inputs[k] as ModelInput).shape;
  const got = features.shape.slice(1);
  if (features.rank !== expected.length + 1 || !sameShape(got, expected)) {
    const detail =
      features.rank === 2 && expected.length === 1
        ? `input has ${features.shape[1]} features, expected ${expected[0]}`
        : `input has shape ${formatShape(features.shape)}, expected [batch, ${expected.join(', ')}]`;
    throw new ShapeError(`${inputLabel(model, k)}: ${detail}`, features.shape, [-1, ...expected]);
  }
}

/** Labels of output `k` must be `[rows, ...output]`, the last dimension as wide as the loss takes. */
export function checkLabelShape(model: BuiltModel, labels: tf.Tensor, rows: number, k = 0): void {
  const out = outputLayerOf(model, k);
  checkAlive(labels, `Output layer "${out.config.name}": labels`);
  const shape = outputShapeOf(model, k);
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
  checkAlive(mask, name);
  const what = name === 'featuresMask' ? 'features' : 'labels';
  if (of.rank !== 3) throw new ShapeError(`${name}: ${what} have shape ${formatShape(of.shape)}; a mask needs sequences [batch, time, size]`, of.shape, [-1, -1, -1]);
  const expected = [of.shape[0] as number, of.shape[1] as number];
  if (!tf.util.arraysEqual(mask.shape, expected)) {
    throw new ShapeError(`${name}: received shape ${formatShape(mask.shape)}, expected [batch, time] = ${formatShape(expected)} to match the ${what}`, mask.shape, expected);
  }
}

/** A batch of a graph must hold one features tensor per input and one labels tensor per output; a {@link ShapeError} otherwise. */
export function checkArity(model: BuiltModel, batch: MultiBatch): void {
  const names = (list: readonly { name: string }[]) => list.map((x) => `"${x.name}"`).join(', ');
  const outputs = model.outputs.map((o) => ({ name: o.layer.config.name }));
  const counts: [string, number, number, string][] = [
    ['features', batch.features.length, model.inputs.length, `its inputs ${names(model.inputs)}`],
    ['labels', batch.labels.length, model.outputs.length, `its outputs ${names(outputs)}`],
    ['featuresMasks', batch.featuresMasks?.length ?? model.inputs.length, model.inputs.length, 'its inputs (undefined where an input has none)'],
    ['labelsMasks', batch.labelsMasks?.length ?? model.outputs.length, model.outputs.length, 'its outputs (undefined where an output has none)'],
  ];
  for (const [what, got, expected, which] of counts) {
    if (got !== expected) throw new ShapeError(`Minibatch has ${got} ${what} arrays; the model expects ${expected}, one for each of ${which}`, [got], [expected]);
  }
}

/** Every tensor of a minibatch against the model's input and output shapes. */
export function checkBatch(model: BuiltModel, batch: AnyBatch): void {
  const m = toMultiBatch(batch);
  checkArity(model, m);
  const rows = m.features[0]?.shape[0] as number;
  m.features.forEach((features, k) => {
    checkFeatures(model, features, k);
    if (features.shape[0] !== rows) throw new ShapeError(`${inputLabel(model, k)}: features have ${features.shape[0]} rows, but the first input's have ${rows}`, [features.shape[0] as number], [rows]);
    checkMask(m.featuresMasks?.[k], features, 'featuresMask');
  });
  m.labels.forEach((labels, k) => {
    checkLabelShape(model, labels, rows, k);
    checkMask(m.labelsMasks?.[k], labels, 'labelsMask');
  });
}
