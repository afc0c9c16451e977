// BatchMatMul and _FusedMatMul against float64 products written here: every transpose (and the one-row products that run as sgemv,
// the large ones split over the pool's two threads), batch
// broadcasting, each bias layout and activation, empty and 1-element shapes. Each element must lie
// within the float32 error bound of its dot product (./error-bounds.ts), which any correct BLAS
// kernel meets whatever its order of summation: the tests hold on every OpenBLAS core type.
import { FUSED_KERNELS, backendOffers, fusedDense } from '@dl4ts/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { countNativeCalls, nativeAvailable, useNative } from '../test-support';
import { dotBound, expectWithinBound, gamma, ulps } from './error-bounds';
import { randomArray } from './test-arrays';

/** C = op(A) op(B) in float64, A [batch, rows, cols] as stored; `abs` holds sum_k |a_ik| |b_kj|, `k` the inner length. */
function reference(a: Float32Array, b: Float32Array, shapeA: number[], shapeB: number[], ta: boolean, tb: boolean): { values: Float64Array; abs: Float64Array; k: number; m: number; n: number; batch: number } {
  const [ba, ra, ca] = shapeA as [number, number, number];
  const [bb, rb, cb] = shapeB as [number, number, number];
  const m = ta ? ca : ra;
  const k = ta ? ra : ca;
  const n = tb ? rb : cb;
  const batch = Math.max(ba, bb);
  const out = new Float64Array(batch * m * n);
  const abs = new Float64Array(batch * m * n);
  for (let p = 0; p < batch; p++) {
    const ao = (ba === 1 ? 0 : p) * ra * ca;
    const bo = (bb === 1 ? 0 : p) * rb * cb;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        let sa = 0;
        for (let q = 0; q < k; q++) {
          const term = (a[ao + (ta ? q * ca + i : i * ca + q)] as number) * (b[bo + (tb ? j * cb + q : q * cb + j)] as number);
          s += term;
          sa += Math.abs(term);
        }
        out[p * m * n + i * n + j] = s;
        abs[p * m * n + i * n + j] = sa;
      }
  }
  return { values: out, abs, k, m, n, batch };
}

/** Every element's bound: gamma_K times the sum of its terms' magnitudes. */
function productBounds(product: { abs: Float64Array; k: number }): Float64Array {
  return product.abs.map((sum) => dotBound(product.k, sum));
}

describe.runIf(nativeAvailable)('native matrix products', () => {
  beforeAll(() => useNative());

  for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    it(`BatchMatMul with transposeA=${ta} transposeB=${tb}, batch broadcast and odd shapes`, () => {
      for (const [ba, bb, m, k, n] of [[1, 1, 7, 13, 5], [3, 3, 4, 9, 17], [1, 4, 5, 3, 2], [2, 1, 1, 1, 1], [1, 1, 33, 65, 9], [1, 1, 1, 97, 50], [3, 1, 1, 19, 7], [1, 1, 1, 1, 9], [1, 1, 1, 300, 257], [2, 1, 1, 257, 300], [1, 1, 1, 2, 40000], [1, 1, 1, 1, 70000]] as const) {
        const shapeA = ta ? [ba, k, m] : [ba, m, k];
        const shapeB = tb ? [bb, n, k] : [bb, k, n];
        const a = randomArray(ba * m * k, 1);
        const b = randomArray(bb * k * n, 2);
        const { result: got, calls } = countNativeCalls('matMul', () => tf.tidy(() => tf.matMul(tf.tensor3d(a, shapeA as [number, number, number]), tf.tensor3d(b, shapeB as [number, number, number]), ta, tb)));
        expect(calls).toBe(1);
        const want = reference(a, b, shapeA, shapeB, ta, tb);
        expect(got.shape).toEqual([want.batch, want.m, want.n]);
        expectWithinBound(got.dataSync(), want.values, productBounds(want), `${JSON.stringify([ba, bb, m, k, n])}`);
        got.dispose();
      }
    });
  }

  it('split one-row products stay right when they alternate with other pool jobs, many times over', () => {
    // The split products' workers spin for the next job; the element-wise jobs between them do not:
    // 300 rounds of both, each checked, exercise the pool's hand-over between the two kinds.
    const a = randomArray(400, 3);
    const b = randomArray(400 * 300, 4);
    const want = reference(a, b, [1, 1, 400], [1, 400, 300], false, false);
    const bounds = productBounds(want);
    const big = tf.fill([1 << 18], 2);
    for (let round = 0; round < 300; round++) {
      const [row, doubled] = tf.tidy(() => [tf.matMul(tf.tensor2d(a, [1, 400]), tf.tensor2d(b, [400, 300])), tf.mul(big, 3)]);
      expectWithinBound(row!.dataSync(), want.values, bounds, `round ${round}`);
      expect(doubled!.dataSync()[(1 << 18) - 1]).toBe(6);
      tf.dispose([row!, doubled!]);
    }
    big.dispose();
  });

  it('2-D products and an empty inner dimension (all zeros)', () => {
    const a = randomArray(6 * 4, 3);
    const b = randomArray(4 * 3, 4);
    const got = tf.tidy(() => tf.matMul(tf.tensor2d(a, [6, 4]), tf.tensor2d(b, [4, 3])));
    const want = reference(a, b, [1, 6, 4], [1, 4, 3], false, false);
    expectWithinBound(got.dataSync(), want.values, productBounds(want), '6x4x3');
    got.dispose();
    const empty = tf.tidy(() => tf.matMul(tf.zeros([2, 0]), tf.zeros([0, 3])));
    expect(Array.from(empty.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
    empty.dispose();
    const none = tf.tidy(() => tf.matMul(tf.zeros([0, 4]), tf.zeros([4, 3])));
    expect(none.shape).toEqual([0, 3]);
    none.dispose();
  });

  it('_FusedMatMul: column, scalar and matrix bias, each activation, against float64', () => {
    const m = 5;
    const k = 11;
    const n = 9;
    const a = randomArray(m * k, 5);
    const b = randomArray(k * n, 6);
    const product = reference(a, b, [1, m, k], [1, k, n], false, false);
    // Each activation: its float64 formula, the bound L on |f'|, and the error of evaluating it in
    // float32 at y = f(z) (see ./error-bounds.ts): exact for the clamps; one rounding for leaky
    // relu's product, plus alpha's own rounding to float32; elu's exp (4 ulp, and e^z <= 1 where it
    // is used) and the subtraction; sigmoid's exp, add and divide; libmvec's tanh (4 ulp).
    const activations: Record<string, { f: (x: number) => number; lipschitz: number; evaluation: (y: number) => number }> = {
      linear: { f: (x) => x, lipschitz: 1, evaluation: () => 0 },
      relu: { f: (x) => Math.max(0, x), lipschitz: 1, evaluation: () => 0 },
      relu6: { f: (x) => Math.min(6, Math.max(0, x)), lipschitz: 1, evaluation: () => 0 },
      elu: { f: (x) => (x > 0 ? x : Math.exp(x) - 1), lipschitz: 1, evaluation: (y) => ulps(4, 1) + ulps(0.5, y) },
      leakyrelu: { f: (x) => (x > 0 ? x : 0.3 * x), lipschitz: 1, evaluation: (y) => ulps(1, y) },
      sigmoid: { f: (x) => 1 / (1 + Math.exp(-x)), lipschitz: 0.25, evaluation: (y) => ulps(5, y) },
      tanh: { f: (x) => Math.tanh(x), lipschitz: 1, evaluation: (y) => ulps(4, y) },
    };
    const biases: [string, number[], (i: number, j: number) => number][] = [];
    const column = randomArray(n, 7);
    const matrix = randomArray(m * n, 8);
    biases.push(['column', [n], (_i, j) => column[j] as number]);
    biases.push(['scalar', [1], () => 0.25]);
    biases.push(['matrix', [m, n], (i, j) => matrix[i * n + j] as number]);
    for (const [activation, { f, lipschitz, evaluation }] of Object.entries(activations)) {
      for (const [layout, shape, value] of biases) {
        const biasValues = layout === 'column' ? column : layout === 'matrix' ? matrix : Float32Array.of(0.25);
        const { result: got, calls } = countNativeCalls('matMul', () =>
          tf.tidy(() => tf.fused.matMul({ a: tf.tensor2d(a, [m, k]), b: tf.tensor2d(b, [k, n]), bias: tf.tensor(biasValues, shape), activation: activation as tf.fused.Activation, leakyreluAlpha: 0.3 })),
        );
        expect(calls, `${activation} with ${layout} bias ran natively`).toBe(1);
        const biasAt = (e: number) => value(Math.floor(e / n), e % n);
        const want = Float64Array.from(product.values, (v, e) => f(v + biasAt(e)));
        // The bias is one more term of the sum: z = sum_k a_ik b_kj + bias_j is within gamma_{K+1} of exact.
        const bounds = want.map((y, e) => lipschitz * gamma(k + 1) * ((product.abs[e] as number) + Math.abs(biasAt(e))) + evaluation(y));
        expectWithinBound(got.dataSync(), want, bounds, `${activation} with ${layout} bias`);
        got.dispose();
      }
    }
  });

  it("core's dense kernel (fusedDense): f(x W + b) in one native product, within the bound, and a typed error for bad operands", () => {
    const [m, k, n] = [6, 37, 11];
    const x = randomArray(m * k, 9);
    const w = randomArray(k * n, 10);
    const bias = randomArray(n, 11);
    const product = reference(x, w, [1, m, k], [1, k, n], false, false);
    expect(backendOffers(FUSED_KERNELS.dense)).toBe(true);
    // As for _FusedMatMul above: the Lipschitz constant times the product's bound, plus the evaluation.
    const activations = {
      linear: { f: (v: number) => v, lipschitz: 1, evaluation: () => 0 },
      relu: { f: (v: number) => Math.max(0, v), lipschitz: 1, evaluation: () => 0 },
      sigmoid: { f: (v: number) => 1 / (1 + Math.exp(-v)), lipschitz: 0.25, evaluation: (y: number) => ulps(5, y) },
      tanh: { f: Math.tanh, lipschitz: 1, evaluation: (y: number) => ulps(4, y) },
    };
    for (const [activation, { f, lipschitz, evaluation }] of Object.entries(activations)) {
      const { result: got, calls } = countNativeCalls('matMul', () => tf.tidy(() => fusedDense(tf.tensor2d(x, [m, k]), tf.tensor2d(w, [k, n]), tf.tensor1d(bias), activation as keyof typeof activations)));
      expect(calls).toBe(1);
      const want = product.values.map((v, e) => f(v + (bias[e % n] as number)));
      const bounds = product.abs.map((sum, e) => lipschitz * gamma(k + 1) * (sum + Math.abs(bias[e % n] as number)) + evaluation(want[e] as number));
      expectWithinBound(got.dataSync(), want, bounds, `dense ${activation}`);
      got.dispose();
    }
    // softmax over each row of the product: each p_i off by a relative (z_i - z_j) derivative sum of the
    // products' bounds, bounded by 2 max_j |dz_j| p_i, plus the softmax kernel's own evaluation (see reduce.test.ts).
    const { result: soft, calls: softCalls } = countNativeCalls('matMul', () => tf.tidy(() => fusedDense(tf.tensor2d(x, [m, k]), tf.tensor2d(w, [k, n]), tf.tensor1d(bias), 'softmax')));
    expect(softCalls).toBe(1);
    const z = product.values.map((v, e) => v + (bias[e % n] as number));
    const zBound = product.abs.map((sum, e) => gamma(k + 1) * (sum + Math.abs(bias[e % n] as number)));
    const wantSoft: number[] = [];
    const softBounds: number[] = [];
    for (let i = 0; i < m; i++) {
      const row = Array.from(z.subarray(i * n, (i + 1) * n));
      const top = Math.max(...row);
      const e = row.map((v) => Math.exp(v - top));
      const total = e.reduce((a, v) => a + v, 0);
      const dzMax = Math.max(...Array.from(zBound.subarray(i * n, (i + 1) * n)));
      e.forEach((v, j) => {
        const p = v / total;
        wantSoft.push(p);
        softBounds.push(p * (2 * dzMax + ulps(0.5, 1) * (Math.abs((row[j] as number) - top) + Math.max(...row.map((r) => Math.abs(r - top)))) + 18 * ulps(0.5, 1) + gamma(n, 2 ** -53)));
      });
    }
    expectWithinBound(soft.dataSync(), wantSoft, softBounds, 'dense softmax');
    soft.dispose();
    expect(() => tf.tidy(() => tf.engine().runKernel(FUSED_KERNELS.dense, { x: tf.zeros([2, 3]), w: tf.zeros([4, 5]), b: tf.zeros([5]) }, { activation: 'relu' }))).toThrow(
      'Dl4tsDense: expected x [batch, nIn], w [nIn, nOut], b [nOut]; received x [2, 3], w [4, 5], b [5]',
    );
    expect(() => tf.tidy(() => tf.engine().runKernel(FUSED_KERNELS.dense, { x: tf.zeros([2, 3]), w: tf.zeros([3, 5]), b: tf.zeros([5]) }, { activation: 'elu' }))).toThrow('activation must be "linear", "relu", "sigmoid", "tanh" or "softmax", received "elu"');
  });

  it('NaN passes through the relu epilogue (a diverged network stays visibly diverged)', () => {
    const got = tf.tidy(() => tf.fused.matMul({ a: tf.tensor2d([Number.NaN, 1], [1, 2]), b: tf.tensor2d([1, 1], [2, 1]), activation: 'relu' }));
    expect(Number.isNaN(got.dataSync()[0])).toBe(true);
    got.dispose();
  });

  it('falls back to tfjs-backend-cpu for what it does not cover (prelu, int32) with the same values', () => {
    const got = tf.tidy(() =>
      tf.fused.matMul({ a: tf.tensor2d([1, -2, 3, -4], [2, 2]), b: tf.tensor2d([1, 0, 0, 1], [2, 2]), activation: 'prelu', preluActivationWeights: tf.tensor1d([0.5, 0.25]) }),
    );
    expect(Array.from(got.dataSync())).toEqual([1, -0.5, 3, -1]);
    got.dispose();
    const ints = tf.tidy(() => tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), tf.tensor2d([5, 6, 7, 8], [2, 2], 'int32')));
    expect(Array.from(ints.dataSync())).toEqual([19, 22, 43, 50]);
    ints.dispose();
  });
});
