import * as tf from '@tensorflow/tfjs-core';
import type { AnyBatch, Batch, MultiBatch } from '@dl4ts/core';
import { disposeBatch, isMultiBatch, toMultiBatch } from '@dl4ts/core';
import type { HostTensor, ToWorker } from './protocol';

// Minibatches leave the main thread as host buffers, moved (not copied) to their worker.

function hostTensor(values: Float32Array | Int32Array | Uint8Array, shape: number[]): HostTensor {
  // A copy: on the cpu backend data() hands out the backend's own array, which must not move.
  return { data: values instanceof Float32Array ? values.slice() : Float32Array.from(values), shape };
}

async function toHost(t: tf.Tensor): Promise<HostTensor> {
  return hostTensor((await t.data()) as Float32Array, t.shape);
}

/**
 * A minibatch as a worker message, with the buffers to move; the batch's tensors are freed. Both
 * forms travel as arrays (a network's batch as arrays of one) with `multi` saying which to rebuild.
 */
export async function batchMessage(batch: AnyBatch): Promise<{ message: Extract<ToWorker, { type: 'batch' }>; transfer: ArrayBuffer[] }> {
  try {
    const m = toMultiBatch(batch);
    const all = async (list: readonly (tf.Tensor | undefined)[] | undefined) => (list === undefined ? undefined : Promise.all(list.map((t) => (t === undefined ? undefined : toHost(t)))));
    const message = {
      type: 'batch' as const,
      multi: isMultiBatch(batch),
      features: (await all(m.features)) as HostTensor[],
      labels: (await all(m.labels)) as HostTensor[],
      featuresMasks: await all(m.featuresMasks),
      labelsMasks: await all(m.labelsMasks),
    };
    const transfer = [...message.features, ...message.labels, ...(message.featuresMasks ?? []), ...(message.labelsMasks ?? [])].filter((t) => t !== undefined).map((t) => t.data.buffer as ArrayBuffer);
    return { message, transfer };
  } finally {
    disposeBatch(batch);
  }
}

/** The batch a worker message carries, in the form it left the trainer. */
export function batchOf(message: Extract<ToWorker, { type: 'batch' }>): AnyBatch {
  const toTensor = (t: HostTensor): tf.Tensor => tf.tensor(t.data, t.shape, 'float32');
  const optional = (list: readonly (HostTensor | undefined)[] | undefined) => list?.map((t) => (t === undefined ? undefined : toTensor(t)));
  const multi: MultiBatch = { features: message.features.map(toTensor), labels: message.labels.map(toTensor), featuresMasks: optional(message.featuresMasks), labelsMasks: optional(message.labelsMasks) };
  if (message.multi) return multi;
  const [featuresMask, labelsMask] = [multi.featuresMasks?.[0], multi.labelsMasks?.[0]];
  const single: Batch = { features: multi.features[0] as tf.Tensor, labels: multi.labels[0] as tf.Tensor, ...(featuresMask !== undefined && { featuresMask }), ...(labelsMask !== undefined && { labelsMask }) };
  return single;
}
