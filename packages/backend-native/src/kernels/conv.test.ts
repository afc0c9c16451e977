// Conv2D, _FusedConv2D, both convolution gradients, MaxPool and MaxPoolGrad on the native backend,
// against float64 loops written here: every element within the float32 error bound of its sum
// (./error-bounds.ts), which holds for any OpenBLAS kernel and summation order.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { countNativeCalls, nativeAvailable, useNative } from '../test-support';
import { dotBound, expectWithinBound, gamma, ulps } from './error-bounds';
import { randomArray } from './test-arrays';

type Four = [number, number, number, number];

interface Geometry {
  name: string;
  x: Four;
  filter: Four;
  stride: number;
  pad: 'valid' | 'same' | tf.backend_util.ExplicitPadding;
  dilation?: number;
}

const GEOMETRIES: Geometry[] = [
  // More than 4 input channels: im2col and a product; at most 4: plain loops (directConv).
  { name: 'valid 5x5, 5 channels (im2col)', x: [3, 12, 12, 5], filter: [5, 5, 5, 6], stride: 1, pad: 'valid' },
  { name: "'same', stride 2, 6 channels (im2col)", x: [2, 7, 6, 6], filter: [3, 3, 6, 4], stride: 2, pad: 'same' },
  { name: "'same', stride 2, odd padding", x: [2, 7, 6, 3], filter: [3, 3, 3, 5], stride: 2, pad: 'same' },
  { name: 'explicit asymmetric padding', x: [2, 5, 6, 2], filter: [2, 3, 2, 3], stride: 1, pad: [[0, 0], [2, 0], [1, 3], [0, 0]] },
  { name: 'dilation 2', x: [1, 8, 7, 2], filter: [3, 3, 2, 2], stride: 1, pad: 'valid', dilation: 2 },
  { name: 'pointwise 1x1 (no im2col)', x: [2, 4, 5, 6], filter: [1, 1, 6, 3], stride: 1, pad: 'valid' },
  { name: 'one channel in (LeNet conv1)', x: [4, 10, 10, 1], filter: [5, 5, 1, 4], stride: 1, pad: 'valid' },
];

/** The geometry tfjs computes, for the float64 loops. */
const infoOf = (g: Geometry) => tf.backend_util.computeConv2DInfo(g.x, g.filter, g.stride, g.dilation ?? 1, g.pad);

/** Every (input index, filter index, output index) product term of the convolution, in float64 order. */
function* terms(g: Geometry): Generator<[number, number, number]> {
  const c = infoOf(g);
  for (let n = 0; n < c.batchSize; n++)
    for (let i = 0; i < c.outHeight; i++)
      for (let j = 0; j < c.outWidth; j++)
        for (let a = 0; a < c.filterHeight; a++)
          for (let e = 0; e < c.filterWidth; e++) {
            const r = i * c.strideHeight + a * c.dilationHeight - c.padInfo.top;
            const q = j * c.strideWidth + e * c.dilationWidth - c.padInfo.left;
            if (r < 0 || r >= c.inHeight || q < 0 || q >= c.inWidth) continue;
            for (let ci = 0; ci < c.inChannels; ci++)
              for (let o = 0; o < c.outChannels; o++) yield [((n * c.inHeight + r) * c.inWidth + q) * c.inChannels + ci, ((a * c.filterWidth + e) * c.inChannels + ci) * c.outChannels + o, ((n * c.outHeight + i) * c.outWidth + j) * c.outChannels + o];
          }
}

/** Sums of products into `size` outputs, and the sums of their magnitudes (for the bounds). */
function accumulate(size: number, products: Iterable<[number, number]>): { values: Float64Array; abs: Float64Array; count: Float64Array } {
  const values = new Float64Array(size);
  const abs = new Float64Array(size);
  const count = new Float64Array(size);
  for (const [at, p] of products) {
    values[at]! += p;
    abs[at]! += Math.abs(p);
    count[at]! += 1;
  }
  return { values, abs, count };
}

const bounds = (r: { abs: Float64Array; count: Float64Array }): number[] => Array.from(r.abs, (s, i) => dotBound((r.count[i] as number) + 1, s) + 1e-30);

describe.runIf(nativeAvailable)('native convolution kernels', () => {
  beforeAll(() => useNative());

  describe.each(GEOMETRIES)('$name', (g) => {
    const x = randomArray(g.x.reduce((a, b) => a * b, 1), 11);
    const w = randomArray(g.filter.reduce((a, b) => a * b, 1), 12);
    const c = infoOf(g);
    const outShape: Four = [c.batchSize, c.outHeight, c.outWidth, c.outChannels];
    const dy = randomArray(outShape.reduce((a, b) => a * b, 1), 13);
    const all = [...terms(g)];

    it('Conv2D forward', async () => {
      const ref = accumulate(dy.length, all.map(([xi, wi, yi]) => [yi, (x[xi] as number) * (w[wi] as number)]));
      const direct = g.x[3] <= 4 && g.filter[0] * g.filter[1] > 1;
      const { result: y, calls } = countNativeCalls(direct ? 'directConv' : 'im2col', () => tf.conv2d(tf.tensor4d(x, g.x), tf.tensor4d(w, g.filter), g.stride, g.pad, 'NHWC', g.dilation ?? 1));
      expect(calls).toBe(g.filter[0] * g.filter[1] === 1 ? 0 : 1);
      expect(y.shape).toEqual(outShape);
      expectWithinBound(await y.data(), ref.values, bounds(ref), 'conv2d');
    });

    it('Conv2DBackpropInput: dx[x] = sum dy[y] W[w] over the terms that read x', async () => {
      if ((g.dilation ?? 1) > 1) return; // tfjs has no dilated input gradient
      const ref = accumulate(x.length, all.map(([xi, wi, yi]) => [xi, (dy[yi] as number) * (w[wi] as number)]));
      const { result: dx, calls } = countNativeCalls('col2im', () => tf.conv2dTranspose(tf.tensor4d(dy, outShape), tf.tensor4d(w, g.filter), g.x, g.stride, g.pad));
      expect(calls).toBe(g.filter[0] * g.filter[1] === 1 ? 0 : 1);
      expectWithinBound(await dx.data(), ref.values, bounds(ref), 'dx');
    });

    it('Conv2DBackpropFilter: dW[w] = sum x[x] dy[y] over the terms that use w', async () => {
      if ((g.dilation ?? 1) > 1) return;
      const ref = accumulate(w.length, all.map(([xi, wi, yi]) => [wi, (x[xi] as number) * (dy[yi] as number)]));
      const direct = g.x[3] <= 4 && g.filter[0] * g.filter[1] > 1;
      const { result: dw, calls } = countNativeCalls(direct ? 'directConvFilterGrad' : 'matMul', () => tf.engine().runKernel(tf.Conv2DBackpropFilter, { x: tf.tensor4d(x, g.x), dy: tf.tensor4d(dy, outShape) }, { strides: g.stride, pad: g.pad, dataFormat: 'NHWC', filterShape: g.filter }) as tf.Tensor);
      expect(calls).toBe(1);
      expect(dw.shape).toEqual(g.filter);
      expectWithinBound(await dw.data(), ref.values, bounds(ref), 'dW');
    });
  });

  it.each([3, 6])('_FusedConv2D: bias per channel and relu applied with the product (%i input channels)', async (channels) => {
    const g: Geometry = { name: 'fused', x: [2, 7, 6, channels], filter: [3, 3, channels, 5], stride: 2, pad: 'same' };
    const [x, w, b] = [randomArray(2 * 7 * 6 * channels, 21), randomArray(3 * 3 * channels * 5, 22), randomArray(5, 23)];
    const ref = accumulate(2 * 4 * 3 * 5, [...terms(g)].map(([xi, wi, yi]) => [yi, (x[xi] as number) * (w[wi] as number)]));
    const { result: y, calls } = countNativeCalls(channels <= 4 ? 'epilogue' : 'matMul', () => tf.fused.conv2d({ x: tf.tensor4d(x, g.x), filter: tf.tensor4d(w, g.filter), strides: 2, pad: 'same', bias: tf.tensor1d(b), activation: 'relu' }));
    expect(calls).toBe(1);
    const expected = Array.from(ref.values, (v, i) => Math.max(0, v + (b[i % 5] as number)));
    // relu is exact; the bias adds one term and one rounding.
    const bound = Array.from(ref.abs, (s, i) => dotBound((ref.count[i] as number) + 2, s + Math.abs(b[i % 5] as number)) + ulps(1, expected[i] as number));
    expectWithinBound(await y.data(), expected, bound, 'fused conv2d');
  });

  it('AvgPool and AvgPoolGrad: each window\'s mean over the inputs inside the image, its gradient spread over them', async () => {
    const shape: Four = [2, 5, 7, 3];
    const xs = randomArray(shape.reduce((a, b) => a * b, 1), 41);
    for (const [size, stride, pad] of [[2, 2, 'valid'], [3, 2, 'same'], [3, 1, 1]] as const) {
      const info = tf.backend_util.computePool2DInfo(shape, size, stride, 1, pad);
      const x = tf.tensor4d(xs, shape);
      const { result: y, calls } = countNativeCalls('avgPool', () => tf.avgPool(x, size, stride, pad));
      expect(calls).toBe(1);
      const dy = tf.tensor(randomArray(y.size, 42), y.shape);
      const { result: dx, calls: gradCalls } = countNativeCalls('avgPoolGrad', () => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.avgPool(t as tf.Tensor4D, size, stride, pad), dy)))(x));
      expect(gradCalls).toBe(1);
      const [got, gotDx, dys] = [await y.data(), await dx.data(), await dy.data()];
      const mean = new Float64Array(got.length);
      const meanAbs = new Float64Array(got.length);
      const expectedDx = new Float64Array(xs.length);
      const dxAbs = new Float64Array(xs.length);
      let o = 0;
      for (let n = 0; n < 2; n++)
        for (let i = 0; i < info.outHeight; i++)
          for (let j = 0; j < info.outWidth; j++)
            for (let ch = 0; ch < 3; ch++, o++) {
              const inside: number[] = [];
              for (let a = 0; a < size; a++)
                for (let e = 0; e < size; e++) {
                  const r = i * stride + a - info.padInfo.top;
                  const q = j * stride + e - info.padInfo.left;
                  if (r >= 0 && r < 5 && q >= 0 && q < 7) inside.push(((n * 5 + r) * 7 + q) * 3 + ch);
                }
              mean[o] = inside.reduce((sum, k) => sum + (xs[k] as number), 0) / inside.length;
              meanAbs[o] = inside.reduce((sum, k) => sum + Math.abs(xs[k] as number), 0) / inside.length;
              for (const k of inside) {
                expectedDx[k]! += (dys[o] as number) / inside.length;
                dxAbs[k]! += Math.abs(dys[o] as number) / inside.length;
              }
            }
      // A mean of at most 9 terms (one more rounding for the division); each dx sums at most 9 shares.
      expectWithinBound(got, mean, Array.from(meanAbs, (v) => gamma(size * size + 1) * v + 1e-30), `avgPool ${size}/${stride}/${pad}`);
      expectWithinBound(gotDx, expectedDx, Array.from(dxAbs, (v) => gamma(size * size + 2) * v + 1e-30), `avgPool ${size}/${stride}/${pad} dx`);
      tf.dispose([x, y, dy, dx]);
    }
  });

  it('MaxPool and MaxPoolGrad: each window\'s maximum, its gradient at the first maximum', async () => {
    const shape: Four = [2, 5, 7, 3];
    const xs = randomArray(shape.reduce((a, b) => a * b, 1), 31);
    for (const [size, stride, pad] of [[2, 2, 'valid'], [3, 2, 'same'], [3, 1, 1]] as const) {
      const info = tf.backend_util.computePool2DInfo(shape, size, stride, 1, pad);
      const x = tf.tensor4d(xs, shape);
      const y = tf.maxPool(x, size, stride, pad);
      const dy = tf.tensor(randomArray(y.size, 32), y.shape);
      // The gradient scatters dy through the maxima the forward pass recorded: no search again.
      const { result: dx, calls } = countNativeCalls('maxPoolGrad', () => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, size, stride, pad), dy)))(x));
      expect(calls).toBe(0);
      // For an output the forward pass did not record, the native kernel searches the windows: same values.
      const other = tf.add(y, 0);
      const { result: searched, calls: searches } = countNativeCalls('maxPoolGrad', () => tf.engine().runKernel(tf.MaxPoolGrad, { dy, input: x, output: other }, { filterSize: size, strides: stride, pad }) as tf.Tensor);
      expect(searches).toBe(1);
      expect(Array.from(await searched.data())).toEqual(Array.from(await dx.data()));
      tf.dispose([other, searched]);
      const [got, gotDx, dys] = [await y.data(), await dx.data(), await dy.data()];
      const expectedDx = new Float64Array(xs.length);
      let o = 0;
      for (let n = 0; n < 2; n++)
        for (let i = 0; i < info.outHeight; i++)
          for (let j = 0; j < info.outWidth; j++)
            for (let ch = 0; ch < 3; ch++, o++) {
              let at = -1;
              for (let a = 0; a < size; a++)
                for (let e = 0; e < size; e++) {
                  const r = i * stride + a - info.padInfo.top;
                  const q = j * stride + e - info.padInfo.left;
                  if (r < 0 || r >= 5 || q < 0 || q >= 7) continue;
                  const k = ((n * 5 + r) * 7 + q) * 3 + ch;
                  if (at < 0 || (xs[k] as number) > (xs[at] as number)) at = k;
                }
              expect(got[o], `max of window ${o}`).toBe(xs[at]);
              expectedDx[at]! += dys[o] as number;
            }
      // Each input collects the gradients of the windows it is the maximum of: a sum of a few terms.
      expectWithinBound(gotDx, expectedDx, Array.from(expectedDx, (v) => gamma(size * size) * Math.abs(v) * 4 + 1e-30), `maxPool ${size}/${stride}/${pad} dx`);
      tf.dispose([x, y, dy, dx]);
    }
  });
});
