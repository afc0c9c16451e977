import * as tf from '@tensorflow/tfjs-core';
import type { ComponentDefinition, Loss } from '@dl4ts/core';
import { DL4J_EPS, activated, defineLoss, sumOutputs } from './define-loss';
import type { NoOptions } from './define-loss';

declare module '@dl4ts/core' {
  interface LossConfigMap {
    'losses/cosine-proximity': NoOptions;
  }
}

/**
 * COSINE_PROXIMITY: minus the cosine similarity of labels and output,
 * `-(sum_i m_i y_i a_i) / (|y|_m |a|_m)` with `|v|_m = max(sqrt(sum_i m_i v_i^2), 1e-5)` (DL4J's
 * floor on the norms, so an all-zero row scores 0 instead of NaN).
 *
 * Masks: the cosine is taken over the outputs the mask keeps (a 0/1 mask), so masked outputs change
 * neither the dot product nor the norms, and get no gradient; a row with nothing kept scores 0.
 * DL4J accepts only per-example masks here (core applies those); fractional mask values act as
 * weights of the inner product, so a constant row mask cancels out.
 *
 * @example
 * ```ts
 * { type: 'layers/output', nOut: 64, activation: 'identity', loss: 'COSINE_PROXIMITY' }
 * ```
 */
export const cosineProximityDefinition: ComponentDefinition<'loss', Loss> = defineLoss({
  key: 'losses/cosine-proximity',
  description: 'Negative cosine similarity of output and labels',
  score: (input) => {
    const { labels, mask } = input;
    const a = activated(input);
    // The floor goes on the squared norm: sqrt has an infinite derivative at 0.
    const norm = (v: tf.Tensor): tf.Tensor => tf.sqrt(tf.maximum(sumOutputs(tf.square(v), { mask }), DL4J_EPS * DL4J_EPS));
    return tf.neg(tf.div(sumOutputs(tf.mul(labels, a), { mask }), tf.mul(norm(labels), norm(a))));
  },
});
