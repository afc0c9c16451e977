// Data specs for workers on other machines: factories that open files on a path every process
// can read (a shared volume), for `DataSpec`s such as
// { module: '@dl4ts/distributed/data', export: 'mnistData', options: { dir: '/data/mnist', split: 'train' } }.
import type { CsvDataSetOptions, DataSet } from '@dl4ts/core';
import { ConfigError } from '@dl4ts/core';
import { loadCsv, loadMnist, type LoadMnistOptions } from '@dl4ts/core/node';

/** Options of {@link mnistData}: the IDX files' folder and `loadMnist`'s options. */
export interface MnistDataOptions extends LoadMnistOptions {
  readonly dir: string;
}

/** MNIST from its IDX files (gzipped or not) in `dir`; `loadMnist`'s options (split, limit, scaling). */
export function mnistData(options: MnistDataOptions): Promise<DataSet> {
  if (options === null || typeof options !== 'object' || typeof options.dir !== 'string') throw new ConfigError(`mnistData: options must be { dir, ...loadMnist options }, received ${JSON.stringify(options)}`);
  const { dir, ...rest } = options;
  return loadMnist(dir, rest);
}

/** Options of {@link csvData}: the file and `loadCsv`'s options. */
export type CsvDataOptions = CsvDataSetOptions & { readonly path: string };

/** A CSV file (gzipped or not) read with `loadCsv`. */
export function csvData(options: CsvDataOptions): Promise<DataSet> {
  if (options === null || typeof options !== 'object' || typeof options.path !== 'string') throw new ConfigError(`csvData: options must be { path, ...loadCsv options }, received ${JSON.stringify(options)}`);
  const { path, ...rest } = options;
  return loadCsv(path, rest);
}
