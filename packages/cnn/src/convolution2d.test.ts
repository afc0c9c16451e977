import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError } from '@dl4ts/core';
import { buildLayer, closeness, configRoundTrip, inferenceContext, values } from '@dl4ts/core/testing';
import { describe, expect, it } from 'vitest';
import type { Window64 } from './reference64';
import { abs4, conv2d64, nest, outsideDotBound } from './reference64';
import { builtLayer, layerGradientCheck, normalValues, testRegistry } from './cnn-test-support';

const INPUT: readonly [number, number, number] = [7, 6, 3];

/** The float64 reference output of a built convolution for a seeded batch of 2. */
async function compareWithReference(options: Record<string, unknown>, window: Window64, inputShape: readonly [number, number, number] = INPUT): Promise<void> {
  const { layer, outputShape, params } = builtLayer({ type: 'cnn/convolution2d', nOut: 4, biasInit: 0.25, activation: 'identity', ...options }, inputShape);
  const shape = [2, ...inputShape] as const;
  const xs = normalValues(11, shape.reduce((a, b) => a * b, 1));
  const x = tf.tensor(xs, [...shape]);
  const y = tf.tidy(() => layer.forward(x, params, inferenceContext()));
  const W = params.W as tf.Tensor;
  const w = nest(await W.data(), W.shape as [number, number, number, number]);
  const b = params.b === undefined ? undefined : Array.from(await params.b.data());
  const expected = conv2d64(nest(xs, shape), w, b, window).flat(3);
  const absSums = conv2d64(abs4(nest(xs, shape)), abs4(w), b?.map(Math.abs), window).flat(3);
  expect(y.shape).toEqual([2, ...outputShape]);
  // Each output is a dot product of kh kw cIn terms: within float32's error bound for it.
  expect(outsideDotBound(await values(y), expected, absSums, window.kernel[0] * window.kernel[1] * inputShape[2])).toEqual([]);
  tf.dispose([x, y, ...Object.values(params)]);
}

describe('cnn/convolution2d: forward against a nested-loop convolution in float64', () => {
  it('valid, stride 1 (DL4J defaults: kernel 5, truncate)', () => compareWithReference({}, { kernel: [5, 5], stride: [1, 1], pad: [0, 0, 0, 0] }));
  it('stride 2, kernel 3x2, truncate drops the last partial window', () => compareWithReference({ kernelSize: [3, 2], stride: 2 }, { kernel: [3, 2], stride: [2, 2], pad: [0, 0, 0, 0] }));
  it("'same' padding with stride 2: ceil(in / s), the extra zero at the bottom and right", () =>
    // Rows: out 4, total pad (4-1)*2+3-7 = 2 -> 1, 1; columns: out 3, (3-1)*2+3-6 = 1 -> 0, 1.
    compareWithReference({ kernelSize: 3, stride: 2, padding: 'same' }, { kernel: [3, 3], stride: [2, 2], pad: [1, 1, 0, 1] }));
  it("DL4J's convolutionMode 'Same' is padding 'same'", () => compareWithReference({ kernelSize: 3, stride: 2, convolutionMode: 'Same' }, { kernel: [3, 3], stride: [2, 2], pad: [1, 1, 0, 1] }));
  it('explicit asymmetric padding [top, bottom, left, right]', () => compareWithReference({ kernelSize: 3, padding: [2, 0, 1, 3] }, { kernel: [3, 3], stride: [1, 1], pad: [2, 0, 1, 3] }));
  it('dilation 2', () => compareWithReference({ kernelSize: 3, dilation: 2, padding: 1 }, { kernel: [3, 3], stride: [1, 1], dilation: [2, 2], pad: [1, 1, 1, 1] }));
  it('without a bias', () => compareWithReference({ kernelSize: 2, hasBias: false }, { kernel: [2, 2], stride: [1, 1], pad: [0, 0, 0, 0] }));

  it('applies its activation: relu (fused), tanh (after)', async () => {
    for (const activation of ['relu', 'tanh']) {
      const { layer, params } = builtLayer({ type: 'cnn/convolution2d', nOut: 2, kernelSize: 2, activation, biasInit: 0.1 }, [3, 3, 1]);
      const { layer: linear } = builtLayer({ type: 'cnn/convolution2d', nOut: 2, kernelSize: 2, activation: 'identity', biasInit: 0.1 }, [3, 3, 1]);
      const x = tf.tensor4d(normalValues(5, 9), [1, 3, 3, 1]);
      const [y, z] = tf.tidy(() => [layer.forward(x, params, inferenceContext()), linear.forward(x, params, inferenceContext())]);
      const f = activation === 'relu' ? (v: number) => Math.max(v, 0) : Math.tanh;
      // Both sides round the same sums: what differs is the activation's float32 rounding.
      expect(closeness(await values(y as tf.Tensor), (await values(z as tf.Tensor)).map(f), activation)).toBeUndefined();
      tf.dispose([x, y as tf.Tensor, z as tf.Tensor, ...Object.values(params)]);
    }
  });
});

describe('cnn/convolution2d: build', () => {
  it('declares W [kh, kw, cIn, nOut] and b [nOut] with DL4J fans, and outputs [oh, ow, nOut]', () => {
    const { layer, outputShape, params } = builtLayer({ type: 'cnn/convolution2d', nOut: 8, kernelSize: [3, 5], stride: [1, 2] }, [10, 12, 2]);
    expect(outputShape).toEqual([8, 4, 8]);
    expect(params.W?.shape).toEqual([3, 5, 2, 8]);
    expect(params.b?.shape).toEqual([8]);
    const { declarations } = buildLayer(testRegistry, { type: 'cnn/convolution2d', name: 'c', nOut: 8, kernelSize: [3, 5], stride: [1, 2] }, [10, 12, 2]);
    // fanIn = kh kw cIn, fanOut = kh kw nOut / (sh sw), as DL4J's ConvolutionParamInitializer.
    expect(declarations.map((d) => [d.name, d.role, d.fanIn, d.fanOut])).toEqual([
      ['W', 'weight', 30, 60],
      ['b', 'bias', 30, 60],
    ]);
    expect(configRoundTrip(testRegistry, layer, [10, 12, 2])).toEqual([]);
    tf.dispose(Object.values(params));
  });
});

describe('cnn/convolution2d: gradients', () => {
  it.each([
    ['valid, stride 1', { kernelSize: 2 }],
    ['same, stride 2', { kernelSize: 3, stride: 2, padding: 'same' }],
    ['explicit padding, dilation 2, tanh', { kernelSize: 2, padding: [1, 0, 0, 1], dilation: 2, activation: 'tanh' }],
    ['relu (fused)', { kernelSize: 2, activation: 'relu', biasInit: 0.3 }],
  ])('finite differences agree with autodiff for input, W and b: %s', async (_name, options) => {
    const { layer, params } = builtLayer({ type: 'cnn/convolution2d', nOut: 2, activation: 'identity', ...options }, [4, 5, 2]);
    const x = tf.tensor4d(normalValues(21, 2 * 4 * 5 * 2), [2, 4, 5, 2]);
    const result = await layerGradientCheck(layer, x, params);
    expect(result.failures).toEqual([]);
    expect(result.checked).toBeGreaterThan(50);
    tf.dispose([x, ...Object.values(params)]);
  });
});

describe('cnn/convolution2d: bad configs and inputs are typed errors naming the layer', () => {
  const build = (options: Record<string, unknown>, input: readonly number[] = [6, 6, 1]) => builtLayer({ type: 'cnn/convolution2d', nOut: 2, ...options }, input);

  it('a stride of 0, a kernel of 0, a fractional dilation', () => {
    expect(() => build({ stride: 0 })).toThrow(new ConfigError('Layer "l" (cnn/convolution2d): stride must be an integer >= 1 or [height, width] of such integers, received 0'));
    expect(() => build({ kernelSize: [3, 0] })).toThrow('kernelSize must be an integer >= 1 or [height, width] of such integers, received [3, 0]');
    expect(() => build({ dilation: 1.5 })).toThrow(ConfigError);
    expect(() => build({ nOut: 0 })).toThrow('nOut must be a positive integer (the number of filters), received 0');
  });

  it('a kernel larger than the padded input', () => {
    expect(() => build({ kernelSize: 7 })).toThrow(new ShapeError('Layer "l" (cnn/convolution2d): kernel height 7, larger than the input\'s padded height 6 (6 + padding 0 + 0)', [6], [7]));
    expect(() => build({ kernelSize: 3, dilation: [1, 3] })).toThrow('kernel 3 dilated by 3 spans 7, larger than the input\'s padded width 6 (6 + padding 0 + 0)');
    expect(build({ kernelSize: 7, padding: 1 }).outputShape).toEqual([2, 2, 2]);
  });

  it('an image of the wrong rank or channel count', () => {
    expect(() => build({}, [36])).toThrow("Layer \"l\" (cnn/convolution2d): input has shape [36] per example, expected an image [height, width, channels] of known sizes (flat input: reshape it first, { type: 'cnn/reshape', shape: [height, width, channels] })");
    expect(() => build({ nIn: 3 }, [6, 6, 1])).toThrow(new ShapeError('Layer "l" (cnn/convolution2d): input has 1 channels, expected nIn=3', [1], [3]));
  });

  it("strict mode: windows must tile the padded input; 'same' with explicit padding is refused", () => {
    expect(() => build({ kernelSize: 2, stride: 3, convolutionMode: 'Strict' }, [6, 6, 1])).toThrow(
      'convolutionMode "strict": windows of 2 with stride 3 do not tile the padded height 6 exactly; use convolutionMode "truncate" or "same", or change the padding',
    );
    expect(build({ kernelSize: 2, stride: 2, convolutionMode: 'strict' }, [6, 6, 1]).outputShape).toEqual([3, 3, 2]);
    expect(() => build({ convolutionMode: 'same', padding: 2 })).toThrow('convolutionMode "same" chooses the padding itself, received padding 2 too; remove one');
    expect(() => build({ convolutionMode: 'Causal' })).toThrow('convolutionMode must be one of "truncate", "strict", "same" (or DL4J\'s Truncate, Strict, Same), received "Causal"');
  });

  it('dilation with a stride above 1 on the same axis (tfjs cannot)', () => {
    expect(() => build({ kernelSize: 2, dilation: 2, stride: [2, 1] })).toThrow('dilation 2 with stride 2 on the height axis; a dilated axis needs stride 1');
  });
});
