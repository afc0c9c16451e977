import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, LOSS_CONTRACT_VERSION, ShapeError, formatShape } from '@dl4ts/core';
import type { ComponentDefinition, Loss, ResolvedConfig } from '@dl4ts/core';
import { onlyOptions, shown } from './options';

/** Options of `example/log-cosh`. */
export interface LogCoshOptions {
  /** `'mean'` (default) divides each example's sum by the number of outputs n; `'sum'` does not. */
  reduction?: 'mean' | 'sum';
}

declare module '@dl4ts/core' {
  interface LossConfigMap {
    'example/log-cosh': LogCoshOptions;
  }
}

/** Registry key of {@link logCosh}. */
export const LOG_COSH = 'example/log-cosh';

/**
 * Log-cosh regression loss, per example: `(1/n) sum_i m_i log(cosh(a_i - y_i))` with
 * `a = f(z)` the output activation applied to the pre-activation output `z`, `y` the labels and
 * `m` the optional per-element mask. Like squared error near 0 and like absolute error far from
 * it (`log cosh d ~ |d| - log 2`), so outliers pull less. The gradient is `tanh(a - y)`.
 *
 * Computed as `d + softplus(-2d) - log 2`, which never overflows (cosh does, in float32, at |d| > 89).
 *
 * @example
 * ```ts
 * { type: 'layers/output', nOut: 2, activation: 'identity', loss: 'example/log-cosh' }
 * ```
 */
export function logCosh(config: ResolvedConfig): Loss {
  const owner = `Loss "${LOG_COSH}"`;
  onlyOptions(owner, config, ['reduction']);
  const reduction = config.reduction ?? 'mean';
  if (reduction !== 'mean' && reduction !== 'sum') throw new ConfigError(`${owner}: reduction must be "mean" or "sum", received ${shown(reduction)}`);
  return {
    key: LOG_COSH,
    config: { ...config, reduction },
    scoreArray: ({ labels, preOutput, activation, mask, context }) => {
      if (!tf.util.arraysEqual(labels.shape, preOutput.shape)) {
        throw new ShapeError(`${owner}: labels have shape ${formatShape(labels.shape)}, expected the output's shape ${formatShape(preOutput.shape)}`, labels.shape, preOutput.shape);
      }
      if (mask !== undefined && !tf.util.arraysEqual(mask.shape, preOutput.shape)) {
        throw new ShapeError(`${owner}: mask has shape ${formatShape(mask.shape)}, expected the output's shape ${formatShape(preOutput.shape)}`, mask.shape, preOutput.shape);
      }
      const d = tf.sub(activation.apply(preOutput, context ?? { training: true }), labels);
      let terms = tf.sub(tf.add(d, tf.softplus(tf.mul(d, -2))), Math.LN2);
      if (mask !== undefined) terms = tf.mul(terms, mask);
      const sum = tf.sum(terms, -1);
      return reduction === 'mean' ? tf.div(sum, preOutput.shape[preOutput.rank - 1] as number) : sum;
    },
  };
}

/** Registry definition of {@link logCosh}. */
export const logCoshDefinition: ComponentDefinition<'loss', Loss> = {
  kind: 'loss',
  key: LOG_COSH,
  contractVersion: LOSS_CONTRACT_VERSION,
  provider: '@dl4ts/example-plugin',
  description: 'Log-cosh regression loss, log(cosh(a - y)) per output',
  create: logCosh,
};
