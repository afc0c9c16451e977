import type { AnyBatch, BatchSource, Rng } from '@dl4ts/core';
import { batchMessage } from './host-data';
import { isSpecSource } from './own-data';
import type { ToWorker } from './protocol';

/** One minibatch as dealt to a worker: its message, the buffers to move, its examples. */
export interface Deal {
  readonly message: Extract<ToWorker, { type: 'batch' | 'take' }>;
  readonly transfer: ArrayBuffer[];
  readonly examples: number;
}

/**
 * The minibatches of one epoch as the trainer deals them, in `fit`'s order: read here and sent as
 * host buffers, or, for data the workers open themselves (a `SpecSource`), sent as indices into it.
 */
export async function* deals(data: BatchSource<AnyBatch>, batchSize: number, rng: Rng | undefined): AsyncGenerator<Deal> {
  if (isSpecSource(data)) {
    for (let batch = 0; batch * batchSize < data.size; batch++) {
      yield { message: { type: 'take', batch }, transfer: [], examples: Math.min(batchSize, data.size - batch * batchSize) };
    }
    return;
  }
  for await (const batch of data.batches(batchSize, rng)) {
    const { message, transfer } = await batchMessage(batch);
    yield { message, transfer, examples: message.features[0]?.shape[0] ?? 0 };
  }
}
