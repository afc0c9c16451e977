import * as tf from '@tensorflow/tfjs-core';
import { ValueError } from './errors';
import { countNonFinite } from './fused-kernels';
import type { MultiBatch } from './training-strategy';

/**
 * Throws a {@link ValueError} naming each tensor of `batch` that holds NaN or infinite values and
 * how many: one device read for the whole batch (a fused count where the backend has one).
 */
export async function checkFiniteValues(batch: MultiBatch, where: string): Promise<void> {
  const named: [string, tf.Tensor][] = [];
  const several = batch.features.length > 1 || batch.labels.length > 1;
  batch.features.forEach((t, k) => named.push([several ? `features[${k}]` : 'features', t]));
  batch.labels.forEach((t, k) => named.push([several ? `labels[${k}]` : 'labels', t]));
  batch.featuresMasks?.forEach((t, k) => t !== undefined && named.push([several ? `featuresMasks[${k}]` : 'featuresMask', t]));
  batch.labelsMasks?.forEach((t, k) => t !== undefined && named.push([several ? `labelsMasks[${k}]` : 'labelsMask', t]));
  const counts = tf.tidy(() => tf.stack(named.map(([, t]) => (t.dtype === 'float32' ? countNonFinite(t) : tf.scalar(0, 'int32')))));
  const values = await counts.data();
  counts.dispose();
  const bad = named.map(([name], i) => [name, values[i] as number] as const).filter(([, count]) => count > 0);
  if (bad.length > 0) {
    const list = bad.map(([name, count]) => `${name} hold ${count} NaN or infinite value${count > 1 ? 's' : ''}`).join(', ');
    throw new ValueError(`${where}: ${list}; expected finite numbers`);
  }
}
