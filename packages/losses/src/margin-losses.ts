import * as tf from '@tensorflow/tfjs-core';
import type { ComponentDefinition, Loss, LossInput } from '@dl4ts/core';
import { activated, defineLoss, sumOutputs } from './define-loss';
import type { NoOptions } from './define-loss';

declare module '@dl4ts/core' {
  interface LossConfigMap {
    'losses/hinge': NoOptions;
    'losses/squared-hinge': NoOptions;
  }
}

/** `max(0, 1 - y a)` per output; labels are -1 or 1. */
function margins(input: LossInput): tf.Tensor {
  return tf.relu(tf.sub(1, tf.mul(input.labels, activated(input))));
}

/**
 * HINGE: `sum_i m_i max(0, 1 - y_i a_i)`, labels in {-1, 1} (not 0/1: convert with `y = 2t - 1`).
 * Pairs with the identity activation. Labels are not checked, as in DL4J.
 *
 * @example
 * ```ts
 * { type: 'layers/output', nOut: 1, activation: 'identity', loss: 'HINGE' } // labels [[-1], [1], ...]
 * ```
 */
export const hingeDefinition = defineLoss({
  key: 'losses/hinge',
  description: 'Hinge loss, labels in {-1, 1}',
  score: (input) => sumOutputs(margins(input), { mask: input.mask }),
});

/** SQUARED_HINGE: `sum_i m_i max(0, 1 - y_i a_i)^2`, labels in {-1, 1}. */
export const squaredHingeDefinition = defineLoss({
  key: 'losses/squared-hinge',
  description: 'Squared hinge loss, labels in {-1, 1}',
  score: (input) => sumOutputs(tf.square(margins(input)), { mask: input.mask }),
});

/** HINGE and SQUARED_HINGE. */
export const marginLosses: readonly ComponentDefinition<'loss', Loss>[] = [hingeDefinition, squaredHingeDefinition];
