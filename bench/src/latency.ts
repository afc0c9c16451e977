// The latency cases' contender: `calls` single-sample inferences per round, each read back with
// `await data()` (what a caller waiting on one answer pays), reported as inferences/s.
import type * as tf from '@tensorflow/tfjs-core';
import type { Contender } from './harness';

export const LATENCY_CALLS = 500;

/** A contender timing `predict(x)` plus its read-back, `LATENCY_CALLS` times per round. */
export function latencyContender(
  options: { name: string; predict: (x: tf.Tensor2D) => tf.Tensor; dispose: () => void; anchor?: boolean; backend?: string; before?: () => void },
  x: tf.Tensor2D,
): Contender {
  const { predict, ...rest } = options;
  return {
    ...rest,
    round: async () => {
      for (let i = 0; i < LATENCY_CALLS; i++) {
        const y = predict(x);
        await y.data();
        y.dispose();
      }
      return LATENCY_CALLS;
    },
  };
}
