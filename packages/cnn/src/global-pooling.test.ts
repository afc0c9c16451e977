import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, Rng, ShapeError } from '@dl4ts/core';
import { checkGradients, closeness, configRoundTrip, values } from '@dl4ts/core/testing';
import { describe, expect, it } from 'vitest';
import { max64, mean64, nest, pnorm64, sum64 } from './reference64';
import { builtLayer, normalValues, testRegistry } from './cnn-test-support';

const REDUCE = { max: max64, avg: mean64, sum: sum64, pnorm: pnorm64(3) } as const;
const context = { training: false, rng: new Rng(1) };

describe('cnn/global-pooling', () => {
  it.each(['max', 'avg', 'sum', 'pnorm'] as const)('%s over all of space: [h, w, c] -> [c]', async (type) => {
    const xs = normalValues(61, 2 * 3 * 4 * 5);
    const { layer, outputShape } = builtLayer({ type: 'cnn/global-pooling', poolingType: type, ...(type === 'pnorm' ? { pnorm: 3 } : {}) }, [3, 4, 5]);
    expect(outputShape).toEqual([5]);
    const x = tf.tensor4d(xs, [2, 3, 4, 5]);
    const y = layer.forward(x, {}, context);
    const images = nest(xs, [2, 3, 4, 5]);
    const expected = images.flatMap((image) => [0, 1, 2, 3, 4].map((c) => REDUCE[type](image.flatMap((row) => row.map((px) => px[c] as number)))));
    expect(closeness(await values(y), expected, type)).toBeUndefined();
    expect(configRoundTrip(testRegistry, layer, [3, 4, 5])).toEqual([]);
    tf.dispose([x, y]);
  });

  it.each(['max', 'avg', 'sum', 'pnorm'] as const)('%s over the unmasked steps of sequences: [t, f] -> [f]', async (type) => {
    const xs = normalValues(62, 2 * 4 * 3);
    const lengths = [4, 2];
    const { layer, outputShape } = builtLayer({ type: 'cnn/global-pooling', poolingType: type, ...(type === 'pnorm' ? { pnorm: 3 } : {}) }, [4, 3]);
    expect(outputShape).toEqual([3]);
    const x = tf.tensor3d(xs, [2, 4, 3]);
    const mask = tf.tensor2d(lengths.map((l) => [0, 1, 2, 3].map((t) => (t < l ? 1 : 0))));
    const y = layer.forward(x, {}, { ...context, mask });
    const expected = lengths.flatMap((l, n) => [0, 1, 2].map((f) => REDUCE[type](Array.from({ length: l }, (_, t) => xs[(n * 4 + t) * 3 + f] as number))));
    expect(closeness(await values(y), expected, type)).toBeUndefined();
    tf.dispose([x, mask, y]);
  });

  it('gradients agree with finite differences (avg over space, pnorm over masked time)', async () => {
    const { layer: avg } = builtLayer({ type: 'cnn/global-pooling', poolingType: 'avg' }, [2, 3, 2]);
    const x = tf.tensor4d(normalValues(63, 24), [2, 2, 3, 2]);
    expect((await checkGradients(([xi]) => tf.sum(tf.mul(avg.forward(xi as tf.Tensor, {}, context), tf.tensor1d([1, -2]))), [x])).failures).toEqual([]);
    const { layer: pnorm } = builtLayer({ type: 'cnn/global-pooling', poolingType: 'pnorm' }, [3, 2]);
    const s = tf.tensor3d(normalValues(64, 12), [2, 3, 2]);
    const mask = tf.tensor2d([[1, 1, 0], [1, 1, 1]]);
    expect((await checkGradients(([si]) => tf.sum(pnorm.forward(si as tf.Tensor, {}, { ...context, mask })), [s])).failures).toEqual([]);
    tf.dispose([x, s, mask]);
  });

  it('refuses flat input and bad pooling types', () => {
    expect(() => builtLayer({ type: 'cnn/global-pooling' }, [5])).toThrow(ShapeError);
    expect(() => builtLayer({ type: 'cnn/global-pooling' }, [5])).toThrow('input has shape [5] per example, expected an image [height, width, channels] or a sequence [time, features]');
    expect(() => builtLayer({ type: 'cnn/global-pooling', poolingType: 'min' }, [2, 2, 1])).toThrow(ConfigError);
  });
});
