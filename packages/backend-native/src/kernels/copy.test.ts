// Transpose, Slice, PadV2, Concat and GatherV2 against index arithmetic written here: permutations
// of rank 2 to 5, non-contiguous slices, int32 data, empty inputs, and gather's range error.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { countNativeCalls, nativeAvailable, useNative } from '../test-support';
import { randomArray } from './test-arrays';

/** Multi-index of flat position `flat` in `shape`. */
function unravel(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = flat % (shape[d] as number);
    flat = Math.floor(flat / (shape[d] as number));
  }
  return index;
}
function ravel(index: readonly number[], shape: readonly number[]): number {
  return index.reduce((flat, i, d) => flat * (shape[d] as number) + i, 0);
}
const sizeOf = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

describe.runIf(nativeAvailable)('native transpose, slice and pad', () => {
  beforeAll(() => useNative());

  it('transposes float32 and int32 under every permutation of ranks 2 to 4, and a rank-5 one', () => {
    const perms = (n: number): number[][] => (n === 1 ? [[0]] : perms(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)])));
    const cases: [number[], number[]][] = [];
    for (const shape of [[5, 7], [2, 3, 4], [2, 3, 1, 5]]) for (const perm of perms(shape.length)) cases.push([shape, perm]);
    cases.push([[2, 3, 2, 2, 3], [4, 2, 0, 3, 1]], [[40, 70], [1, 0]]);
    for (const [shape, perm] of cases) {
      for (const dtype of ['float32', 'int32'] as const) {
        const x = dtype === 'float32' ? randomArray(sizeOf(shape), 61) : Int32Array.from({ length: sizeOf(shape) }, (_, i) => i * 7 - 3);
        const { result, calls } = countNativeCalls('strided', () => tf.tidy(() => tf.transpose(tf.tensor(x, shape, dtype), perm)));
        const outShape = perm.map((p) => shape[p] as number);
        expect(result.shape).toEqual(outShape);
        expect(calls).toBe(1);
        const want = Array.from({ length: x.length }, (_, flat) => {
          const o = unravel(flat, outShape);
          const i = new Array<number>(shape.length);
          perm.forEach((p, d) => (i[p] = o[d] as number));
          return x[ravel(i, shape)] as number;
        });
        expect(Array.from(result.dataSync()), `${JSON.stringify(shape)} ${JSON.stringify(perm)} ${dtype}`).toEqual(want);
        result.dispose();
      }
    }
  });

  it('slices non-contiguous blocks natively and leaves contiguous ones to tfjs-backend-cpu (a view, no copy)', () => {
    const shape = [4, 5, 6];
    const x = randomArray(sizeOf(shape), 62);
    for (const [begin, size] of [[[1, 2, 3], [2, 2, 3]], [[0, 0, 1], [4, 5, 4]], [[3, 1, 1], [1, 3, 5]], [[0, 4, 5], [4, 1, 1]]] as [number[], number[]][]) {
      const { result, calls } = countNativeCalls('strided', () => tf.tidy(() => tf.slice(tf.tensor3d(x, shape as [number, number, number]), begin, size)));
      expect(calls).toBe(1);
      const want = Array.from({ length: sizeOf(size) }, (_, flat) => x[ravel(unravel(flat, size).map((i, d) => i + (begin[d] as number)), shape)] as number);
      expect(Array.from(result.dataSync())).toEqual(want);
      result.dispose();
    }
    const { result, calls } = countNativeCalls('strided', () => tf.tidy(() => tf.slice(tf.tensor3d(x, shape as [number, number, number]), [1, 0, 0], [2, 5, 6])));
    expect(calls).toBe(0);
    expect(Array.from(result.dataSync())).toEqual(Array.from(x.subarray(30, 90)));
    result.dispose();
  });

  it('pads with a constant (the gradient of slice), and the gradient of a slice is that pad', () => {
    const x = randomArray(2 * 3, 63);
    const { result, calls } = countNativeCalls('pad', () => tf.tidy(() => tf.pad(tf.tensor2d(x, [2, 3]), [[1, 2], [0, 3]], 0.5)));
    expect(calls).toBe(1);
    expect(result.shape).toEqual([5, 6]);
    const want = Array.from({ length: 30 }, (_, flat) => {
      const [r, c] = unravel(flat, [5, 6]) as [number, number];
      return r >= 1 && r < 3 && c < 3 ? (x[(r - 1) * 3 + c] as number) : 0.5;
    });
    expect(Array.from(result.dataSync())).toEqual(want.map(Math.fround));
    result.dispose();
    const dx = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.slice(t, [1, 1], [2, 2]), tf.tensor2d([1, 2, 3, 4], [2, 2]))))(tf.zeros([4, 3])));
    expect(Array.from(dx.dataSync())).toEqual([0, 0, 0, 0, 1, 2, 0, 3, 4, 0, 0, 0]);
    dx.dispose();
  });
});

describe.runIf(nativeAvailable)('native concat and gather', () => {
  beforeAll(() => useNative());

  it('concatenates along every axis, float32 and int32, skipping empty inputs', () => {
    const a = randomArray(2 * 3 * 4, 64);
    const b = randomArray(2 * 3 * 5, 65);
    const { result, calls } = countNativeCalls('concat', () => tf.tidy(() => tf.concat([tf.tensor3d(a, [2, 3, 4]), tf.zeros([2, 3, 0]), tf.tensor3d(b, [2, 3, 5])], 2)));
    expect(calls).toBe(1);
    const want: number[] = [];
    for (let r = 0; r < 6; r++) want.push(...a.subarray(r * 4, r * 4 + 4), ...b.subarray(r * 5, r * 5 + 5));
    expect(Array.from(result.dataSync())).toEqual(want);
    result.dispose();
    for (const axis of [0, 1]) {
      const ia = Int32Array.from({ length: 12 }, (_, i) => i);
      const ib = Int32Array.from({ length: 12 }, (_, i) => 100 + i);
      const got = tf.tidy(() => tf.concat([tf.tensor2d(ia, [3, 4], 'int32'), tf.tensor2d(ib, [3, 4], 'int32')], axis));
      const rows = (t: Int32Array) => [0, 1, 2].map((r) => Array.from(t.subarray(r * 4, r * 4 + 4)));
      const wantRows = axis === 0 ? [...rows(ia), ...rows(ib)] : rows(ia).map((row, r) => [...row, ...(rows(ib)[r] as number[])]);
      expect(got.dtype).toBe('int32');
      expect(Array.from(got.dataSync())).toEqual(wantRows.flat());
      got.dispose();
    }
  });

  it('gathers along an axis with repeated indices, and names an index out of range as tfjs-backend-cpu does', () => {
    const x = randomArray(3 * 4 * 2, 66);
    const indices = [3, 0, 3, 1];
    const { result, calls } = countNativeCalls('gather', () => tf.tidy(() => tf.gather(tf.tensor3d(x, [3, 4, 2]), tf.tensor1d(indices, 'int32'), 1)));
    expect(calls).toBe(1);
    expect(result.shape).toEqual([3, 4, 2]);
    const want = Array.from({ length: 24 }, (_, flat) => {
      const [o, j, i] = unravel(flat, [3, 4, 2]) as [number, number, number];
      return x[(o * 4 + (indices[j] as number)) * 2 + i] as number;
    });
    expect(Array.from(result.dataSync())).toEqual(want);
    result.dispose();
    expect(() => tf.tidy(() => tf.gather(tf.tensor2d(x, [12, 2]), tf.tensor1d([0, 12], 'int32')))).toThrow('GatherV2: the index value 12 is not in [0, 11]');
  });
});
