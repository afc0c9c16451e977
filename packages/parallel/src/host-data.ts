import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '@dl4ts/core';
import type { HostTensor, ToWorker } from './protocol';

// Minibatches leave the main thread as host buffers, moved (not copied) to their worker.

function hostTensor(values: Float32Array | Int32Array | Uint8Array, shape: number[]): HostTensor {
  // A copy: on the cpu backend data() hands out the backend's own array, which must not move.
  return { data: values instanceof Float32Array ? values.slice() : Float32Array.from(values), shape };
}

async function toHost(t: tf.Tensor): Promise<HostTensor> {
  return hostTensor((await t.data()) as Float32Array, t.shape);
}

export function disposeBatch(batch: Batch): void {
  tf.dispose([batch.features, batch.labels]);
  batch.featuresMask?.dispose();
  batch.labelsMask?.dispose();
}

/** The reason an aborted signal gives, as `fit` reports it. */
export function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason.message;
  return typeof reason === 'string' ? reason : 'aborted';
}

/** A minibatch as a worker message, with the buffers to move; the batch's tensors are freed. */
export async function batchMessage(batch: Batch): Promise<{ message: Extract<ToWorker, { type: 'batch' }>; transfer: ArrayBuffer[] }> {
  try {
    const message = {
      type: 'batch' as const,
      features: await toHost(batch.features),
      labels: await toHost(batch.labels),
      ...(batch.featuresMask !== undefined && { featuresMask: await toHost(batch.featuresMask) }),
      ...(batch.labelsMask !== undefined && { labelsMask: await toHost(batch.labelsMask) }),
    };
    const transfer = [message.features, message.labels, message.featuresMask, message.labelsMask].filter((t) => t !== undefined).map((t) => t.data.buffer as ArrayBuffer);
    return { message, transfer };
  } finally {
    disposeBatch(batch);
  }
}
