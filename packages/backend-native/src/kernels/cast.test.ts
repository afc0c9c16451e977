// Cast to float32 from bool and int32 stores a Float32Array, so the products that follow run
// natively; the values are the cast's, and other casts keep tfjs-backend-cpu's results.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { countNativeCalls, nativeAvailable, useNative } from '../test-support';

describe.runIf(nativeAvailable)('native Cast', () => {
  beforeAll(() => useNative());

  it('bool and int32 to float32: the values, and a product after it runs natively', () => {
    const bools = tf.tensor2d([1, 0, 1, 1, 0, 0], [2, 3], 'bool');
    const ints = tf.tensor2d([3, -7, 0, 2147483647, -2147483648, 5], [2, 3], 'int32');
    const w = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]);
    for (const [x, want] of [
      [bools, [1, 0, 1, 1, 0, 0]],
      [ints, [3, -7, 0, 2147483648, -2147483648, 5]], // float32 rounds 2^31 - 1 to 2^31
    ] as const) {
      const { result, calls } = countNativeCalls('matMul', () =>
        tf.tidy(() => {
          const f = tf.cast(x, 'float32');
          return [f, tf.matMul(f as tf.Tensor2D, w)];
        }),
      );
      const [f, product] = result as [tf.Tensor, tf.Tensor];
      expect(f.dtype).toBe('float32');
      expect(Array.from(f.dataSync())).toEqual(want);
      expect(calls).toBe(1); // the product did not fall back to JavaScript
      const v = want as readonly number[];
      const row = (i: number) => [v[3 * i]! * 1 + v[3 * i + 1]! * 3 + v[3 * i + 2]! * 5, v[3 * i]! * 2 + v[3 * i + 1]! * 4 + v[3 * i + 2]! * 6];
      expect(Array.from(product.dataSync())).toEqual([...row(0), ...row(1)].map(Math.fround));
      tf.dispose([f, product]);
    }
    // Other casts as tfjs-backend-cpu makes them.
    expect(Array.from(tf.tidy(() => tf.cast(tf.tensor1d([1.7, -1.7, 0]), 'int32')).dataSync())).toEqual([1, -1, 0]);
    expect(Array.from(tf.tidy(() => tf.cast(tf.tensor1d([2, 0, -0.5]), 'bool')).dataSync())).toEqual([1, 0, 1]);
    tf.dispose([bools, ints, w]);
  });
});
