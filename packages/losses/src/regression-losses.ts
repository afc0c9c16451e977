import * as tf from '@tensorflow/tfjs-core';
import type { ComponentDefinition, Loss, LossInput } from '@dl4ts/core';
import { EPS, activated, defineLoss, sumOutputs } from './define-loss';
import type { NoOptions, ScoreContext, WeightsOption } from './define-loss';

declare module '@dl4ts/core' {
  interface LossConfigMap {
    'losses/mse': WeightsOption;
    'losses/squared-loss': WeightsOption;
    'losses/l2': WeightsOption;
    'losses/l1': WeightsOption;
    'losses/mean-absolute-error': WeightsOption;
    'losses/mean-absolute-percentage-error': WeightsOption;
    'losses/mean-squared-logarithmic-error': WeightsOption;
    'losses/rmse-xent': NoOptions;
    'losses/poisson': NoOptions;
    'losses/expll': NoOptions;
  }
}

type Terms = (input: LossInput) => tf.Tensor;

/** A loss whose score is a (weighted, masked) sum or mean over per-output terms. */
function elementwise(key: string, description: string, terms: Terms, reduce: { mean: boolean; weighted: boolean }): ComponentDefinition<'loss', Loss> {
  return defineLoss({
    key,
    description,
    weighted: reduce.weighted,
    score: (input: LossInput, { weights }: ScoreContext) => sumOutputs(terms(input), { weights, mask: input.mask, mean: reduce.mean }),
  });
}

const squaredError: Terms = (input) => tf.squaredDifference(input.labels, activated(input));
const absoluteError: Terms = (input) => tf.abs(tf.sub(input.labels, activated(input)));

/**
 * MSE, DL4J's mean squared error: `(1/n) sum_i w_i m_i (y_i - a_i)^2` over the n outputs (L2 / n).
 * The mean is over all n outputs, masked or not, as in DL4J.
 *
 * @example
 * ```ts
 * { type: 'layers/output', nOut: 1, activation: 'identity', loss: 'MSE' }
 * ```
 */
export const mseDefinition = elementwise('losses/mse', 'Mean squared error over outputs', squaredError, { mean: true, weighted: true });

/** SQUARED_LOSS: current DL4J maps it to {@link mseDefinition | MSE} (DL4J before 0.6 summed, as L2 does). */
export const squaredLossDefinition = elementwise('losses/squared-loss', 'Equal to MSE, as in DL4J', squaredError, { mean: true, weighted: true });

/** L2: `sum_i w_i m_i (y_i - a_i)^2`, the sum of squared errors. */
export const l2Definition = elementwise('losses/l2', 'Sum of squared errors', squaredError, { mean: false, weighted: true });

/** L1: `sum_i w_i m_i |y_i - a_i|`, the sum of absolute errors. */
export const l1Definition = elementwise('losses/l1', 'Sum of absolute errors', absoluteError, { mean: false, weighted: true });

/** MEAN_ABSOLUTE_ERROR: `(1/n) sum_i w_i m_i |y_i - a_i|` (L1 / n). */
export const meanAbsoluteErrorDefinition = elementwise('losses/mean-absolute-error', 'Mean absolute error over outputs', absoluteError, { mean: true, weighted: true });

/**
 * MEAN_ABSOLUTE_PERCENTAGE_ERROR: `(100/n) sum_i w_i m_i |(y_i - a_i) / y_i|`. DL4J divides by
 * `y_i` unguarded; here by `max(|y_i|, 1e-10)`, so a zero label gives a huge but finite term.
 */
export const meanAbsolutePercentageErrorDefinition = elementwise(
  'losses/mean-absolute-percentage-error',
  'Mean absolute percentage error over outputs',
  (input) => tf.mul(100, tf.div(absoluteError(input), tf.maximum(tf.abs(input.labels), EPS))),
  { mean: true, weighted: true },
);

/**
 * MEAN_SQUARED_LOGARITHMIC_ERROR: `(1/n) sum_i w_i m_i (log(a_i + 1) - log(y_i + 1))^2`.
 * DL4J takes the logs unguarded; here `a + 1` and `y + 1` are floored at 1e-10 (finite below -1).
 */
export const meanSquaredLogarithmicErrorDefinition = elementwise(
  'losses/mean-squared-logarithmic-error',
  'Mean squared logarithmic error over outputs',
  (input) => tf.squaredDifference(tf.log(tf.maximum(tf.add(activated(input), 1), EPS)), tf.log(tf.maximum(tf.add(input.labels, 1), EPS))),
  { mean: true, weighted: true },
);

/**
 * RMSE_XENT: root mean squared error per example, `sqrt((1/n) sum_i m_i (y_i - a_i)^2)`.
 * Current DL4J rejects RMSE_XENT (deprecated, "not supported"); this is what its name says. At
 * a perfect prediction the gradient is taken as 0 (the square root has none there).
 */
export const rmseXentDefinition = defineLoss({
  key: 'losses/rmse-xent',
  description: 'Root mean squared error over outputs',
  score: (input) => {
    const meanSquare = sumOutputs(squaredError(input), { mask: input.mask, mean: true });
    // ms / sqrt(max(ms, 1e-20)): sqrt(ms) wherever ms > 1e-20, and no 0 * Infinity = NaN in the
    // gradient at ms = 0, where sqrt itself has an infinite derivative.
    return tf.div(meanSquare, tf.sqrt(tf.maximum(meanSquare, EPS * EPS)));
  },
});

/** Poisson terms `a - y log a`, `log a` floored at log(1e-10) so that `a = 0` stays finite. */
const poissonTerms: Terms = (input) => {
  const a = activated(input);
  return tf.sub(a, tf.mul(input.labels, tf.log(tf.maximum(a, EPS))));
};

/**
 * POISSON: Poisson negative log-likelihood up to a constant, `sum_i m_i (a_i - y_i log a_i)`;
 * `a` is the predicted rate (pair it with an activation that keeps it positive, e.g. softplus).
 */
export const poissonDefinition = elementwise('losses/poisson', 'Poisson negative log-likelihood', poissonTerms, { mean: false, weighted: false });

/** EXPLL: DL4J's older name of {@link poissonDefinition | POISSON}, same formula. */
export const expllDefinition = elementwise('losses/expll', 'Exponential log-likelihood; equal to POISSON, as in DL4J', poissonTerms, { mean: false, weighted: false });

/** MSE, SQUARED_LOSS, L2, L1, MAE, MAPE, MSLE, RMSE_XENT, POISSON and EXPLL. */
export const regressionLosses: readonly ComponentDefinition<'loss', Loss>[] = [
  mseDefinition,
  squaredLossDefinition,
  l2Definition,
  l1Definition,
  meanAbsoluteErrorDefinition,
  meanAbsolutePercentageErrorDefinition,
  meanSquaredLogarithmicErrorDefinition,
  rmseXentDefinition,
  poissonDefinition,
  expllDefinition,
];
