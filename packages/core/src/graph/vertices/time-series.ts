import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, formatShape } from '../../errors';
import type { Shape } from '../../layer';
import type { ResolvedVertexConfig } from '../vertex';
import { expectInputCount, vertexLabel } from '../vertex';
import { defineVertex } from './define';

/** Requires a sequence input `[time, features]`; a {@link ShapeError} naming the vertex otherwise. */
function expectSequence(config: ResolvedVertexConfig, shape: Shape, which = 0): void {
  if (shape.length !== 2) {
    throw new ShapeError(`${vertexLabel(config)}: input "${config.inputs[which]}" has shape ${formatShape(shape)}; expected a sequence [time, features]`, shape, [-1, -1]);
  }
}

/** Index `[batch]` of each sequence's last real step: the last step where the mask is 1 (the last step without a mask). */
function lastStepIndex(x: tf.Tensor, mask: tf.Tensor | undefined): tf.Tensor1D {
  const [n, time] = x.shape as [number, number];
  if (mask === undefined) return tf.fill([n], time - 1, 'int32');
  // argMax of mask * (t + 1) is the largest t whose mask is set.
  return tf.cast(tf.argMax(tf.mul(mask, tf.range(1, time + 1)), 1), 'int32') as tf.Tensor1D;
}

/** DL4J's LastTimeStepVertex: `[time, features]` to the features of each sequence's last real step, `[features]`, honouring its mask. */
export const lastTimeStepVertex = defineVertex('core/last-time-step', "Each sequence's last real step (by its mask), `[time, f]` to `[f]`", [], (config) => ({
  build(shapes) {
    expectInputCount(config, shapes, 1);
    const shape = shapes[0] as Shape;
    expectSequence(config, shape);
    return [shape[1] as number];
  },
  forward(inputs, context) {
    const x = inputs[0] as tf.Tensor3D;
    const time = x.shape[1];
    const pick = tf.oneHot(lastStepIndex(x, context.masks[0]), time);
    return tf.sum(tf.mul(x, tf.expandDims(pick, 2)), 1);
  },
  outputMask: () => undefined,
}));

/**
 * DL4J's DuplicateToTimeSeriesVertex: a vector `[f]` repeated at every step of a reference
 * sequence, its second input `[time, g]`, giving `[time, f]` with the reference's mask. No
 * gradient flows into the reference.
 */
export const duplicateToTimeSeriesVertex = defineVertex('core/duplicate-to-time-series', 'Repeats a vector at every step of its second input, a sequence', [], (config) => ({
  build(shapes) {
    expectInputCount(config, shapes, 2);
    const [vector, reference] = shapes as [Shape, Shape];
    if (vector.length !== 1) throw new ShapeError(`${vertexLabel(config)}: input "${config.inputs[0]}" has shape ${formatShape(vector)}; expected a vector [features]`, vector, [-1]);
    expectSequence(config, reference, 1);
    return [reference[0] as number, vector[0] as number];
  },
  forward(inputs) {
    const [vector, reference] = inputs as [tf.Tensor2D, tf.Tensor3D];
    return tf.tile(tf.expandDims(vector, 1), [1, reference.shape[1], 1]);
  },
  outputMask: (masks) => masks[1],
}));

/**
 * DL4J's ReverseTimeSeriesVertex: each sequence in reverse order of time. With a mask, the real
 * steps of each sequence are reversed in place and its padding stays at the end.
 */
export const reverseTimeSeriesVertex = defineVertex('core/reverse-time-series', 'Reverses each sequence in time (its real steps, by its mask)', [], (config) => ({
  build(shapes) {
    expectInputCount(config, shapes, 1);
    expectSequence(config, shapes[0] as Shape);
    return shapes[0] as Shape;
  },
  forward(inputs, context) {
    const x = inputs[0] as tf.Tensor3D;
    const mask = context.masks[0];
    if (mask === undefined) return tf.reverse(x, 1);
    const time = x.shape[1];
    // Step t of the output reads step length - 1 - t of the input where t is a real step, t otherwise.
    const steps = tf.range(0, time, 1, 'int32');
    const lengths = tf.cast(tf.sum(mask, 1, true), 'int32');
    // All int32: a number operand would make the reversed index float32 beside int32 steps, and
    // tf.where of mixed dtypes reads one of them wrongly on wasm.
    const reversed = tf.sub(tf.sub(lengths, tf.scalar(1, 'int32')), steps);
    const source = tf.where(tf.less(steps, lengths), reversed, tf.broadcastTo(steps, [x.shape[0], time]));
    return tf.matMul(tf.oneHot(source as tf.Tensor2D, time), x);
  },
}));
