import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '@dl4ts/core';
import { configRoundTrip, inferenceContext, values } from '@dl4ts/core/testing';
import { describe, expect, it } from 'vitest';
import type { Window64 } from './reference64';
import { abs4, conv2d64, depthwiseKernel64, nest, outsideDotBound } from './reference64';
import { builtLayer, layerGradientCheck, normalValues, testRegistry } from './cnn-test-support';

const SHAPE = [2, 6, 5, 3] as const;
const XS = normalValues(81, SHAPE.reduce((a, b) => a * b, 1));

describe('cnn/depthwise-convolution2d and cnn/separable-convolution2d', () => {
  it.each([
    ['multiplier 2, valid', { depthMultiplier: 2, kernelSize: 3 }, { kernel: [3, 3], stride: [1, 1], pad: [0, 0, 0, 0] }],
    // 6x5, kernel 3, stride 2: rows pad 0 + 1, columns 1 + 1.
    ["'same', stride 2", { kernelSize: 3, stride: 2, padding: 'same' }, { kernel: [3, 3], stride: [2, 2], pad: [0, 1, 1, 1] }],
    ['dilation 2, explicit padding', { kernelSize: 2, dilation: 2, padding: [1, 0, 0, 1] }, { kernel: [2, 2], stride: [1, 1], dilation: [2, 2], pad: [1, 0, 0, 1] }],
  ] as [string, Record<string, unknown>, Window64][])('depthwise %s: against the definition in float64', async (_name, options, window) => {
    const { layer, outputShape, params } = builtLayer({ type: 'cnn/depthwise-convolution2d', activation: 'identity', hasBias: false, ...options }, SHAPE.slice(1));
    const x = tf.tensor(XS, [...SHAPE]);
    const y = layer.forward(x, params, inferenceContext());
    expect(y.shape).toEqual([2, ...outputShape]);
    const W = params.W as tf.Tensor;
    const w = nest(await W.data(), W.shape as [number, number, number, number]);
    const expected = conv2d64(nest(XS, SHAPE), depthwiseKernel64(w), undefined, window).flat(3);
    const absSums = conv2d64(abs4(nest(XS, SHAPE)), depthwiseKernel64(abs4(w)), undefined, window).flat(3);
    expect(outsideDotBound(await values(y), expected, absSums, window.kernel[0] * window.kernel[1])).toEqual([]);
    expect(configRoundTrip(testRegistry, layer, SHAPE.slice(1))).toEqual([]);
    tf.dispose([x, y, ...Object.values(params)]);
  });

  it('separable: the depthwise result mixed by a 1x1 convolution, plus the bias', async () => {
    const { layer, outputShape, params } = builtLayer({ type: 'cnn/separable-convolution2d', nOut: 4, depthMultiplier: 2, kernelSize: 3, activation: 'identity', biasInit: 0.25 }, SHAPE.slice(1));
    expect(outputShape).toEqual([4, 3, 4]);
    expect(params.P?.shape).toEqual([1, 1, 6, 4]);
    const x = tf.tensor(XS, [...SHAPE]);
    const y = layer.forward(x, params, inferenceContext());
    const window: Window64 = { kernel: [3, 3], stride: [1, 1], pad: [0, 0, 0, 0] };
    const [W, P] = [params.W as tf.Tensor, params.P as tf.Tensor];
    const w = nest(await W.data(), W.shape as [number, number, number, number]);
    const p = nest(await P.data(), P.shape as [number, number, number, number]);
    const b = Array.from(await (params.b as tf.Tensor).data());
    const depth = conv2d64(nest(XS, SHAPE), depthwiseKernel64(w), undefined, window);
    const expected = conv2d64(depth, p, b, { kernel: [1, 1], stride: [1, 1], pad: [0, 0, 0, 0] }).flat(3);
    // Two rounds of sums: 9 taps, then 6 channels; bound them by the magnitudes of both.
    const absDepth = conv2d64(abs4(nest(XS, SHAPE)), depthwiseKernel64(abs4(w)), undefined, window);
    const absSums = conv2d64(absDepth, abs4(p), b.map(Math.abs), { kernel: [1, 1], stride: [1, 1], pad: [0, 0, 0, 0] }).flat(3);
    expect(outsideDotBound(await values(y), expected, absSums, 9 + 6)).toEqual([]);
    tf.dispose([x, y, ...Object.values(params)]);
  });

  it.each([
    // Identity activations: the function is linear (bilinear in W and P), so central differences
    // carry only rounding, and the gradients are not shrunk by a saturated tanh.
    ['depthwise', { type: 'cnn/depthwise-convolution2d', depthMultiplier: 2, kernelSize: 2, stride: 2, activation: 'identity' }],
    ['separable', { type: 'cnn/separable-convolution2d', nOut: 3, kernelSize: 2, padding: 'same', activation: 'identity' }],
  ])('%s: gradients for the input and every parameter agree with finite differences', async (_name, config) => {
    const { layer, params } = builtLayer(config, [4, 4, 2]);
    const x = tf.tensor4d(normalValues(82, 64), [2, 4, 4, 2]);
    const result = await layerGradientCheck(layer, x, params);
    expect(result.failures).toEqual([]);
    tf.dispose([x, ...Object.values(params)]);
  });

  it('refuses bad options, naming them', () => {
    expect(() => builtLayer({ type: 'cnn/depthwise-convolution2d', depthMultiplier: 0 }, [5, 5, 1])).toThrow(new ConfigError('Layer "l" (cnn/depthwise-convolution2d): depthMultiplier must be an integer >= 1, received 0'));
    expect(() => builtLayer({ type: 'cnn/separable-convolution2d' }, [5, 5, 1])).toThrow('nOut must be a positive integer (the pointwise convolution\'s output channels), received undefined');
    expect(() => builtLayer({ type: 'cnn/depthwise-convolution2d', kernelSize: 6 }, [5, 5, 1])).toThrow('kernel height 6, larger than the input\'s padded height 5');
  });
});
