import * as tf from '@tensorflow/tfjs-core';
import { it, expect } from 'vitest';
import { cpuBackend } from './cpu-backend';
it('grad without registerGradients', async () => {
  await cpuBackend().activate();
  expect(() => tf.grad((t: tf.Tensor) => tf.sum(tf.square(t)))(tf.tensor1d([1, 2]))).toThrow(/gradient/i);
});
