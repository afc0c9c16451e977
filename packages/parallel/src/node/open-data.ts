import { openDataSpec, type SpecSource } from '../own-data';
import type { DataSpec } from '../protocol';
import { importModule } from './import-module';

/**
 * Opens, in this process, data that the trainer's workers open themselves: the returned
 * `SpecSource` is what `ParallelTrainer.fit` takes. The trainer uses it here only for `fit`'s checks
 * and its size, and sends the workers minibatch indices; each worker opens `spec` itself and reads
 * the minibatches dealt to it. Modules resolve as for the workers (`resolveFrom`, default the
 * current directory).
 *
 * @example
 * ```ts
 * const train = await openData({ module: '@dl4ts/distributed/data', export: 'mnistData', options: { dir: '/data/mnist', split: 'train' } });
 * await trainer.fit(train, { epochs: 2, batchSize: 64 });
 * ```
 */
export function openData(spec: DataSpec, options: { readonly resolveFrom?: string } = {}): Promise<SpecSource> {
  return openDataSpec(spec, importModule, options.resolveFrom);
}
