// fusedDense: tf.fused.matMul where the backend has no dense kernel, and the dense kernel with the
// gradient core registers where it has one (here a plain-loop kernel registered on cpu for the
// test): values, gradients equal to those of the same expression written as plain ops, finite
// differences, no leaks, and a typed error for operands of the wrong rank.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShapeError } from './errors';
import { type FusedDenseActivation, fusedDense } from './fused-dense';
import { FUSED_KERNELS, backendOffers } from './fused-kernels';
import { checkGradients } from './testing/gradient-check';

/** Seeded values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed * 78.233) * 0.999);
}

/** max |a - b| over two tensors' values. */
function maxDifference(a: tf.Tensor, b: tf.Tensor): number {
  const x = Array.from(a.dataSync());
  const y = Array.from(b.dataSync());
  expect(x.length).toBe(y.length);
  return x.reduce((m, v, i) => Math.max(m, Math.abs(v - (y[i] as number))), 0);
}

/** A plain-loop dense kernel for tfjs's cpu backend: f(x w + b), float64 sums rounded once. */
const cpuDense: tf.KernelConfig = {
  kernelName: FUSED_KERNELS.dense,
  backendName: 'cpu',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, w, b } = inputs as { x: tf.TensorInfo; w: tf.TensorInfo; b: tf.TensorInfo };
    const cpu = backend as unknown as { data: { get(id: object): { values: Float32Array } }; makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo };
    const [m, k] = x.shape as [number, number];
    const n = w.shape[1] as number;
    const [xv, wv, bv] = [x, w, b].map((t) => cpu.data.get(t.dataId).values) as [Float32Array, Float32Array, Float32Array];
    const out = new Float32Array(m * n);
    const { activation } = attrs as { activation: string };
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = bv[j] as number;
        for (let q = 0; q < k; q++) s += (xv[i * k + q] as number) * (wv[q * n + j] as number);
        out[i * n + j] = activation === 'relu' ? Math.max(0, s) : activation === 'sigmoid' ? 1 / (1 + Math.exp(-s)) : activation === 'tanh' ? Math.tanh(s) : s;
      }
    if (activation === 'softmax') {
      for (let i = 0; i < m; i++) {
        const row = out.subarray(i * n, (i + 1) * n);
        const top = Math.max(...row);
        const e = Array.from(row, (v) => Math.exp(v - top));
        const total = e.reduce((a, v) => a + v, 0);
        e.forEach((v, j) => (row[j] = v / total));
      }
    }
    return cpu.makeTensorInfo([m, n], 'float32', out);
  },
};

describe('fusedDense', () => {
  const x = tf.tensor2d(values(5 * 7, 1), [5, 7]);
  const W = tf.tensor2d(values(7 * 4, 2), [7, 4]);
  const b = tf.tensor1d(values(4, 3));
  const dy = tf.tensor2d(values(20, 4), [5, 4]);
  const apply = { linear: (z: tf.Tensor) => z, relu: tf.relu, sigmoid: tf.sigmoid, tanh: tf.tanh, softmax: (z: tf.Tensor) => tf.softmax(z) };
  const plainGradients = (activation: FusedDenseActivation) =>
    tf.grads((a: tf.Tensor, w: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(apply[activation](tf.add(tf.matMul(a as tf.Tensor2D, w as tf.Tensor2D), c)), dy)))([x, W, b]);
  const fusedGradients = (activation: FusedDenseActivation) => tf.grads((a: tf.Tensor, w: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(fusedDense(a, w, c, activation), dy)))([x, W, b]);

  it('some pre-activations lie on each side of 0, so relu masks some', () => {
    const pre = Array.from(tf.tidy(() => tf.add(tf.matMul(x, W), b)).dataSync());
    expect(pre.some((v) => v < 0) && pre.some((v) => v > 0)).toBe(true);
  });

  for (const offered of [false, true]) {
    describe(offered ? 'where the backend offers the dense kernel' : 'where it does not (tf.fused.matMul)', () => {
      beforeAll(() => {
        if (offered) tf.registerKernel(cpuDense);
      });
      afterAll(() => {
        if (offered) tf.unregisterKernel(FUSED_KERNELS.dense, 'cpu');
      });

      for (const activation of ['linear', 'relu', 'sigmoid', 'tanh', 'softmax'] as const) {
        it(`${activation}: the values of f(matMul + add) and its gradients written as plain ops`, () => {
          expect(backendOffers(FUSED_KERNELS.dense)).toBe(offered);
          const got = fusedDense(x, W, b, activation);
          const want = tf.tidy(() => apply[activation](tf.add(tf.matMul(x, W), b)));
          expect(got.shape).toEqual([5, 4]);
          // float32 products of 7 terms in different orders: within 7 * 2^-24 * sum|x||w| < 1e-6 here.
          expect(maxDifference(got, want)).toBeLessThan(1e-6);
          const fused = fusedGradients(activation);
          const plain = plainGradients(activation);
          fused.forEach((g, i) => {
            expect(g.shape).toEqual((plain[i] as tf.Tensor).shape);
            expect(maxDifference(g, plain[i] as tf.Tensor)).toBeLessThan(1e-5);
          });
          tf.dispose([got, want, ...fused, ...plain]);
        });

        it(`${activation}: passes a finite-difference check and leaves no tensor behind`, async () => {
          const result = await checkGradients(([a, w, c]) => tf.sum(tf.square(fusedDense(a as tf.Tensor, w as tf.Tensor, c as tf.Tensor, activation))), [x, W, b], {
            // Smooth activations take the default step (float32 rounding dominates smaller ones); relu a
            // smaller one, so that no step crosses its kink.
            epsilon: activation === 'relu' ? 1e-3 : 1e-2,
            maxRelativeError: 1e-2,
            minAbsoluteError: 1e-3,
          });
          expect(result.failures).toEqual([]);
          expect(result.checked).toBe(x.size + W.size + b.size);
          const before = tf.memory().numTensors;
          tf.dispose(fusedDense(x, W, b, activation));
          tf.dispose(fusedGradients(activation));
          expect(tf.memory().numTensors).toBe(before);
        });
      }
    });
  }

  it('without a bias: the same product and activation, through tf.fused.matMul', () => {
    for (const activation of ['relu', 'softmax'] as const) {
      const got = fusedDense(x, W, undefined, activation);
      const want = tf.tidy(() => apply[activation](tf.matMul(x, W)));
      expect(maxDifference(got, want)).toBeLessThan(1e-6);
      tf.dispose([got, want]);
    }
  });

  it('rejects operands of other ranks with a typed error naming their shapes', () => {
    expect(() => fusedDense(tf.zeros([2, 3, 4]), W, b, 'relu')).toThrow(ShapeError);
    expect(() => fusedDense(tf.zeros([2, 3, 4]), W, b, 'relu')).toThrow('expected x [batch, nIn], W [nIn, nOut], b [nOut]; received x [2, 3, 4], W [7, 4], b [4]');
  });
});
