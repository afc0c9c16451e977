import * as tf from '@tensorflow/tfjs-core';
import { registerGradients } from '@dl4ts/core';
import { checkGradients } from '@dl4ts/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { wasmBackend } from './wasm-backend';

/** Deterministic values in about [-1, 1]. */
const values = (n: number, salt: number): number[] => Array.from({ length: n }, (_, i) => Math.sin(1.7 * i + salt) * 0.9 + ((i * 5 + salt) % 7) * 0.015);

/**
 * The filter gradient of `sum(conv2d(x, W) * dy)` in float64, from its definition:
 * `dW[a, e, c, o] = sum_{n, i, j} x[n, i s + a - top, j s + e - left, c] dy[n, i, j, o]`, and
 * `sum |x| |dy|` over the same terms, for the float32 error bound.
 */
type Four = readonly [number, number, number, number];
type Three = readonly [number, number, number];
type Two = readonly [number, number];

function filterGradient64(x: number[], [b, h, w, cIn]: Four, dy: number[], [oh, ow, cOut]: Three, [kh, kw]: Two, stride: number, [top, left]: Two): { value: number[]; abs: number[] } {
  const value: number[] = [];
  const abs: number[] = [];
  for (let a = 0; a < kh; a++) for (let e = 0; e < kw; e++) for (let c = 0; c < cIn; c++) for (let o = 0; o < cOut; o++) {
    let sum = 0;
    let sumAbs = 0;
    for (let n = 0; n < b; n++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) {
      const r = i * stride + a - top;
      const q = j * stride + e - left;
      if (r < 0 || r >= h || q < 0 || q >= w) continue;
      const p = (x[((n * h + r) * w + q) * cIn + c] as number) * (dy[((n * oh + i) * ow + j) * cOut + o] as number);
      sum += p;
      sumAbs += Math.abs(p);
    }
    value.push(sum);
    abs.push(sumAbs);
  }
  return { value, abs };
}

/** The input gradient of `sum(conv2d(x, W) * dy)` in float64: each `dy[n, i, j, o] W[a, e, c, o]` added at the input position tap (a, e) of window (i, j) read, with the magnitudes' sums. */
function inputGradient64([b, h, w, cIn]: Four, weights: number[], dy: number[], [oh, ow, cOut]: Three, [kh, kw]: Two, stride: number, [top, left]: Two): { value: number[]; abs: number[] } {
  const value = new Array<number>(b * h * w * cIn).fill(0);
  const abs = new Array<number>(b * h * w * cIn).fill(0);
  for (let n = 0; n < b; n++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) for (let a = 0; a < kh; a++) for (let e = 0; e < kw; e++) {
    const r = i * stride + a - top;
    const q = j * stride + e - left;
    if (r < 0 || r >= h || q < 0 || q >= w) continue;
    for (let c = 0; c < cIn; c++) for (let o = 0; o < cOut; o++) {
      const p = (dy[((n * oh + i) * ow + j) * cOut + o] as number) * (weights[((a * kw + e) * cIn + c) * cOut + o] as number);
      const at = ((n * h + r) * w + q) * cIn + c;
      value[at]! += p;
      abs[at]! += Math.abs(p);
    }
  }
  return { value, abs };
}

describe('convolution and pooling gradients on wasm (Conv2DBackpropFilter added, MaxPoolGrad replaced by @dl4ts/backend-wasm)', () => {
  beforeAll(async () => {
    await wasmBackend().activate();
    await registerGradients();
  });

  it.each([
    // name, input [b, h, w, c], kernel, nOut, stride, pad, expected [top, left] of the padding
    ['valid, stride 1', [2, 6, 5, 3], [3, 2], 4, 1, 'valid', [0, 0]],
    ['same, stride 2 (odd total: the extra zero at the bottom/right)', [2, 7, 6, 2], [3, 3], 3, 2, 'same', [1, 0]],
    ['explicit asymmetric padding', [1, 5, 5, 2], [2, 3], 2, 1, [[0, 0], [2, 0], [1, 1], [0, 0]], [2, 1]],
  ] as const)('%s: filter and input gradients within float32 error of float64', async (_name, xShape, kernel, nOut, stride, pad, topLeft) => {
    const xs = values(xShape.reduce((p: number, d: number) => p * d, 1), 1);
    const x = tf.tensor4d(xs, [...xShape]);
    const w = tf.tensor4d(values(kernel[0] * kernel[1] * xShape[3] * nOut, 2), [kernel[0], kernel[1], xShape[3], nOut]);
    const padArg = typeof pad === 'string' ? pad : (pad.map((p) => [...p]) as tf.backend_util.ExplicitPadding);
    const y0 = tf.conv2d(x, w, stride, padArg);
    const dys = values(y0.size, 3);
    const dy = tf.tensor(dys, y0.shape);
    const dW = tf.grad((filter: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, filter as tf.Tensor4D, stride, padArg), dy)))(w);
    expect(dW.shape).toEqual(w.shape);
    const { value, abs } = filterGradient64(xs, xShape, dys, y0.shape.slice(1) as unknown as Three, kernel, stride, topLeft);
    const got = await dW.data();
    // Each entry sums b oh ow products: float32's error bound for such a sum.
    const terms = y0.shape[0] * (y0.shape[1] as number) * (y0.shape[2] as number);
    got.forEach((v, i) => expect(Math.abs(v - (value[i] as number))).toBeLessThanOrEqual(2 * (terms + 1) * 2 ** -24 * (abs[i] as number) + 1e-30));
    // The input gradient (Conv2DBackpropInput, replaced): each entry sums at most kh kw cOut products.
    const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(input as tf.Tensor4D, w, stride, padArg), dy)))(x);
    const ref = inputGradient64(xShape, Array.from(await w.data()), dys, y0.shape.slice(1) as unknown as Three, kernel, stride, topLeft);
    const dxs = await dx.data();
    const taps = kernel[0] * kernel[1] * nOut;
    dxs.forEach((v, i) => expect(Math.abs(v - (ref.value[i] as number))).toBeLessThanOrEqual(2 * (taps + 1) * 2 ** -24 * (ref.abs[i] as number) + 1e-30));
    tf.dispose([x, w, y0, dy, dW, dx]);
  });

  it("MaxPoolGrad routes every window's gradient to its maximum (the stock kernel lost the last window's here)", async () => {
    const shape = [2, 4, 6, 2] as const;
    const xs = values(96, 7).map((v, i) => v + i * 1e-3);
    const x = tf.tensor4d(xs, [...shape]);
    const weights = tf.reshape(tf.range(1, 25), [2, 2, 3, 2]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid'), weights)))(x);
    // Expected: each 2x2 window's weight at the position of its maximum, found here.
    const expected = new Array<number>(96).fill(0);
    let w = 1;
    for (let n = 0; n < 2; n++) for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let c = 0; c < 2; c++, w++) {
      const cells = [0, 1].flatMap((a) => [0, 1].map((e) => ((n * 4 + 2 * i + a) * 6 + 2 * j + e) * 2 + c));
      const best = cells.reduce((m, k) => ((xs[k] as number) > (xs[m] as number) ? k : m));
      expected[best] = w;
    }
    expect(Array.from(await g.data())).toEqual(expected);
    tf.dispose([x, weights, g]);
  });

  it("AvgPoolGrad with 'same' padding is the gradient of the forward pass (finite differences; the stock kernel fails this)", async () => {
    const x = tf.tensor4d(values(50, 8), [1, 5, 5, 2]);
    const r = tf.tensor4d(values(18, 9), [1, 3, 3, 2]);
    const result = await checkGradients(([t]) => tf.sum(tf.mul(tf.avgPool(t as tf.Tensor4D, 3, 2, 'same'), r)), [x]);
    expect(result.failures).toEqual([]);
    expect(result.checked).toBe(50);
    tf.dispose([x, r]);
  });

  it('fits a convolution by gradient descent on wasm, without leaking', async () => {
    const x = tf.tensor4d(values(2 * 6 * 6 * 2, 4), [2, 6, 6, 2]);
    const target = tf.tidy(() => tf.conv2d(x, tf.tensor4d(values(3 * 3 * 2 * 2, 5), [3, 3, 2, 2]), 1, 'same'));
    const w = tf.variable(tf.zeros([3, 3, 2, 2]));
    const before = tf.memory().numTensors;
    const losses: number[] = [];
    for (let step = 0; step < 60; step++) {
      const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(tf.sub(tf.conv2d(x, w as tf.Tensor4D, 1, 'same'), target))), [w]);
      losses.push((await value.data())[0] as number);
      tf.tidy(() => w.assign(tf.sub(w, tf.mul(grads[w.name] as tf.Tensor, 0.3))));
      tf.dispose([value, ...Object.values(grads)]);
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! / 10);
    tf.dispose([x, target, w]);
  });
});
