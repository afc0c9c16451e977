import * as tf from '@tensorflow/tfjs-core';
import type { ArrayInput, BatchSource } from '../data-set';
import { toTensor2D } from '../data-set';
import { Dl4tsError, ShapeError, ValueError, formatShape, formatValue } from '../errors';
import { checkFiniteValues } from '../finite-values';
import type { Rng } from '../random';
import type { MultiBatch } from '../training-strategy';

/** The arrays of a {@link MultiDataSet}: features per graph input, labels per output, masks where any. */
export interface MultiDataSetArrays<T> {
  readonly features: readonly T[];
  readonly labels: readonly T[];
  /** `[examples, time]` per input, `undefined` for an input without one. */
  readonly featuresMasks?: readonly (T | undefined)[] | undefined;
  readonly labelsMasks?: readonly (T | undefined)[] | undefined;
}

/**
 * Features for each input and labels for each output of a graph, rows aligned across all of them
 * (DL4J's `MultiDataSet`), with a mask per input and output where sequences have padding. Tensors
 * may have any rank (`[n, features]`, `[n, time, features]`, `[n, h, w, c]`). Validated on
 * creation (row counts agree, at least one of each) and on {@link MultiDataSet.check} (every value
 * finite); `fit` calls `check` and matches the arrays against the graph's inputs and outputs.
 *
 * @example
 * ```ts fragment
 * const data = MultiDataSet.from({ features: [images, extra], labels: [digits, parity] });
 * await graph.fit(data, { epochs: 5, batchSize: 64 });
 * data.dispose();
 * ```
 */
export class MultiDataSet implements BatchSource<MultiBatch>, MultiBatch {
  private constructor(
    readonly features: readonly tf.Tensor[],
    readonly labels: readonly tf.Tensor[],
    readonly featuresMasks: readonly (tf.Tensor | undefined)[] | undefined,
    readonly labelsMasks: readonly (tf.Tensor | undefined)[] | undefined,
  ) {}

  /**
   * Builds a data set from host arrays (rows of numbers become `[n, columns]`) or tensors, which
   * are copied: the caller keeps its own.
   */
  static from(arrays: MultiDataSetArrays<ArrayInput>): MultiDataSet {
    const made: tf.Tensor[] = [];
    const convert = (input: ArrayInput, name: string): tf.Tensor => {
      const t = input instanceof tf.Tensor && input.rank !== 2 ? tf.cast(input, 'float32') : toTensor2D(input, name);
      // tf.cast of a float32 tensor returns the same data under a new handle, so this is a copy either way.
      made.push(t);
      return t;
    };
    try {
      const optional = (list: readonly (ArrayInput | undefined)[] | undefined, name: string) => list?.map((m, i) => (m === undefined ? undefined : convert(m, `${name}[${i}]`)));
      return MultiDataSet.adopt({
        features: arrays.features.map((f, i) => convert(f, `features[${i}]`)),
        labels: arrays.labels.map((l, i) => convert(l, `labels[${i}]`)),
        featuresMasks: optional(arrays.featuresMasks, 'featuresMasks'),
        labelsMasks: optional(arrays.labelsMasks, 'labelsMasks'),
      });
    } catch (error) {
      tf.dispose(made.filter((t) => !t.isDisposed));
      throw error;
    }
  }

  /**
   * Takes ownership of the tensors without copying (they are disposed with the data set, and at
   * once if validation fails); non-float32 tensors are cast.
   */
  static adopt(arrays: MultiDataSetArrays<tf.Tensor>): MultiDataSet {
    const all = [...arrays.features, ...arrays.labels, ...(arrays.featuresMasks ?? []), ...(arrays.labelsMasks ?? [])].filter((t): t is tf.Tensor => t !== undefined);
    const fail = (error: Error): never => {
      tf.dispose(all);
      throw error;
    };
    if (arrays.features.length === 0 || arrays.labels.length === 0) fail(new ValueError(`MultiDataSet: received ${formatValue(arrays.features.length)} features and ${arrays.labels.length} labels arrays; expected at least one of each`));
    const rows = arrays.features[0]?.shape[0] ?? 0;
    if (rows === 0) fail(new ValueError('MultiDataSet: features[0] has 0 rows; expected at least one example'));
    const named: [string, tf.Tensor | undefined][] = [
      ...arrays.features.map((t, i): [string, tf.Tensor] => [`features[${i}]`, t]),
      ...arrays.labels.map((t, i): [string, tf.Tensor] => [`labels[${i}]`, t]),
      ...(arrays.featuresMasks ?? []).map((t, i): [string, tf.Tensor | undefined] => [`featuresMasks[${i}]`, t]),
      ...(arrays.labelsMasks ?? []).map((t, i): [string, tf.Tensor | undefined] => [`labelsMasks[${i}]`, t]),
    ];
    for (const [name, t] of named) {
      if (t === undefined) continue;
      if (t.rank < 2) fail(new ShapeError(`MultiDataSet: ${name} has shape ${formatShape(t.shape)}; expected [examples, ...] of rank 2 or more`, t.shape, [rows, -1]));
      if (t.shape[0] !== rows) fail(new ShapeError(`MultiDataSet: ${name} has ${t.shape[0]} rows, features[0] has ${rows}; expected the same number of examples in every array`, [t.shape[0] as number], [rows]));
    }
    for (const [name, masks, of] of [['featuresMasks', arrays.featuresMasks, arrays.features], ['labelsMasks', arrays.labelsMasks, arrays.labels]] as const) {
      if (masks !== undefined && masks.length !== of.length) fail(new ShapeError(`MultiDataSet: ${masks.length} ${name} for ${of.length} arrays; give one per array (undefined where none)`, [masks.length], [of.length]));
    }
    const cast = (t: tf.Tensor): tf.Tensor => {
      if (t.dtype === 'float32') return t;
      const c = tf.cast(t, 'float32');
      t.dispose();
      return c;
    };
    const castOptional = (list: readonly (tf.Tensor | undefined)[] | undefined) => list?.map((t) => (t === undefined ? undefined : cast(t)));
    return new MultiDataSet(arrays.features.map(cast), arrays.labels.map(cast), castOptional(arrays.featuresMasks), castOptional(arrays.labelsMasks));
  }

  /** Number of examples. */
  get size(): number {
    return this.features[0]?.shape[0] as number;
  }

  /** Every tensor, masks included. */
  private tensors(): tf.Tensor[] {
    return [...this.features, ...this.labels, ...(this.featuresMasks ?? []), ...(this.labelsMasks ?? [])].filter((t): t is tf.Tensor => t !== undefined);
  }

  /** Throws {@link ValueError} naming the array if any value is NaN or infinite. */
  async check(): Promise<void> {
    for (const [name, list] of [['features', this.features], ['labels', this.labels]] as const) {
      for (const [i, t] of list.entries()) {
        if (t.isDisposed) throw new Dl4tsError('DL4TS_DISPOSED', `MultiDataSet: ${name}[${i}] was disposed (dispose() was called on the data set, or on a tensor it adopted); build the data set again`);
      }
    }
    await checkFiniteValues(this, 'MultiDataSet');
  }

  /** Minibatches in order, or shuffled by `rng` (the same rows from every array). The last batch may be smaller. */
  *batches(batchSize: number, rng?: Rng): Iterable<MultiBatch> {
    if (!Number.isInteger(batchSize) || batchSize <= 0) throw new ValueError(`batchSize must be a positive integer, received ${formatValue(batchSize)}`);
    const n = this.size;
    const order = rng?.permutation(n);
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(n, start + batchSize);
      const index = order === undefined ? undefined : tf.tensor1d(order.subarray(start, end), 'int32');
      const take = (t: tf.Tensor): tf.Tensor => (index === undefined ? tf.slice(t, start, end - start) : tf.gather(t, index));
      const takeOptional = (list: readonly (tf.Tensor | undefined)[] | undefined) => list?.map((t) => (t === undefined ? undefined : take(t)));
      const batch: MultiBatch = {
        features: this.features.map(take),
        labels: this.labels.map(take),
        ...(this.featuresMasks !== undefined && { featuresMasks: takeOptional(this.featuresMasks) }),
        ...(this.labelsMasks !== undefined && { labelsMasks: takeOptional(this.labelsMasks) }),
      };
      index?.dispose();
      yield batch;
    }
  }

  /** Frees the tensors. */
  dispose(): void {
    tf.dispose(this.tensors());
  }
}
