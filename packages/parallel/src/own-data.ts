import type { AnyBatch, BatchSource } from '@dl4ts/core';
import { ConfigError, ValueError, disposeBatch, epochShuffleRng, formatValue } from '@dl4ts/core';
import type { DataSpec, OwnEpoch } from './protocol';
import type { ModuleImporter } from './worker-runtime';

// Data that each worker reads itself (`DataSpec`): opening it from its module, and walking one
// epoch of it by minibatch index, in the order the trainer's own `fit` would use.

/** A `BatchSource` opened from a {@link DataSpec}; the trainer deals its minibatches by index. */
export interface SpecSource<B extends AnyBatch = AnyBatch> extends BatchSource<B> {
  readonly spec: DataSpec;
  readonly size: number;
  /** Frees what the source holds (a `DataSet`'s tensors); a no-op for sources that hold nothing. */
  dispose(): void;
}

/** Whether `data` came with a spec that workers can open themselves. */
export function isSpecSource(data: BatchSource<AnyBatch>): data is SpecSource {
  const spec = (data as Partial<SpecSource>).spec;
  return spec !== undefined && spec !== null && typeof spec === 'object';
}

/** Checks a spec's shape; a bad one is a `ConfigError` naming what was received. */
export function checkDataSpec(spec: unknown, what = 'data spec'): DataSpec {
  const s = spec as Partial<DataSpec> | null;
  if (s === null || typeof s !== 'object' || typeof s.module !== 'string' || s.module.length === 0 || typeof s.export !== 'string' || s.export.length === 0) {
    throw new ConfigError(`${what} must be { module, export, options? } naming a factory of a BatchSource, received ${JSON.stringify(spec)}`);
  }
  return s as DataSpec;
}

/**
 * Opens the data set a spec names: imports the module, calls the export with the options and
 * checks that the result is a `BatchSource` of known size.
 */
export async function openDataSpec(spec: DataSpec, importModule: ModuleImporter, resolveFrom: string | undefined): Promise<SpecSource> {
  checkDataSpec(spec);
  const exports = await importModule(spec.module, resolveFrom);
  const factory = exports[spec.export];
  if (typeof factory !== 'function') {
    throw new ConfigError(`data module "${spec.module}" has no function export "${spec.export}"; exports: ${Object.keys(exports).join(', ')}`);
  }
  const source = (await (factory as (options: unknown) => unknown)(spec.options)) as Partial<BatchSource<AnyBatch>> | null;
  if (source === null || typeof source !== 'object' || typeof source.batches !== 'function') {
    throw new ConfigError(`data module "${spec.module}": ${spec.export}(options) must return a BatchSource (an object with batches()), received ${source === null ? 'null' : typeof source}`);
  }
  const size = source.size;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1) {
    throw new ConfigError(`data module "${spec.module}": the BatchSource from ${spec.export}(options) must know its size (a positive integer) so minibatches can be dealt by index, received ${formatValue(size)}`);
  }
  const opened = source as BatchSource<AnyBatch> & { dispose?: unknown };
  return {
    spec,
    size,
    batches: (batchSize, rng) => opened.batches(batchSize, rng),
    dispose: () => {
      if (typeof opened.dispose === 'function') (opened.dispose as () => void).call(opened);
    },
  };
}

/**
 * One epoch of a worker's own data: minibatch `j` on request, in increasing order. Minibatches
 * dealt to other workers are read and freed (a `BatchSource` can only be walked in order).
 */
export class OwnEpochReader {
  private readonly iterator: Iterator<AnyBatch> | AsyncIterator<AnyBatch>;
  private next = 0;

  constructor(source: BatchSource<AnyBatch>, epoch: OwnEpoch) {
    const rng = epoch.shuffleSeed === undefined ? undefined : epochShuffleRng(epoch.shuffleSeed, epoch.epoch);
    const iterable = source.batches(epoch.batchSize, rng);
    this.iterator = Symbol.asyncIterator in iterable ? iterable[Symbol.asyncIterator]() : iterable[Symbol.iterator]();
  }

  /** Minibatch `index` of the epoch; indices must increase. */
  async take(index: number): Promise<AnyBatch> {
    if (index < this.next) throw new ValueError(`minibatch ${index} was asked for after minibatch ${this.next - 1}; a worker reads its data in order`);
    for (;;) {
      const step = await this.iterator.next();
      if (step.done === true) throw new ValueError(`the worker's data ended after ${this.next} minibatches; the trainer dealt minibatch ${index} (do the trainer and the workers open the same data?)`);
      if (this.next++ === index) return step.value;
      disposeBatch(step.value);
    }
  }

  /** Ends the walk (closes a generator's resources). */
  async close(): Promise<void> {
    await this.iterator.return?.();
  }
}
