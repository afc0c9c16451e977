// Where the bench cases find the reference data, and what they use when it is absent (a user's
// fresh clone has no ../shared): speed is measured on generated data, and accuracy is skipped.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { DataSet, Rng, oneHot } from '@dl4ts/core';
import { loadMnist } from '@dl4ts/core/node';

const here = dirname(fileURLToPath(import.meta.url));

/** `DL4TS_DATA` (the folder holding mnist/, tinyshakespeare/, ...), else ../shared/data beside the repository. */
export function dataRoot(): string {
  return process.env.DL4TS_DATA ?? resolve(here, '../../../shared/data');
}

export function mnistDir(): string | undefined {
  const dir = join(dataRoot(), 'mnist');
  return existsSync(join(dir, 'train-images-idx3-ubyte.gz')) || existsSync(join(dir, 'train-images-idx3-ubyte')) ? dir : undefined;
}

/** The first `n` MNIST training images scaled to [0, 1], or `n` uniform random images with random labels. */
export async function mnistOrRandom(n: number, seed = 1): Promise<{ data: DataSet; real: boolean }> {
  const dir = mnistDir();
  if (dir !== undefined) {
    const all = await loadMnist(dir, { split: 'train', scale: true, limit: n });
    return { data: all, real: true };
  }
  const rng = new Rng(seed);
  const pixels = new Float32Array(n * 784);
  for (let i = 0; i < pixels.length; i++) pixels[i] = rng.uniform();
  const digits = Array.from({ length: n }, () => rng.int(10));
  return { data: DataSet.adopt(tf.tensor2d(pixels, [n, 784]), oneHot(digits, 10)), real: false };
}
