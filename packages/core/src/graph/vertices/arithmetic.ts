import * as tf from '@tensorflow/tfjs-core';
import type { Shape } from '../../layer';
import { expectInputCount, expectSameShapes, numberOption } from '../vertex';
import { defineVertex } from './define';

/** The axes of one example: every axis but the batch. */
function exampleAxes(t: tf.Tensor): number[] {
  return Array.from({ length: t.rank - 1 }, (_, i) => i + 1);
}

/** DL4J's ScaleVertex: the input times a constant. */
export const scaleVertex = defineVertex('core/scale', 'Multiplies its input by the constant `scale`', ['scale'], (config) => {
  const scale = numberOption(config, 'scale');
  return {
    build(shapes) {
      expectInputCount(config, shapes, 1);
      return shapes[0] as Shape;
    },
    forward: (inputs) => tf.mul(inputs[0] as tf.Tensor, scale),
  };
});

/** DL4J's ShiftVertex: the input plus a constant. */
export const shiftVertex = defineVertex('core/shift', 'Adds the constant `shift` to its input', ['shift'], (config) => {
  const shift = numberOption(config, 'shift');
  return {
    build(shapes) {
      expectInputCount(config, shapes, 1);
      return shapes[0] as Shape;
    },
    forward: (inputs) => tf.add(inputs[0] as tf.Tensor, shift),
  };
});

/**
 * DL4J's L2Vertex: the Euclidean distance between two inputs of one shape, one value per example
 * (`[1]`), as siamese and triplet networks compare embeddings. Its gradient divides by the
 * distance, floored at `eps` (default 1e-8) so that equal inputs give a zero gradient, not NaN.
 */
export const l2Vertex = defineVertex('core/l2', 'Euclidean distance between two inputs, one value per example', ['eps'], (config) => {
  const eps = numberOption(config, 'eps', { min: 0, fallback: 1e-8 });
  const distance = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [difference, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const d = tf.sqrt(tf.sum(tf.square(difference), exampleAxes(difference), true));
    save([difference, d]);
    return {
      value: tf.reshape(d, [-1, 1]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [diff, norm] = saved as [tf.Tensor, tf.Tensor];
        const dyShaped = tf.reshape(dy, norm.shape);
        return tf.mul(diff, tf.div(dyShaped, tf.maximum(norm, eps)));
      },
    };
  });
  return {
    build(shapes) {
      expectInputCount(config, shapes, 2);
      expectSameShapes(config, shapes);
      return [1];
    },
    forward: (inputs) => distance(tf.sub(inputs[0] as tf.Tensor, inputs[1] as tf.Tensor)),
    outputMask: () => undefined,
  };
});

/** DL4J's L2NormalizeVertex: each example divided by its Euclidean norm over all its values, floored at `eps` (default 1e-8). */
export const l2NormalizeVertex = defineVertex('core/l2-normalize', "Divides each example by its Euclidean norm (floored at `eps`)", ['eps'], (config) => {
  const eps = numberOption(config, 'eps', { min: 0, fallback: 1e-8 });
  return {
    build(shapes) {
      expectInputCount(config, shapes, 1);
      return shapes[0] as Shape;
    },
    forward(inputs) {
      const x = inputs[0] as tf.Tensor;
      return tf.div(x, tf.maximum(tf.sqrt(tf.sum(tf.square(x), exampleAxes(x), true)), eps));
    },
  };
});
