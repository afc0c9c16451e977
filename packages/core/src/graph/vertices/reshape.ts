import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError, formatShape } from '../../errors';
import type { Shape } from '../../layer';
import { expectInputCount, numberOption, vertexLabel } from '../vertex';
import { defineVertex } from './define';

/** DL4J's SubsetVertex: features `from` to `to` (both included) along the last axis. */
export const subsetVertex = defineVertex('core/subset', 'Features `from` to `to` (inclusive) along the last axis', ['from', 'to'], (config) => {
  const from = numberOption(config, 'from', { integer: true, min: 0 });
  const to = numberOption(config, 'to', { integer: true, min: from });
  return {
    build(shapes) {
      expectInputCount(config, shapes, 1);
      const shape = shapes[0] as Shape;
      const size = shape[shape.length - 1] as number;
      if (to >= size) throw new ShapeError(`${vertexLabel(config)}: to is ${to}, but input "${config.inputs[0]}" has shape ${formatShape(shape)}, ${size} features along its last axis`, shape, [...shape.slice(0, -1), to + 1]);
      return [...shape.slice(0, -1), to - from + 1];
    },
    forward(inputs) {
      const x = inputs[0] as tf.Tensor;
      return tf.slice(x, [...new Array<number>(x.rank - 1).fill(0), from], [...new Array<number>(x.rank - 1).fill(-1), to - from + 1]);
    },
  };
});

/**
 * A reshape of each example (DL4J's ReshapeVertex, and its preprocessors between convolutional
 * and dense layers): `shape` without the batch dimension, one entry may be -1 (inferred).
 */
export const reshapeVertex = defineVertex('core/reshape', 'Reshapes each example to `shape` (one entry may be -1)', ['shape'], (config) => {
  const target = config.shape;
  const valid = Array.isArray(target) && target.length > 0 && target.every((d) => Number.isInteger(d) && (d === -1 || d > 0)) && target.filter((d) => d === -1).length <= 1;
  if (!valid) throw new ConfigError(`${vertexLabel(config)}: shape must be a non-empty array of positive integers with at most one -1, received ${JSON.stringify(target)}`);
  const shape = target as number[];
  // The shape with its -1 resolved, known once built.
  let resolvedShape: readonly number[] = shape;
  return {
    build(shapes) {
      expectInputCount(config, shapes, 1);
      const input = shapes[0] as Shape;
      if (input.includes(-1)) throw new ShapeError(`${vertexLabel(config)}: input "${config.inputs[0]}" has a free dimension, ${formatShape(input)}; a reshape needs fixed sizes`, input, input);
      const size = input.reduce((a, b) => a * b, 1);
      const known = shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
      const resolved = shape.map((d) => (d === -1 ? size / known : d));
      if (!resolved.every((d) => Number.isInteger(d)) || resolved.reduce((a, b) => a * b, 1) !== size) {
        throw new ShapeError(`${vertexLabel(config)}: input "${config.inputs[0]}" has shape ${formatShape(input)} (${size} values), which cannot be reshaped to ${formatShape(shape)}`, input, shape);
      }
      resolvedShape = resolved;
      return resolved;
    },
    forward: (inputs) => tf.reshape(inputs[0] as tf.Tensor, [(inputs[0] as tf.Tensor).shape[0] as number, ...resolvedShape]),
  };
});
