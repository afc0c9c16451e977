import * as tf from '@tensorflow/tfjs-core';

/**
 * Runs `fn` and returns how many tensors it left allocated. A training path is leak-free when
 * this is 0 for a whole epoch.
 *
 * @example
 * ```ts
 * expect(await leakedTensors(() => net.fit(data, { epochs: 1 }))).toBe(0);
 * ```
 */
export async function leakedTensors(fn: () => unknown): Promise<number> {
  const before = tf.memory().numTensors;
  await fn();
  return tf.memory().numTensors - before;
}

/** Element-wise `|a - b| <= atol + rtol * |b|` over two arrays of equal length; returns the worst offender. */
export function compareArrays(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: { atol?: number; rtol?: number } = {}): { ok: boolean; worstIndex: number; worstError: number } {
  const atol = tolerance.atol ?? 1e-5;
  const rtol = tolerance.rtol ?? 1e-5;
  if (actual.length !== expected.length) return { ok: false, worstIndex: -1, worstError: Number.POSITIVE_INFINITY };
  let worstIndex = -1;
  let worstError = 0;
  let ok = true;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    const error = Math.abs(a - e);
    if (!(error <= atol + rtol * Math.abs(e))) ok = false;
    if (!(error <= worstError)) {
      worstError = error;
      worstIndex = i;
    }
  }
  return { ok, worstIndex, worstError };
}
