// The native dropout mask against core's JavaScript generator (dropoutMaskValues), bit for bit: the
// same seed must give the same mask on every backend. Sizes cover the vector loop's tail, one
// element, none, and a mask large enough to be split over the pool.
import { FUSED_KERNELS, backendOffers, dropoutMask, dropoutMaskValues } from '@dl4ts/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { countNativeCalls, nativeAvailable, useNative } from '../test-support';

describe.runIf(nativeAvailable)('native dropout mask', () => {
  beforeAll(() => useNative());

  it('equals dropoutMaskValues for every size, seed and keep, in one native call', () => {
    expect(backendOffers(FUSED_KERNELS.dropoutMask)).toBe(true);
    for (const shape of [[0], [1], [7], [8], [3, 3], [1000], [300, 1001]]) {
      for (const seed of [0, 1, 123_456_789, 0xffffffff]) {
        for (const keep of [0.5, 0.8, 0.3, 1, 1e-9]) {
          const size = shape.reduce((a, b) => a * b, 1);
          const { result: mask, calls } = countNativeCalls('dropoutMask', () => dropoutMask(shape, seed, keep));
          expect(calls).toBe(1);
          expect(mask.shape).toEqual(shape);
          const got = mask.dataSync() as Float32Array;
          const want = dropoutMaskValues(seed, size, keep, 1 / keep);
          const first = got.findIndex((v, i) => v !== want[i]);
          expect(first, `shape ${JSON.stringify(shape)}, seed ${seed}, keep ${keep}: first difference at ${first}`).toBe(-1);
          mask.dispose();
        }
      }
    }
  });

  it('refuses a seed that is not a 32-bit unsigned integer, naming it', () => {
    expect(() => tf.engine().runKernel(FUSED_KERNELS.dropoutMask, {}, { shape: [4], seed: -3, keep: 0.5, scale: 2 })).toThrow(
      '@dl4ts/backend-native Dl4tsDropoutMask: seed must be a 32-bit unsigned integer, received -3',
    );
  });
});
