import * as tf from '@tensorflow/tfjs-core';
import { LOSS_CONTRACT_VERSION } from '@dl4ts/core';
import type { ComponentDefinition, Loss, LossInput, ResolvedConfig } from '@dl4ts/core';

declare module '@dl4ts/core' {
  interface LossConfigMap {
    'losses/mcxent': Record<string, never>;
    'losses/negativeloglikelihood': Record<string, never>;
    'losses/xent': Record<string, never>;
    'losses/mse': Record<string, never>;
  }
}

/** Smallest probability fed to a log when no fused form applies. */
const EPS = 1e-10;
/**
 * Binary cross-entropy clips p to [e, 1 - e] without the fused form. DL4J's default e = 1e-5: a
 * smaller e such as 1e-10 rounds 1 - e to exactly 1 in float32 and log(1 - p) becomes -Infinity.
 */
const XENT_CLIP = 1e-5;

type ScoreArray = (input: LossInput, config: ResolvedConfig) => tf.Tensor;

function loss(key: string, description: string, scoreArray: ScoreArray): ComponentDefinition<'loss', Loss> {
  return {
    kind: 'loss',
    key,
    contractVersion: LOSS_CONTRACT_VERSION,
    provider: '@dl4ts/losses',
    description,
    create: (config) => ({ key, config, scoreArray: (input) => scoreArray(input, config) }),
  };
}

function masked(values: tf.Tensor, mask: tf.Tensor | undefined): tf.Tensor {
  return mask === undefined ? values : tf.mul(values, mask);
}

/**
 * Multi-class cross-entropy, `-sum_i y_i log p_i`. With a softmax activation it uses
 * `log p = z - logsumexp(z)` on the pre-activation `z`, finite for any logits.
 */
const mcxent: ScoreArray = ({ labels, preOutput, activation, mask }) => {
  const logP = activation.key === 'layers/softmax' ? tf.logSoftmax(preOutput) : tf.log(tf.clipByValue(activation.apply(preOutput, { training: true }), EPS, 1));
  return tf.neg(tf.sum(masked(tf.mul(labels, logP), mask), -1));
};

/**
 * Binary cross-entropy, `-sum_i [y_i log p_i + (1 - y_i) log(1 - p_i)]`. With a sigmoid activation
 * it uses `max(z, 0) - z y + log(1 + e^-|z|)`, finite for any logits.
 */
const xent: ScoreArray = ({ labels, preOutput, activation, mask }) => {
  let perElement: tf.Tensor;
  if (activation.key === 'layers/sigmoid') {
    perElement = tf.add(tf.sub(tf.relu(preOutput), tf.mul(preOutput, labels)), tf.log1p(tf.exp(tf.neg(tf.abs(preOutput)))));
  } else {
    const p = tf.clipByValue(activation.apply(preOutput, { training: true }), XENT_CLIP, 1 - XENT_CLIP);
    perElement = tf.neg(tf.add(tf.mul(labels, tf.log(p)), tf.mul(tf.sub(1, labels), tf.log(tf.sub(1, p)))));
  }
  return tf.sum(masked(perElement, mask), -1);
};

/** Mean squared error over outputs, `(1/n) sum_i (y_i - a_i)^2` (DL4J's MSE). */
const mse: ScoreArray = ({ labels, preOutput, activation, mask }) => {
  const squared = tf.squaredDifference(activation.apply(preOutput, { training: true }), labels);
  return tf.div(tf.sum(masked(squared, mask), -1), preOutput.shape[preOutput.rank - 1] as number);
};

/** The losses, DL4J's names; each returns one score per example. */
export const lossDefinitions: readonly ComponentDefinition<'loss', Loss>[] = [
  loss('losses/mcxent', 'Multi-class cross-entropy (fused with softmax)', mcxent),
  loss('losses/negativeloglikelihood', 'Negative log-likelihood; equal to MCXENT, as in DL4J', mcxent),
  loss('losses/xent', 'Binary cross-entropy (fused with sigmoid)', xent),
  loss('losses/mse', 'Mean squared error over outputs', mse),
];
