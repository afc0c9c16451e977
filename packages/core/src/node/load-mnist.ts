import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { DataSet } from '../data-set';
import { ConfigError } from '../errors';
import { mnistDataSet, type MnistOptions } from '../data/mnist';
import { readDataFile } from './files';

/** Options of {@link loadMnist}. */
export interface LoadMnistOptions extends MnistOptions {
  /** `train` (60,000 examples) or `test` (10,000). Default `train`. */
  readonly split?: 'train' | 'test';
}

/**
 * Loads MNIST from `dir`, which holds the standard files (`train-images-idx3-ubyte.gz`,
 * `train-labels-idx1-ubyte.gz`, `t10k-...`), gzipped or not. Features `[n, 784]` scaled to
 * 0..1 unless `scale: false`; labels one-hot `[n, 10]`.
 *
 * @example
 * ```ts
 * const train = await loadMnist('../shared/data/mnist', { split: 'train', limit: 10_000 });
 * ```
 */
export async function loadMnist(dir: string, options: LoadMnistOptions = {}): Promise<DataSet> {
  const split = options.split ?? 'train';
  if (split !== 'train' && split !== 'test') throw new ConfigError(`loadMnist: split is ${JSON.stringify(split)}; expected 'train' or 'test'`);
  const prefix = split === 'train' ? 'train' : 't10k';
  const images = await find(dir, `${prefix}-images`, 'idx3-ubyte');
  const labels = await find(dir, `${prefix}-labels`, 'idx1-ubyte');
  const [imageBytes, labelBytes] = await Promise.all([readDataFile(images), readDataFile(labels)]);
  return mnistDataSet(imageBytes, labelBytes, options, { images, labels });
}

/** The first existing of `<stem>-<ext>.gz`, `<stem>-<ext>`, and the dotted `<stem>.<ext>` spellings. */
async function find(dir: string, stem: string, ext: string): Promise<string> {
  const names = [`${stem}-${ext}.gz`, `${stem}-${ext}`, `${stem}.${ext}.gz`, `${stem}.${ext}`];
  for (const name of names) {
    const path = join(dir, name);
    try {
      await access(path);
      return path;
    } catch {
      // try the next spelling
    }
  }
  throw new ConfigError(`loadMnist: none of ${names.join(', ')} exists in ${dir}; expected the standard MNIST files there`);
}
