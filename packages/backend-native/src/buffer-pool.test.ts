// The buffer pool behind the native backend's outputs: disposed storage is reused for the next
// output of its size, and never while anything can still see it.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { BufferPool, POOL_MIN_ELEMENTS, bufferPool } from './buffer-pool';
import { nativeAvailable, useNative } from './test-support';

describe('BufferPool', () => {
  it('hands a released buffer to the next allocation of its size, and only when its last holder is gone', () => {
    const pool = new BufferPool(1 << 20);
    const a = pool.allocateFloat32(POOL_MIN_ELEMENTS);
    pool.retain(a);
    const view = a.subarray(10, 20); // a second holder of the same storage
    pool.retain(view);
    pool.release(a);
    expect(pool.allocateFloat32(POOL_MIN_ELEMENTS).buffer).not.toBe(a.buffer);
    pool.release(view);
    expect(pool.heldBytes).toBe(POOL_MIN_ELEMENTS * 4);
    expect(pool.allocateFloat32(POOL_MIN_ELEMENTS).buffer).toBe(a.buffer);
    expect(pool.heldBytes).toBe(0);
  });

  it('keeps small arrays out, drops what exceeds its limit, and ignores storage it did not make', () => {
    const pool = new BufferPool(POOL_MIN_ELEMENTS * 4);
    expect(pool.owns(pool.allocateFloat32(POOL_MIN_ELEMENTS - 1))).toBe(false);
    const foreign = new Float32Array(POOL_MIN_ELEMENTS);
    pool.retain(foreign);
    pool.release(foreign);
    expect(pool.heldBytes).toBe(0);
    const [x, y] = [pool.allocateFloat32(POOL_MIN_ELEMENTS), pool.allocateFloat32(POOL_MIN_ELEMENTS)];
    for (const t of [x, y]) {
      pool.retain(t);
      pool.release(t);
    }
    expect(pool.heldBytes).toBe(POOL_MIN_ELEMENTS * 4);
    expect(pool.stats.dropped).toBe(1);
    const disabled = new BufferPool(0);
    expect(disabled.owns(disabled.allocateFloat32(POOL_MIN_ELEMENTS))).toBe(false);
  });
});

describe.runIf(nativeAvailable)('the native backend with its pool', () => {
  it('reuses a disposed output\'s storage, and what a user read stays as read', async () => {
    await useNative();
    const n = 100_000;
    const x = tf.fill([n], 2);
    const first = tf.exp(x);
    const read = first.dataSync(); // a copy: the pool's storage never leaves the backend
    const want = read[0] as number;
    expect(want).toBeCloseTo(Math.exp(2), 5);
    first.dispose();
    const reused = bufferPool.stats.reused;
    const second = tf.neg(x); // same size: takes the storage `first` gave back
    expect(bufferPool.stats.reused).toBe(reused + 1);
    expect(read.every((v) => v === want)).toBe(true); // not -2: the reused storage is not the array read
    expect((await second.data())[0]).toBe(-2);
    tf.dispose([x, second]);
  });

  it('a reshape or a contiguous slice of an output keeps its storage out of the pool until it is disposed too', async () => {
    await useNative();
    const x = tf.range(0, 20_000, 1, 'float32');
    const y = tf.mul(x, 3);
    const reshaped = tf.reshape(y, [100, 200]);
    const part = tf.slice(y, [5000], [8000]);
    y.dispose();
    const others = [tf.neg(x), tf.neg(x)];
    expect((await reshaped.data())[7]).toBe(21);
    expect((await part.data())[0]).toBe(15_000);
    tf.dispose([x, reshaped, part, ...others]);
  });
});
