import * as tf from '@tensorflow/tfjs-core';
import { registerGradients } from '@dl4ts/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WASM_ADDED_KERNELS, WASM_KERNEL_FIXES, installWasmKernelFixes, wasmKernelFixesInstalled } from './kernel-fixes';
import { wasmBackend } from './wasm-backend';

/** Deterministic test values in [-1, 1), with no two alike along a row. */
function values(n: number, salt: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.sin(1.3 * i + salt) * 0.9 + ((i * 7 + salt) % 5) * 0.02);
}

/** Plain float64 batch product of row-major `[batch, rows, inner]` and `[batch, inner, cols]` arrays. */
function referenceMatMul(a: number[][][], b: number[][][]): number[][][] {
  const batch = Math.max(a.length, b.length);
  return Array.from({ length: batch }, (_, k) => {
    const ak = a[a.length === 1 ? 0 : k] as number[][];
    const bk = b[b.length === 1 ? 0 : k] as number[][];
    return ak.map((row) => (bk[0] as number[]).map((_, j) => row.reduce((sum, aij, i) => sum + aij * (bk[i] as number[])[j]!, 0)));
  });
}

function transposed(m: number[][][]): number[][][] {
  return m.map((mat) => (mat[0] as number[]).map((_, j) => mat.map((row) => row[j] as number)));
}

function reshape3(flat: number[], [batch, rows, cols]: [number, number, number]): number[][][] {
  return Array.from({ length: batch }, (_, k) => Array.from({ length: rows }, (_, i) => flat.slice(k * rows * cols + i * cols, k * rows * cols + (i + 1) * cols)));
}

function expectClose(got: number[][][], expected: number[][][], tolerance = 1e-5): void {
  expect(got.length).toBe(expected.length);
  got.forEach((mat, k) =>
    mat.forEach((row, i) =>
      row.forEach((value, j) => {
        const want = (expected[k] as number[][])[i]![j] as number;
        expect(Math.abs(value - want)).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(want)));
      }),
    ),
  );
}

describe('wasm kernel fixes', () => {
  beforeAll(async () => {
    await wasmBackend().activate();
    await registerGradients();
  });
  afterAll(() => {
    installWasmKernelFixes();
  });

  it('are installed by activation', () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(wasmKernelFixesInstalled()).toBe(true);
    expect(WASM_KERNEL_FIXES).toEqual(['BatchMatMul', '_FusedMatMul', 'Identity', 'Slice', 'Unpack', 'GatherV2', 'MaxPoolGrad', 'Conv2DBackpropInput', 'AvgPoolGrad']);
  });

  // Shapes in untransposed form: a [batchA, m, k], b [batchB, k, n]; batch 1 broadcasts.
  const cases: { name: string; batchA: number; batchB: number; m: number; k: number; n: number }[] = [
    { name: 'rank 2 (batch 1)', batchA: 1, batchB: 1, m: 5, k: 7, n: 3 },
    { name: 'rank 3, equal batches', batchA: 3, batchB: 3, m: 4, k: 6, n: 5 },
    { name: 'rank 3, b broadcast over a batch', batchA: 2, batchB: 1, m: 3, k: 4, n: 6 },
  ];
  for (const c of cases) {
    for (const [transposeA, transposeB] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      it(`matMul ${c.name}, transposeA=${transposeA}, transposeB=${transposeB}, matches a float64 product`, async () => {
        const a = reshape3(values(c.batchA * c.m * c.k, 1), [c.batchA, c.m, c.k]);
        const b = reshape3(values(c.batchB * c.k * c.n, 2), [c.batchB, c.k, c.n]);
        const expected = referenceMatMul(a, b);
        const stored = (m: number[][][], t: boolean) => (t ? transposed(m) : m);
        const rank2 = c.batchA === 1 && c.batchB === 1;
        const asTensor = (m: number[][][]) => (rank2 ? tf.tensor2d(m[0] as number[][]) : tf.tensor3d(m));
        const at = asTensor(stored(a, transposeA));
        const bt = asTensor(stored(b, transposeB));
        const before = tf.memory().numTensors;
        const product = tf.matMul(at, bt, transposeA, transposeB);
        const got = rank2 ? [(await product.array()) as number[][]] : ((await product.array()) as number[][][]);
        expectClose(got, expected);
        product.dispose();
        expect(tf.memory().numTensors).toBe(before);
        tf.dispose([at, bt]);
      });
    }
  }

  it('fused matMul with bias and relu, transposed operands, matches relu(A B + bias)', async () => {
    const a = reshape3(values(4 * 6, 3), [1, 4, 6]);
    const b = reshape3(values(6 * 5, 4), [1, 6, 5]);
    const bias = values(5, 5);
    const expected = referenceMatMul(a, b).map((mat) => mat.map((row) => row.map((v, j) => Math.max(0, v + (bias[j] as number)))));
    const out = tf.fused.matMul({
      a: tf.tensor2d(transposed(a)[0] as number[][]),
      b: tf.tensor2d(transposed(b)[0] as number[][]),
      transposeA: true,
      transposeB: true,
      bias: tf.tensor1d(bias),
      activation: 'relu',
    });
    expectClose([(await out.array()) as number[][]], expected);
    expect(expected[0]!.flat().some((v) => v === 0)).toBe(true); // relu did clip something
  });

  it('gives matMul gradients equal to the closed forms dA = G B^T and dB = A^T G', async () => {
    const [m, k, n] = [4, 5, 3];
    const a = reshape3(values(m * k, 6), [1, m, k]);
    const b = reshape3(values(k * n, 7), [1, k, n]);
    const g = reshape3(values(m * n, 8), [1, m, n]);
    // f(A, B) = sum(G .* (A B)), so df/dA = G B^T and df/dB = A^T G.
    const [dA, dB] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.tensor2d(g[0] as number[][]), tf.matMul(x, y))))([
      tf.tensor2d(a[0] as number[][]),
      tf.tensor2d(b[0] as number[][]),
    ]);
    expectClose([(await dA!.array()) as number[][]], referenceMatMul(g, transposed(b)));
    expectClose([(await dB!.array()) as number[][]], referenceMatMul(transposed(a), g));
  });

  it('clones by sharing data: no new buffer, values intact after the original is disposed', async () => {
    const x = tf.tensor2d([
      [1.5, -2],
      [3, 4.25],
    ]);
    const buffers = tf.memory().numDataBuffers;
    const y = tf.clone(x);
    expect(tf.memory().numDataBuffers).toBe(buffers);
    x.dispose();
    expect(await y.array()).toEqual([
      [1.5, -2],
      [3, 4.25],
    ]);
    y.dispose();
    // d/dx of sum(clone(x)^2) = 2x still flows through the shared Identity.
    const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.clone(t))))(tf.tensor1d([1, -3]));
    expect(Array.from(await dx.data())).toEqual([2, -6]);
  });

  it('slices and unstacks as plain index arithmetic does, for every rank and offset tried', async () => {
    const shape = [3, 4, 5, 2];
    const flat = Array.from(Float32Array.from(values(120, 3)));
    const x = tf.tensor(flat, shape);
    const at = (idx: number[]) => flat[((idx[0]! * 4 + idx[1]!) * 5 + idx[2]!) * 2 + idx[3]!]!;
    const reference = (begin: number[], size: number[]) => {
      const out: number[] = [];
      const walk = (axis: number, idx: number[]) => {
        if (axis === 4) return void out.push(at(idx));
        for (let i = begin[axis]!; i < begin[axis]! + size[axis]!; i++) walk(axis + 1, [...idx, i]);
      };
      walk(0, []);
      return out;
    };
    const slices: [number[], number[]][] = [
      [[0, 0, 0, 0], [3, 4, 5, 2]],
      [[1, 0, 0, 0], [2, 4, 5, 2]],
      [[0, 2, 0, 0], [3, 1, 5, 2]],
      [[2, 3, 4, 1], [1, 1, 1, 1]],
      [[0, 1, 2, 0], [3, 2, 3, 2]],
      [[1, 1, 0, 1], [1, 3, 5, 1]],
      [[0, 0, 0, 0], [3, 0, 5, 2]],
    ];
    for (const [begin, size] of slices) expect(Array.from(await tf.slice(x, begin, size).data()), `${begin} ${size}`).toEqual(reference(begin, size));
    const m = tf.tensor2d(values(12, 4), [3, 4]);
    expect(await tf.slice(m, [1, 1], [2, -1]).array()).toEqual([Array.from((await m.data()).slice(5, 8)), Array.from((await m.data()).slice(9, 12))]);
    for (const axis of [0, 1, 2, 3]) {
      const parts = tf.unstack(x, axis);
      expect(parts.length).toBe(shape[axis]);
      for (const [i, part] of parts.entries()) {
        const begin = shape.map((_, d) => (d === axis ? i : 0));
        const size = shape.map((n, d) => (d === axis ? 1 : n));
        expect(part.shape).toEqual(shape.filter((_, d) => d !== axis));
        expect(Array.from(await part.data())).toEqual(reference(begin, size));
      }
      tf.dispose(parts);
    }
    // Through autodiff: the gradient of a slice is the padded upstream gradient.
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.slice(t, [0, 1], [2, 2]), 2)))(m);
    expect(await g.array()).toEqual([[0, 2, 2, 0], [0, 2, 2, 0], [0, 0, 0, 0]]);
    const ints = tf.tensor2d([[1, 2, 3], [4, 5, 6]], [2, 3], 'int32');
    expect(await tf.slice(ints, [1, 1], [1, 2]).array()).toEqual([[5, 6]]);
    tf.dispose([x, m, g, ints]);
  });

  it('gathers as plain index arithmetic does, on every axis, with batch dimensions and int32 values', async () => {
    const shape = [3, 4, 5];
    const flat = Array.from(Float32Array.from(values(60, 5)));
    const x = tf.tensor(flat, shape);
    const at = (i: number, j: number, k: number) => flat[(i * 4 + j) * 5 + k]!;
    const picks = [[2, 0, 2, 1], [3, 3, 0], [4, 0, 1, 1, 2]];
    for (const axis of [0, 1, 2]) {
      const index = picks[axis]!;
      const want: number[] = [];
      const dims = shape.map((n, d) => (d === axis ? index.length : n));
      for (let i = 0; i < dims[0]!; i++)
        for (let j = 0; j < dims[1]!; j++)
          for (let k = 0; k < dims[2]!; k++) want.push(at(axis === 0 ? index[i]! : i, axis === 1 ? index[j]! : j, axis === 2 ? index[k]! : k));
      const got = tf.gather(x, tf.tensor1d(index, 'int32'), axis);
      expect(got.shape).toEqual(dims);
      expect(Array.from(await got.data()), `axis ${axis}`).toEqual(want);
    }
    // Rank-2 indices, and batchDims 1: row b takes its own indices.
    const rows = tf.gather(tf.tensor2d([[1, 2], [3, 4], [5, 6]]), tf.tensor2d([[2, 0], [1, 1]], [2, 2], 'int32'));
    expect(await rows.array()).toEqual([[[5, 6], [1, 2]], [[3, 4], [3, 4]]]);
    const batched = tf.gather(tf.tensor2d([[1, 2, 3], [4, 5, 6]]), tf.tensor2d([[2, 0], [1, 1]], [2, 2], 'int32'), 1, 1);
    expect(await batched.array()).toEqual([[3, 1], [5, 5]]);
    const ints = tf.gather(tf.tensor1d([7, 8, 9], 'int32'), tf.tensor1d([2, 2, 0], 'int32'));
    expect(await ints.array()).toEqual([9, 9, 7]);
    expect(() => tf.gather(x, tf.tensor1d([0, 3], 'int32'))).toThrow(/GatherV2: the index value 3 is not in \[0, 2\]/);
    expect(() => tf.gather(x, tf.tensor1d([-1], 'int32'))).toThrow(/GatherV2: the index value -1 is not in \[0, 2\]/);
    tf.dispose([x, rows, batched, ints]);
  });

  it('adds UnsortedSegmentSum, so that gather has a gradient on wasm (embeddings train)', async () => {
    expect(WASM_ADDED_KERNELS).toEqual(['UnsortedSegmentSum', 'Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter']);
    const x = tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]);
    // Ids outside [0, numSegments) are dropped; repeated ids add up.
    const sums = tf.unsortedSegmentSum(x, tf.tensor1d([2, 0, 2, 5], 'int32'), 3);
    expect(await sums.array()).toEqual([[3, 4], [0, 0], [6, 8]]);
    const ints = tf.unsortedSegmentSum(tf.tensor1d([1, 2, 3], 'int32'), tf.tensor1d([1, 1, 0], 'int32'), 2);
    expect(await ints.array()).toEqual([3, 3]);
    // The gradient of a gather scatters the upstream gradient back onto the rows it read.
    const m = tf.tensor2d(values(6, 6), [3, 2]);
    const upstream = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, tf.tensor1d([2, 0, 2], 'int32')), upstream)))(m);
    expect(await g.array()).toEqual([[3, 4], [0, 0], [6, 8]]);
    tf.dispose([x, sums, ints, m, upstream, g]);
  });

  it('keeps string clones on the stock kernel', async () => {
    const s = tf.tensor1d(['a', 'bc'], 'string');
    const c = tf.clone(s);
    s.dispose();
    expect(await c.array()).toEqual(['a', 'bc']);
    c.dispose();
  });

  it('can be restored to the stock kernels, which give the same values', async () => {
    const a = tf.tensor2d(values(12, 9), [4, 3]);
    const b = tf.tensor2d(values(15, 10), [5, 3]);
    const fixed = (await tf.matMul(a, b, false, true).array()) as number[][];
    const fixedFn = tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc;
    const restore = installWasmKernelFixes();
    expect(installWasmKernelFixes()).toBe(restore); // idempotent
    restore();
    expect(wasmKernelFixesInstalled()).toBe(false);
    expect(tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc).not.toBe(fixedFn);
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeUndefined();
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    const stock = (await tf.matMul(a, b, false, true).array()) as number[][];
    expectClose([stock], [fixed]);
    // The stock Identity copies: a clone takes a new buffer.
    const buffers = tf.memory().numDataBuffers;
    const c = tf.clone(a);
    expect(tf.memory().numDataBuffers).toBe(buffers + 1);
    tf.dispose([a, b, c]);
    installWasmKernelFixes();
    expect(wasmKernelFixesInstalled()).toBe(true);
  });

  it('are left out (and removed) when the adapter is created with kernelFixes: false', async () => {
    await wasmBackend({ kernelFixes: false }).activate();
    expect(wasmKernelFixesInstalled()).toBe(false);
    await wasmBackend().activate();
    expect(wasmKernelFixesInstalled()).toBe(true);
  });
});
