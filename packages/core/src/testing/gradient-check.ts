import * as tf from '@tensorflow/tfjs-core';

/** Options of {@link checkGradients}. */
export interface GradientCheckOptions {
  /**
   * Central-difference step. Default 1e-2: in float32, smaller steps lose more to rounding in
   * `f(x + h) - f(x - h)` than they gain in truncation error (O(h^2)).
   */
  epsilon?: number;
  /**
   * Largest accepted relative error `|a - n| / max(|a|, |n|)`. Default 1e-2, what float32
   * central differences with h = 1e-2 reach on smooth functions.
   */
  maxRelativeError?: number;
  /** Errors on entries where both gradients are below this are ignored. Default 1e-4. */
  minAbsoluteError?: number;
  /**
   * An entry passes when its analytic and numeric gradients differ by at most this, whatever the
   * relative error: the rounding noise of the central difference, about `S u / h` for a function
   * whose float32 evaluation sums terms of total magnitude `S` (u = 2^-24). Default 0.
   */
  absoluteTolerance?: number;
  /** Check at most this many entries per parameter (chosen evenly). Default: all. */
  maxPerParam?: number;
}

/** One entry whose analytic and numeric gradients disagree. */
export interface GradientMismatch {
  readonly param: number;
  readonly index: number;
  readonly analytic: number;
  readonly numeric: number;
  readonly relativeError: number;
}

/** Outcome of {@link checkGradients}. */
export interface GradientCheckResult {
  readonly passed: boolean;
  readonly checked: number;
  readonly maxRelativeError: number;
  readonly failures: readonly GradientMismatch[];
}

/**
 * Compares tfjs autodiff gradients of a scalar function with central differences
 * `(f(x + h e_i) - f(x - h e_i)) / 2h`, entry by entry, over every parameter.
 *
 * @example
 * ```ts
 * const result = await checkGradients(([w]) => tf.sum(tf.square(w)), [tf.tensor([1, 2])]);
 * expect(result.passed).toBe(true);
 * ```
 */
export async function checkGradients(f: (params: tf.Tensor[]) => tf.Scalar | tf.Tensor, params: readonly tf.Tensor[], options: GradientCheckOptions = {}): Promise<GradientCheckResult> {
  const h = options.epsilon ?? 1e-2;
  const maxRel = options.maxRelativeError ?? 1e-2;
  const minAbs = options.minAbsoluteError ?? 1e-4;
  const analyticTensors = tf.tidy(() => tf.grads((...xs: tf.Tensor[]) => f(xs) as tf.Scalar)([...params]));
  const analytic = await Promise.all(analyticTensors.map((t) => t.data()));
  analyticTensors.forEach((t) => t.dispose());
  const bases = await Promise.all(params.map((p) => p.data()));
  const failures: GradientMismatch[] = [];
  let checked = 0;
  let worst = 0;
  for (let p = 0; p < params.length; p++) {
    const base = bases[p] as tf.TypedArray;
    const param = params[p] as tf.Tensor;
    const step = options.maxPerParam !== undefined && base.length > options.maxPerParam ? base.length / options.maxPerParam : 1;
    for (let k = 0; k < base.length; k += step) {
      const index = Math.floor(k);
      const evaluate = async (delta: number): Promise<number> => {
        const shifted = Float32Array.from(base);
        shifted[index] = (shifted[index] as number) + delta;
        const value = tf.tidy(() => {
          const xs = params.map((q, i) => (i === p ? tf.tensor(shifted, param.shape, 'float32') : q));
          return f(xs);
        });
        const out = (await value.data())[0] as number;
        value.dispose();
        return out;
      };
      const numeric = ((await evaluate(h)) - (await evaluate(-h))) / (2 * h);
      const a = (analytic[p] as tf.TypedArray)[index] as number;
      checked++;
      const absError = Math.abs(a - numeric);
      if (Math.abs(a) < minAbs && Math.abs(numeric) < minAbs) continue;
      if (absError <= (options.absoluteTolerance ?? 0)) continue;
      const relativeError = absError / Math.max(Math.abs(a), Math.abs(numeric));
      worst = Math.max(worst, relativeError);
      if (!(relativeError <= maxRel)) failures.push({ param: p, index, analytic: a, numeric, relativeError });
    }
  }
  return { passed: failures.length === 0, checked, maxRelativeError: worst, failures };
}
