import { selectBackend } from '@dl4ts/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { cpuBackend } from './cpu-backend';

describe('cpuBackend', () => {
  it('describes the tfjs CPU backend under the current contract', () => {
    const backend = cpuBackend();
    expect(backend).toMatchObject({ contractVersion: 1, name: 'cpu', tfjsName: 'cpu' });
  });

  it('registers nothing until it is activated', () => {
    cpuBackend();
    // tfjs answers null (not undefined) for a backend name it has never seen.
    expect(tf.findBackendFactory('cpu')).toBeNull();
  });

  it('is always available', async () => {
    await expect(cpuBackend().availability()).resolves.toEqual({ available: true });
  });

  it('activates the tfjs CPU backend and computes a matrix product', async () => {
    await cpuBackend().activate();
    expect(tf.getBackend()).toBe('cpu');

    const a = [
      [1, 2, 3],
      [4, 5, 6],
    ];
    const b = [
      [7, 8],
      [9, 10],
      [11, 12],
    ];
    // Reference product computed in plain JavaScript: c[i][j] = sum_k a[i][k] * b[k][j].
    const expected = a.map((row) => b[0]!.map((_, j) => row.reduce((sum, aik, k) => sum + aik * b[k]![j]!, 0)));
    const product = tf.matMul(tf.tensor2d(a), tf.tensor2d(b));
    expect(product.shape).toEqual([2, 2]);
    expect(await product.array()).toEqual(expected);
  });

  it('is chosen by selectBackend, after which gradients work: d/dx sum(x^2) = 2x', async () => {
    const chosen = await selectBackend(['cpu'], [cpuBackend()]);
    expect(chosen).toEqual({ name: 'cpu', tfjsName: 'cpu', skipped: [] });
    expect(tf.getBackend()).toBe('cpu');

    const x = [-1.5, 0, 2, 3.25];
    const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.square(t)))(tf.tensor1d(x));
    const got = Array.from(await dx.data());
    x.forEach((xi, i) => expect(got[i]).toBeCloseTo(2 * xi, 6));
  });
});
