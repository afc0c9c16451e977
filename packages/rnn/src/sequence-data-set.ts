import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, ValueError, formatShape, formatValue } from '@dl4ts/core';
import type { Batch, BatchSource, Rng } from '@dl4ts/core';

/** Tensors of a {@link SequenceDataSet}. */
export interface SequenceTensors {
  /** `[examples, time, features]` */
  features: tf.Tensor;
  /** `[examples, time, nOut]` (sequence output) or `[examples, nOut]` (one label per sequence). */
  labels: tf.Tensor;
  /** `[examples, time]`: 1 for real steps, 0 for padding. */
  featuresMask?: tf.Tensor;
  /** `[examples, time]`: 1 where a sequence label is scored. */
  labelsMask?: tf.Tensor;
}

/**
 * Sequences in memory, `[examples, time, features]`, with optional masks for variable lengths
 * (pad to the longest and mask the padding). A {@link BatchSource} for `Network.fit`.
 *
 * @example
 * ```ts
 * const data = SequenceDataSet.adopt({ features, labels, featuresMask });
 * await net.fit(data, { epochs: 10, batchSize: 32 });
 * data.dispose();
 * ```
 */
export class SequenceDataSet implements BatchSource {
  private constructor(private readonly tensors: SequenceTensors) {}

  /** Takes ownership of the tensors (disposed with the data set, or at once if invalid). */
  static adopt(tensors: SequenceTensors): SequenceDataSet {
    const { features, labels, featuresMask, labelsMask } = tensors;
    const all = [features, labels, featuresMask, labelsMask].filter((t): t is tf.Tensor => t !== undefined);
    const fail = (error: Error): never => {
      tf.dispose(all);
      throw error;
    };
    if (features.rank !== 3) fail(new ShapeError(`SequenceDataSet: features have shape ${formatShape(features.shape)}, expected [examples, time, features]`, features.shape, [-1, -1, -1]));
    const [n, time] = features.shape as [number, number, number];
    if (n === 0) fail(new ValueError('SequenceDataSet: features have 0 examples; expected at least one'));
    if (labels.shape[0] !== n || (labels.rank !== 2 && labels.rank !== 3)) {
      fail(new ShapeError(`SequenceDataSet: labels have shape ${formatShape(labels.shape)}, expected [${n}, time, nOut] or [${n}, nOut]`, labels.shape, [n, -1, -1]));
    }
    const maskShape = (mask: tf.Tensor | undefined, name: string, steps: number) => {
      if (mask !== undefined && !tf.util.arraysEqual(mask.shape, [n, steps])) {
        fail(new ShapeError(`SequenceDataSet: ${name} has shape ${formatShape(mask.shape)}, expected [examples, time] = [${n}, ${steps}]`, mask.shape, [n, steps]));
      }
    };
    maskShape(featuresMask, 'featuresMask', time);
    if (labelsMask !== undefined && labels.rank !== 3) fail(new ShapeError('SequenceDataSet: labelsMask needs sequence labels [examples, time, nOut]', labels.shape, [n, time, -1]));
    maskShape(labelsMask, 'labelsMask', labels.shape[1] as number);
    return new SequenceDataSet({ ...tensors });
  }

  get size(): number {
    return this.tensors.features.shape[0] as number;
  }

  /** Minibatches in order, or shuffled by `rng`; the last may be smaller. */
  *batches(batchSize: number, rng?: Rng): Iterable<Batch> {
    if (!Number.isInteger(batchSize) || batchSize <= 0) throw new ValueError(`batchSize must be a positive integer, received ${formatValue(batchSize)}`);
    const n = this.size;
    const order = rng?.permutation(n) ?? Int32Array.from({ length: n }, (_, i) => i);
    for (let start = 0; start < n; start += batchSize) {
      const index = tf.tensor1d(order.subarray(start, Math.min(n, start + batchSize)), 'int32');
      const pick = (t: tf.Tensor | undefined) => (t === undefined ? undefined : tf.gather(t, index));
      const { featuresMask, labelsMask } = this.tensors;
      const batch = {
        features: pick(this.tensors.features) as tf.Tensor,
        labels: pick(this.tensors.labels) as tf.Tensor,
        ...(featuresMask === undefined ? {} : { featuresMask: pick(featuresMask) as tf.Tensor }),
        ...(labelsMask === undefined ? {} : { labelsMask: pick(labelsMask) as tf.Tensor }),
      };
      // Freed before the yield: a consumer that stops early never resumes the generator past it.
      index.dispose();
      yield batch;
    }
  }

  /** Frees the tensors. */
  dispose(): void {
    const { features, labels, featuresMask, labelsMask } = this.tensors;
    tf.dispose([features, labels, ...[featuresMask, labelsMask].filter((t): t is tf.Tensor => t !== undefined)]);
  }
}
