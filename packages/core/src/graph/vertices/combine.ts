import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError, formatShape, formatValue } from '../../errors';
import type { Shape } from '../../layer';
import { expectInputCount, expectSameShapes, numberOption, vertexLabel } from '../vertex';
import { defineVertex } from './define';

/** DL4J's MergeVertex: concatenation along the last axis (features, or channels of `[h, w, c]` images). */
export const mergeVertex = defineVertex('core/merge', 'Concatenates its inputs along the last axis (features, or channels)', [], (config) => ({
  build(shapes) {
    expectInputCount(config, shapes, 2, Infinity);
    const first = shapes[0] as Shape;
    shapes.forEach((shape, i) => {
      const same = shape.length === first.length && shape.slice(0, -1).every((d, j) => d === first[j] || d === -1 || first[j] === -1);
      if (!same) {
        throw new ShapeError(
          `${vertexLabel(config)}: input "${config.inputs[i]}" has shape ${formatShape(shape)}, input "${config.inputs[0]}" has ${formatShape(first)}; merged inputs must agree in every dimension but the last`,
          shape,
          [...first.slice(0, -1), -1],
        );
      }
    });
    return [...first.slice(0, -1), shapes.reduce((n, s) => n + (s[s.length - 1] as number), 0)];
  },
  forward: (inputs) => tf.concat([...inputs], -1),
}));

const OPS = ['add', 'subtract', 'product', 'average', 'max'] as const;
/** The operations of {@link elementwiseVertex}, DL4J's `ElementWiseVertex.Op`. */
export type ElementwiseOp = (typeof OPS)[number];

/** DL4J's ElementWiseVertex: add, subtract (two inputs), product, average or max of inputs of one shape. */
export const elementwiseVertex = defineVertex('core/elementwise', 'Element-wise add, subtract, product, average or max of inputs of the same shape', ['op'], (config) => {
  const raw = typeof config.op === 'string' ? config.op.toLowerCase() : config.op;
  const op = OPS.find((o) => o === raw);
  if (op === undefined) throw new ConfigError(`${vertexLabel(config)}: op must be one of ${OPS.join(', ')}, received ${JSON.stringify(config.op)}`);
  return {
    build(shapes) {
      if (op === 'subtract') expectInputCount(config, shapes, 2);
      else expectInputCount(config, shapes, 2, Infinity);
      return expectSameShapes(config, shapes);
    },
    forward(inputs) {
      const list = [...inputs];
      switch (op) {
        case 'add':
          return tf.addN(list);
        case 'subtract':
          return tf.sub(list[0] as tf.Tensor, list[1] as tf.Tensor);
        case 'product':
          return list.slice(1).reduce((a, b) => tf.mul(a, b), list[0] as tf.Tensor);
        case 'average':
          return tf.div(tf.addN(list), list.length);
        case 'max':
          return list.slice(1).reduce((a, b) => tf.maximum(a, b), list[0] as tf.Tensor);
      }
    },
  };
});

/** DL4J's StackVertex: inputs of one shape stacked along the batch, `[n1 + n2 + ..., ...]` (shared weights over several inputs). */
export const stackVertex = defineVertex('core/stack', 'Stacks inputs of the same shape along the batch dimension', [], (config) => ({
  build(shapes) {
    expectInputCount(config, shapes, 1, Infinity);
    return expectSameShapes(config, shapes);
  },
  forward: (inputs) => (inputs.length === 1 ? (inputs[0] as tf.Tensor) : tf.concat([...inputs], 0)),
  outputMask: (masks) => (masks.every((m) => m !== undefined) && masks.length > 0 ? tf.concat(masks as tf.Tensor[], 0) : undefined),
}));

/** DL4J's UnstackVertex: part `from` of `stackSize` equal parts along the batch (the inverse of {@link stackVertex}). */
export const unstackVertex = defineVertex('core/unstack', 'Takes part `from` of `stackSize` equal parts along the batch dimension', ['from', 'stackSize'], (config) => {
  const stackSize = numberOption(config, 'stackSize', { integer: true, min: 1 });
  const from = numberOption(config, 'from', { integer: true, min: 0 });
  if (from >= stackSize) throw new ConfigError(`${vertexLabel(config)}: from must be below stackSize (${stackSize}), received ${formatValue(from)}`);
  const part = (t: tf.Tensor): tf.Tensor => {
    const n = t.shape[0] as number;
    if (n % stackSize !== 0) throw new ShapeError(`${vertexLabel(config)}: a batch of ${n} rows does not split into ${stackSize} equal parts`, [n], [stackSize * Math.ceil(n / stackSize)]);
    const size = n / stackSize;
    return tf.slice(t, from * size, size);
  };
  return {
    build(shapes) {
      expectInputCount(config, shapes, 1);
      return shapes[0] as Shape;
    },
    forward: (inputs) => part(inputs[0] as tf.Tensor),
    outputMask: (masks) => (masks[0] === undefined ? undefined : part(masks[0])),
  };
});
