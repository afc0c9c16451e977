import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError } from '@dl4ts/core';
import { configRoundTrip, inferenceContext, values } from '@dl4ts/core/testing';
import { describe, expect, it } from 'vitest';
import { builtLayer, testRegistry } from './cnn-test-support';

describe('cnn/reshape and cnn/flatten', () => {
  it('reshape: flat rows to images, values in row-major order, -1 inferred', async () => {
    const { layer, outputShape } = builtLayer({ type: 'cnn/reshape', shape: [2, -1, 3] }, [12]);
    expect(outputShape).toEqual([2, 2, 3]);
    const x = tf.tensor2d([Array.from({ length: 12 }, (_, i) => i), Array.from({ length: 12 }, (_, i) => 100 + i)]);
    const y = layer.forward(x, {}, inferenceContext());
    expect(y.shape).toEqual([2, 2, 2, 3]);
    // [n, r, q, c] = n * 100 + (r * 2 + q) * 3 + c
    expect(((await y.array()) as number[][][][])[1]?.[1]?.[0]).toEqual([106, 107, 108]);
    expect(configRoundTrip(testRegistry, layer, [12])).toEqual([]);
    tf.dispose([x, y]);
  });

  it('flatten: images to vectors, channels fastest; reshape then flatten is the identity', async () => {
    const { layer: flatten, outputShape } = builtLayer({ type: 'cnn/flatten' }, [2, 2, 3]);
    const { layer: reshape } = builtLayer({ type: 'cnn/reshape', shape: [2, 2, 3] }, [12]);
    expect(outputShape).toEqual([12]);
    const x = tf.tensor2d([Array.from({ length: 12 }, (_, i) => i * 0.5)]);
    const y = tf.tidy(() => flatten.forward(reshape.forward(x, {}, inferenceContext()), {}, inferenceContext()));
    expect(await values(y)).toEqual(await values(x));
    tf.dispose([x, y]);
  });

  it('refuses shapes that cannot hold the input, and bad shape options', () => {
    expect(() => builtLayer({ type: 'cnn/reshape', shape: [5, 5, 1] }, [784])).toThrow(
      new ShapeError('Layer "l" (cnn/reshape): input has shape [784] (784 values per example), which cannot be reshaped to [5, 5, 1]', [784], [5, 5, 1]),
    );
    expect(() => builtLayer({ type: 'cnn/reshape', shape: [5, -1] }, [12])).toThrow('which cannot be reshaped to [5, -1]');
    expect(() => builtLayer({ type: 'cnn/reshape', shape: [-1, -1] }, [12])).toThrow(new ConfigError('Layer "l" (cnn/reshape): shape must be a non-empty array of positive integers with at most one -1, received [-1, -1]'));
    expect(() => builtLayer({ type: 'cnn/reshape', shape: '28x28' }, [784])).toThrow(ConfigError);
    expect(() => builtLayer({ type: 'cnn/flatten' }, [-1, 3])).toThrow('flattening needs known sizes');
  });
});
