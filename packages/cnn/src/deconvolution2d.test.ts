import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError } from '@dl4ts/core';
import { configRoundTrip, inferenceContext, values } from '@dl4ts/core/testing';
import { describe, expect, it } from 'vitest';
import { abs4, deconv2d64, nest, outsideDotBound } from './reference64';
import { builtLayer, layerGradientCheck, normalValues, testRegistry } from './cnn-test-support';

describe('cnn/deconvolution2d', () => {
  it.each([
    ['stride 2, kernel 2: each pixel to a 2x2 block', { kernelSize: 2, stride: 2 }, 2, [8, 6], [0, 0]],
    ['stride 2, kernel 3, explicit padding 1', { kernelSize: 3, stride: 2, padding: 1 }, 2, [7, 5], [1, 1]],
    // 'same' with stride 2 and kernel 3: the convolution it transposes pads 0 before, 1 after.
    ["'same', stride 2: output h s", { kernelSize: 3, stride: 2, padding: 'same' }, 2, [8, 6], [0, 0]],
    ['stride 1, kernel 3', { kernelSize: 3 }, 1, [6, 5], [0, 0]],
  ] as const)('%s: against the definition in float64', async (_name, options, stride, out, pad) => {
    const shape = [2, 4, 3, 3] as const;
    const { layer, outputShape, params } = builtLayer({ type: 'cnn/deconvolution2d', nOut: 2, activation: 'identity', biasInit: 0.5, ...options }, shape.slice(1));
    expect(outputShape).toEqual([...out, 2]);
    const xs = normalValues(71, 72);
    const x = tf.tensor4d(xs, [...shape]);
    const y = layer.forward(x, params, inferenceContext());
    const W = params.W as tf.Tensor;
    const w = nest(await W.data(), W.shape as [number, number, number, number]);
    const b = Array.from(await (params.b as tf.Tensor).data());
    const expected = deconv2d64(nest(xs, shape), w, b, [stride, stride], [...pad], [...out]).flat(3);
    const absSums = deconv2d64(abs4(nest(xs, shape)), abs4(w), b.map(Math.abs), [stride, stride], [...pad], [...out]).flat(3);
    expect(outsideDotBound(await values(y), expected, absSums, 9 * 3)).toEqual([]);
    expect(configRoundTrip(testRegistry, layer, shape.slice(1))).toEqual([]);
    tf.dispose([x, y, ...Object.values(params)]);
  });

  it('gradients for input, W and b agree with finite differences', async () => {
    // Identity: the function is linear in x and bilinear in (W, b), so differences carry only rounding.
    const { layer, params } = builtLayer({ type: 'cnn/deconvolution2d', nOut: 2, kernelSize: 3, stride: 2, padding: 1, activation: 'identity' }, [3, 3, 2]);
    const x = tf.tensor4d(normalValues(73, 36), [2, 3, 3, 2]);
    const result = await layerGradientCheck(layer, x, params);
    expect(result.failures).toEqual([]);
    tf.dispose([x, ...Object.values(params)]);
  });

  it('declares W [kh, kw, nOut, cIn] and refuses bad options and inputs', () => {
    const { params } = builtLayer({ type: 'cnn/deconvolution2d', nOut: 4, kernelSize: [3, 2] }, [5, 5, 6]);
    expect(params.W?.shape).toEqual([3, 2, 4, 6]);
    tf.dispose(Object.values(params));
    expect(() => builtLayer({ type: 'cnn/deconvolution2d', nOut: 0 }, [5, 5, 1])).toThrow(new ConfigError('Layer "l" (cnn/deconvolution2d): nOut must be a positive integer (output channels), received 0'));
    expect(() => builtLayer({ type: 'cnn/deconvolution2d', nOut: 2, stride: 0 }, [5, 5, 1])).toThrow('stride must be an integer >= 1');
    expect(() => builtLayer({ type: 'cnn/deconvolution2d', nOut: 2, kernelSize: 2, padding: 3 }, [2, 2, 1])).toThrow(ShapeError);
    expect(() => builtLayer({ type: 'cnn/deconvolution2d', nOut: 2, nIn: 3 }, [5, 5, 1])).toThrow('input has 1 channels, expected nIn=3');
  });
});
