import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError } from '@dl4ts/core';
import { closeness, configRoundTrip, inferenceContext, values } from '@dl4ts/core/testing';
import { describe, expect, it } from 'vitest';
import type { Window64 } from './reference64';
import { max64, mean64, nest, pnorm64, pool64, sum64 } from './reference64';
import { builtLayer, layerGradientCheck, normalValues, testRegistry } from './cnn-test-support';

const SHAPE = [2, 7, 6, 3] as const;
const XS = normalValues(31, SHAPE.reduce((a, b) => a * b, 1));

async function pooled(options: Record<string, unknown>): Promise<{ got: number[]; shape: readonly number[] }> {
  const { layer, outputShape } = builtLayer({ type: 'cnn/subsampling2d', ...options }, SHAPE.slice(1));
  const x = tf.tensor(XS, [...SHAPE]);
  const y = tf.tidy(() => layer.forward(x, {}, inferenceContext()));
  expect(y.shape).toEqual([2, ...outputShape]);
  const got = await values(y);
  tf.dispose([x, y]);
  return { got, shape: outputShape };
}

const X64 = nest(XS, SHAPE);
const valid = (k: number, s = k): Window64 => ({ kernel: [k, k], stride: [s, s], pad: [0, 0, 0, 0] });

describe('cnn/subsampling2d: forward against float64 loops', () => {
  it.each([
    ['max 2x2 stride 2 (defaults)', {}, pool64(X64, valid(2), max64)],
    ['avg 3x3 stride 2', { poolingType: 'avg', kernelSize: 3, stride: 2 }, pool64(X64, valid(3, 2), mean64)],
    ["DL4J's AVG name, 2x3 windows", { poolingType: 'AVG', kernelSize: [2, 3] }, pool64(X64, { kernel: [2, 3], stride: [2, 3], pad: [0, 0, 0, 0] }, mean64)],
    ['sum 2x2', { poolingType: 'sum' }, pool64(X64, valid(2), sum64)],
    ['pnorm p=3, 3x3 stride 1', { poolingType: 'pnorm', pnorm: 3, kernelSize: 3, stride: 1 }, pool64(X64, valid(3, 1), pnorm64(3))],
    // 'same', 7x6, kernel 3, stride 2: rows 4 (pad 1, 1), columns 3 (pad 0, 1).
    ["max 'same': padding never wins", { kernelSize: 3, padding: 'same' }, pool64(X64, { kernel: [3, 3], stride: [3, 3], pad: [1, 1, 0, 0] }, max64)],
    ["avg 'same': divides by the inputs in the window", { poolingType: 'avg', kernelSize: 3, stride: 2, padding: 'same' }, pool64(X64, { kernel: [3, 3], stride: [2, 2], pad: [1, 1, 0, 1] }, mean64)],
    ['avg, explicit padding: divides by the whole window', { poolingType: 'avg', kernelSize: 3, stride: 2, padding: 1 }, pool64(X64, { kernel: [3, 3], stride: [2, 2], pad: [1, 1, 1, 1] }, mean64, 0)],
    ['max, explicit padding', { kernelSize: 3, stride: 2, padding: [1, 0] }, pool64(X64, { kernel: [3, 3], stride: [2, 2], pad: [1, 1, 0, 0] }, max64)],
    ["pnorm 'same': zeros add nothing", { poolingType: 'pnorm', kernelSize: 3, stride: 2, padding: 'same' }, pool64(X64, { kernel: [3, 3], stride: [2, 2], pad: [1, 1, 0, 1] }, pnorm64(2), 0)],
  ])('%s', async (_name, options, expected) => {
    const { got } = await pooled(options);
    expect(closeness(got, expected.flat(3))).toBeUndefined();
  });

  it("'same' max pooling 3x3 stride 3 gives ceil(in / 3)", async () => {
    expect((await pooled({ kernelSize: 3, padding: 'same' })).shape).toEqual([3, 2, 3]);
  });

  it('round-trips its config', () => {
    const { layer } = builtLayer({ type: 'cnn/subsampling2d', poolingType: 'pnorm', pnorm: 3 }, [4, 4, 2]);
    expect(configRoundTrip(testRegistry, layer, [4, 4, 2])).toEqual([]);
  });
});

describe('cnn/subsampling2d: gradients', () => {
  it.each([
    ['max', { kernelSize: 2 }],
    ['avg, explicit padding', { poolingType: 'avg', kernelSize: 3, stride: 2, padding: 1 }],
    // tfjs's own 'same' average pooling fails this: its gradient divides by the whole window.
    ["avg, 'same'", { poolingType: 'avg', kernelSize: 3, stride: 2, padding: 'same' }],
    ['sum, same', { poolingType: 'sum', kernelSize: 3, stride: 2, padding: 'same' }],
    ['pnorm', { poolingType: 'pnorm', pnorm: 2, kernelSize: 2, stride: 1 }],
  ])('finite differences agree with autodiff: %s', async (_name, options) => {
    const { layer } = builtLayer({ type: 'cnn/subsampling2d', ...options }, [4, 5, 2]);
    // Distinct values far apart (a shuffled ramp of both signs), so that a step of h never
    // changes which input is a window's maximum, and p-norms stay far from the kink of |x| at 0 (|x| >= 0.5;
    // small values keep float32 cancellation in the differences of the sum small).
    const n = 2 * 4 * 5 * 2;
    const order = normalValues(41, n).map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
    const ramp = new Array<number>(n);
    order.forEach(([, i], rank) => (ramp[i] = (rank % 2 === 0 ? 1 : -1) * (0.5 + 0.02 * rank)));
    const x = tf.tensor4d(ramp, [2, 4, 5, 2]);
    expect((await layerGradientCheck(layer, x)).failures).toEqual([]);
    x.dispose();
  });
});

describe('cnn/subsampling2d: bad configs and inputs', () => {
  const build = (options: Record<string, unknown>, input: readonly number[] = [6, 6, 1]) => builtLayer({ type: 'cnn/subsampling2d', ...options }, input);

  it('names what it received', () => {
    expect(() => build({ poolingType: 'median' })).toThrow(new ConfigError('Layer "l" (cnn/subsampling2d): poolingType must be one of "max", "avg", "sum", "pnorm" (or DL4J\'s MAX, AVG, SUM, PNORM), received "median"'));
    expect(() => build({ poolingType: 'max', pnorm: 2 })).toThrow('pnorm applies to poolingType "pnorm", received pnorm 2 with poolingType "max"');
    expect(() => build({ poolingType: 'pnorm', pnorm: 0.5 })).toThrow('pnorm must be an integer >= 1, received 0.5');
    expect(() => build({ stride: 0 })).toThrow('stride must be an integer >= 1 or [height, width] of such integers, received 0');
    expect(() => build({ kernelSize: 7 })).toThrow(new ShapeError("Layer \"l\" (cnn/subsampling2d): kernel height 7, larger than the input's padded height 6 (6 + padding 0 + 0)", [6], [7]));
    expect(() => build({}, [6, 6])).toThrow('input has shape [6, 6] per example, expected an image [height, width, channels]');
  });
});
