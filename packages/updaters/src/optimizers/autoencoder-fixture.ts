import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import type { Objective } from './test-support';
import { lcg } from './test-support';

/**
 * Test support (not exported): a small deep autoencoder, 8-4-2-4-8 with tanh hidden layers and a
 * sigmoid output, on deterministic data that lies on a 2-D manifold, for the Hessian-free test.
 */
export const AUTOENCODER_SIZES = [8, 4, 2, 4, 8] as const;

/** `n` examples: `x_j = sigmoid(a_j u + b_j v + c_j)` of a latent `(u, v)` drawn uniformly in [-1, 1]^2. */
export function autoencoderData(n = 32, seed = 11): number[][] {
  const rand = lcg(seed);
  const coefficients = Array.from({ length: 8 }, () => [4 * rand() - 2, 4 * rand() - 2, rand() - 0.5]);
  return Array.from({ length: n }, () => {
    const u = 2 * rand() - 1;
    const v = 2 * rand() - 1;
    return coefficients.map(([a, b, c]) => 1 / (1 + Math.exp(-((a as number) * u + (b as number) * v + (c as number)))));
  });
}

/** Initial parameters `W1, b1, ..., W4, b4`: weights uniform in `±1/sqrt(fanIn)`, zero biases. */
export function autoencoderInit(seed = 3): Record<string, { values: number[]; shape: number[] }> {
  const rand = lcg(seed);
  const params: Record<string, { values: number[]; shape: number[] }> = {};
  for (let l = 0; l < 4; l++) {
    const nIn = AUTOENCODER_SIZES[l] as number;
    const nOut = AUTOENCODER_SIZES[l + 1] as number;
    const r = 1 / Math.sqrt(nIn);
    params[`W${l + 1}`] = { values: Array.from({ length: nIn * nOut }, () => r * (2 * rand() - 1)), shape: [nIn, nOut] };
    params[`b${l + 1}`] = { values: new Array<number>(nOut).fill(0), shape: [nOut] };
  }
  return params;
}

/** Mean over examples of the summed squared reconstruction error; the batch's features are the targets. */
export const autoencoderObjective: Objective = (params, batch) =>
  tf.tidy(() => {
    let h: Tensor = batch.features;
    for (let l = 1; l <= 4; l++) {
      const z = tf.add(tf.matMul(h as tf.Tensor2D, params.get(`W${l}`) as tf.Tensor2D), params.get(`b${l}`) as Tensor);
      h = l < 4 ? tf.tanh(z) : tf.sigmoid(z);
    }
    return tf.div(tf.sum(tf.square(tf.sub(h, batch.features))), batch.features.shape[0] as number);
  });
