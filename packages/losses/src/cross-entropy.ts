import * as tf from '@tensorflow/tfjs-core';
import type { ComponentDefinition, Loss, LossInput } from '@dl4ts/core';
import { checkBinaryLabels, checkDistributionLabels } from './check-distribution-labels';
import { checkSparseLabels } from './check-sparse-labels';
import { DL4J_EPS, EPS, activated, defineLoss, sumOutputs } from './define-loss';
import type { ScoreContext, WeightsOption } from './define-loss';

declare module '@dl4ts/core' {
  interface LossConfigMap {
    'losses/mcxent': WeightsOption;
    'losses/negativeloglikelihood': WeightsOption;
    'losses/sparse-mcxent': WeightsOption;
    'losses/xent': WeightsOption;
  }
}

/**
 * `log p` of a class distribution: with `layers/softmax`, `z - logsumexp(z)` on the pre-activation
 * (finite for any logits); otherwise the log of the activation clipped to [1e-10, 1] (DL4J's
 * `softmaxClipEps`).
 */
function logProbabilities(input: LossInput): tf.Tensor {
  if (input.activation.key === 'layers/softmax') return tf.logSoftmax(input.preOutput);
  return tf.log(tf.clipByValue(activated(input), EPS, 1));
}

function mcxentScore(input: LossInput, { weights }: ScoreContext): tf.Tensor {
  return tf.neg(sumOutputs(tf.mul(input.labels, logProbabilities(input)), { weights, mask: input.mask }));
}

/**
 * MCXENT, multi-class cross-entropy: `-sum_i w_i m_i y_i log p_i`, `p = f(z)`.
 * Fused with `layers/softmax` (log-softmax of the logits); otherwise `p` is clipped to [1e-10, 1].
 * Labels are one-hot rows or any distribution over the classes (values in [0, 1] summing to 1),
 * checked before training by {@link checkDistributionLabels}.
 *
 * @example
 * ```ts
 * { type: 'layers/output', nOut: 3, activation: 'softmax', loss: { type: 'MCXENT', weights: [1, 2, 1] } }
 * ```
 */
export const mcxentDefinition = defineLoss({
  key: 'losses/mcxent',
  description: 'Multi-class cross-entropy (fused with softmax)',
  weighted: true,
  score: mcxentScore,
  checkLabels: checkDistributionLabels,
});

/** NEGATIVELOGLIKELIHOOD: equal to {@link mcxentDefinition | MCXENT}, as in DL4J. */
export const negativeLogLikelihoodDefinition = defineLoss({
  key: 'losses/negativeloglikelihood',
  description: 'Negative log-likelihood; equal to MCXENT, as in DL4J',
  weighted: true,
  score: mcxentScore,
  checkLabels: checkDistributionLabels,
});

/**
 * SPARSE_MCXENT: MCXENT with labels given as class indices, `[batch, 1]` or `[batch]`:
 * `-w_c m_c log p_c` for the labelled class `c`. Fused with `layers/softmax` like MCXENT.
 *
 * Values are not checked here (that needs a data read inside autodiff): core calls the loss's
 * `checkLabels`, which is {@link checkSparseLabels}, before training. Unchecked, an index outside
 * [0, nOut - 1] scores 0 and a fractional index is truncated.
 *
 * @example
 * ```ts
 * { type: 'layers/output', nOut: 10, activation: 'softmax', loss: 'SPARSE_MCXENT' } // labels [[3], [7], ...]
 * ```
 */
export const sparseMcxentDefinition = defineLoss({
  key: 'losses/sparse-mcxent',
  description: 'Multi-class cross-entropy on class-index labels (fused with softmax)',
  weighted: true,
  labels: 'sparse',
  score: (input, context) => {
    const indices = tf.cast(tf.reshape(input.labels, [-1]), 'int32');
    const oneHot = tf.cast(tf.oneHot(indices, context.nOut), 'float32');
    return mcxentScore({ ...input, labels: oneHot }, context);
  },
  checkLabels: checkSparseLabels,
});

/**
 * XENT, binary cross-entropy per output: `-sum_i w_i m_i [y_i log p_i + (1 - y_i) log(1 - p_i)]`.
 * Fused with `layers/sigmoid` as `max(z, 0) - z y + log(1 + e^-|z|)`, finite for any logits;
 * otherwise `p` is clipped to [1e-5, 1 - 1e-5] (DL4J's `clipEps`). Labels must lie in [0, 1]
 * ({@link checkBinaryLabels}, before training).
 *
 * @example
 * ```ts
 * { type: 'layers/output', nOut: 4, activation: 'sigmoid', loss: { type: 'XENT', weights: [1, 1, 5, 1] } }
 * ```
 */
export const xentDefinition = defineLoss({
  key: 'losses/xent',
  description: 'Binary cross-entropy (fused with sigmoid)',
  weighted: true,
  score: (input, { weights }) => {
    const { labels, preOutput, activation, mask } = input;
    let terms: tf.Tensor;
    if (activation.key === 'layers/sigmoid') {
      terms = tf.add(tf.sub(tf.relu(preOutput), tf.mul(preOutput, labels)), tf.log1p(tf.exp(tf.neg(tf.abs(preOutput)))));
    } else {
      const p = tf.clipByValue(activated(input), DL4J_EPS, 1 - DL4J_EPS);
      terms = tf.neg(tf.add(tf.mul(labels, tf.log(p)), tf.mul(tf.sub(1, labels), tf.log(tf.sub(1, p)))));
    }
    return sumOutputs(terms, { weights, mask });
  },
  checkLabels: checkBinaryLabels,
});

/** MCXENT, NEGATIVELOGLIKELIHOOD, SPARSE_MCXENT and XENT. */
export const crossEntropyLosses: readonly ComponentDefinition<'loss', Loss>[] = [mcxentDefinition, negativeLogLikelihoodDefinition, sparseMcxentDefinition, xentDefinition];
