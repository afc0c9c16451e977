import * as tf from '@tensorflow/tfjs-core';
import { DataSet } from '../data-set';
import { ConfigError, formatValue } from '../errors';
import { DataFormatError } from './errors';
import { maybeGunzip } from './gzip';
import { parseIdx } from './idx';
import { oneHotArray } from './one-hot';

/** Options of {@link mnistDataSet} and `loadMnist`. */
export interface MnistOptions {
  /** Keep only the first `limit` examples. */
  readonly limit?: number;
  /** Scale pixels from 0..255 to 0..1 (default true); false keeps 0..255. */
  readonly scale?: boolean;
}

const IMAGES_MAGIC = 0x00000803;
const LABELS_MAGIC = 0x00000801;

/**
 * Builds an MNIST data set from the bytes of an images and a labels IDX file (gzipped or raw):
 * features `[n, rows * cols]` (784 for MNIST), labels one-hot `[n, 10]`. Checks both magic
 * numbers, that the counts agree and that every label is a digit.
 *
 * @example
 * ```ts
 * const test = await mnistDataSet(imageBytes, labelBytes, { limit: 1000 });
 * ```
 */
export async function mnistDataSet(images: Uint8Array, labels: Uint8Array, options: MnistOptions = {}, names = { images: 'MNIST images', labels: 'MNIST labels' }): Promise<DataSet> {
  const x = parseIdx(await maybeGunzip(images, names.images), names.images);
  const y = parseIdx(await maybeGunzip(labels, names.labels), names.labels);
  if (x.magic !== IMAGES_MAGIC || x.shape.length !== 3) {
    throw new DataFormatError(`${names.images}: magic 0x${x.magic.toString(16).padStart(8, '0')}, shape [${x.shape.join(', ')}]; expected 0x00000803 (uint8, 3 dimensions) [n, rows, cols]`, { source: names.images, offset: 0 });
  }
  if (y.magic !== LABELS_MAGIC) {
    throw new DataFormatError(`${names.labels}: magic 0x${y.magic.toString(16).padStart(8, '0')}; expected 0x00000801 (uint8, 1 dimension)`, { source: names.labels, offset: 0 });
  }
  const [count, rows, cols] = x.shape as [number, number, number];
  if (y.shape[0] !== count) throw new DataFormatError(`${names.labels}: ${y.shape[0]} labels for ${count} images in ${names.images}; expected one label per image`, { source: names.labels, offset: 4 });
  const limit = options.limit ?? count;
  if (!Number.isInteger(limit) || limit < 1) throw new ConfigError(`mnist: limit must be a positive integer, received ${formatValue(limit)}`);
  const n = Math.min(limit, count);
  const pixels = rows * cols;
  const divisor = options.scale === false ? 1 : 255;
  const features = new Float32Array(n * pixels);
  const source = x.data as Uint8Array;
  for (let i = 0; i < features.length; i++) features[i] = (source[i] as number) / divisor;
  const onehot = oneHotArray((y.data as Uint8Array).subarray(0, n), 10, names.labels);
  return DataSet.adopt(tf.tensor2d(features, [n, pixels], 'float32'), tf.tensor2d(onehot, [n, 10], 'float32'));
}
