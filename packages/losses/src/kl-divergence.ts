import * as tf from '@tensorflow/tfjs-core';
import type { ComponentDefinition, Loss, LossInput } from '@dl4ts/core';
import { DL4J_EPS, activated, defineLoss, sumOutputs } from './define-loss';
import type { NoOptions } from './define-loss';

declare module '@dl4ts/core' {
  interface LossConfigMap {
    'losses/kl-divergence': NoOptions;
    'losses/reconstruction-crossentropy': NoOptions;
  }
}

function klScore(input: LossInput): tf.Tensor {
  // DL4J clips labels and outputs to [1e-5, 1] so both logs stay finite.
  const y = tf.clipByValue(input.labels, DL4J_EPS, 1);
  // With softmax the log of the output is taken from the logits: finite without clipping, and the
  // gradient does not vanish where the probability falls below the clip.
  const logA = input.activation.key === 'layers/softmax' ? tf.logSoftmax(input.preOutput) : tf.log(tf.clipByValue(activated(input), DL4J_EPS, 1));
  return sumOutputs(tf.mul(y, tf.sub(tf.log(y), logA)), { mask: input.mask });
}

/**
 * KL_DIVERGENCE: `sum_i m_i y_i log(y_i / a_i)`, with `y` and `a` clipped to [1e-5, 1] as in DL4J.
 * Fused with `layers/softmax`: `log a` is the log-softmax of the logits, unclipped.
 *
 * @example
 * ```ts
 * { type: 'layers/output', nOut: 5, activation: 'softmax', loss: 'KL_DIVERGENCE' }
 * ```
 */
export const klDivergenceDefinition = defineLoss({
  key: 'losses/kl-divergence',
  description: 'Kullback-Leibler divergence of the output from the label distribution',
  score: klScore,
});

/** RECONSTRUCTION_CROSSENTROPY: current DL4J maps it to {@link klDivergenceDefinition | KL_DIVERGENCE}. */
export const reconstructionCrossEntropyDefinition = defineLoss({
  key: 'losses/reconstruction-crossentropy',
  description: 'Equal to KL_DIVERGENCE, as in DL4J',
  score: klScore,
});

/** KL_DIVERGENCE and RECONSTRUCTION_CROSSENTROPY. */
export const klDivergenceLosses: readonly ComponentDefinition<'loss', Loss>[] = [klDivergenceDefinition, reconstructionCrossEntropyDefinition];
