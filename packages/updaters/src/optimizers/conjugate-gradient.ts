import * as tf from '@tensorflow/tfjs-core';
import type { Tensor1D } from '@tensorflow/tfjs-core';
import { ConfigError, STRATEGY_CONTRACT_VERSION, formatValue } from '@dl4ts/core';
import type { ComponentDefinition, ResolvedConfig } from '@dl4ts/core';
import type { LineSearchOptions } from './line-search';
import type { DirectionRule, WholeVectorStrategy } from './line-search-strategy';
import { driverSettings, lineSearchStrategy } from './line-search-strategy';
import { integerOption } from './options';
import { dot } from './param-vector';

/** Options of {@link conjugateGradient}. */
export interface ConjugateGradientOptions extends LineSearchOptions {
  /** Iterations (line searches) per minibatch, DL4J's `numIterations`. Default 1. */
  maxIterations?: number;
  /**
   * Restart with steepest descent every this many iterations. Default: the number of
   * parameters (Nocedal & Wright's choice; in practice a network restarts only on the other rules).
   */
  restartEvery?: number;
}

declare module '@dl4ts/core' {
  interface StrategyConfigMap {
    'updaters/conjugate-gradient': ConjugateGradientOptions;
  }
}

/** Polak-Ribiere direction with restarts; its state is one vector and two numbers. */
function polakRibiere(restartEvery: number | undefined): DirectionRule {
  let previous: Tensor1D | undefined;
  let beta = 0;
  let valid = false;
  let sinceRestart = 0;
  let period = 1;
  return {
    allocate(n) {
      // Allocated once, so the number of live tensors stays constant from the first step on.
      previous = tf.keep(tf.zeros([n]) as Tensor1D);
      period = restartEvery ?? n;
      valid = false;
    },
    direction(g) {
      if (!valid || previous === undefined || sinceRestart >= period) return undefined;
      return tf.add(tf.neg(g), tf.mul(previous, beta)) as Tensor1D;
    },
    scaled: () => false,
    accept({ gOld, gNew, d, steepest }) {
      sinceRestart = steepest ? 1 : sinceRestart + 1;
      // PR+: beta = max(0, g'(g - g_prev) / g_prev'g_prev), both gradients on the same minibatch.
      const value = dot(gNew, tf.sub(gNew, gOld)) / dot(gOld, gOld);
      beta = Number.isFinite(value) ? Math.max(0, value) : 0;
      previous?.dispose();
      previous = tf.keep(tf.clone(d));
      valid = true;
    },
    reset() {
      valid = false;
    },
    state: () => ({ values: { beta, valid: valid ? 1 : 0, sinceRestart, period }, tensors: new Map(previous === undefined ? [] : [['previous', previous]]) }),
    restore({ values, tensors }) {
      const p = tensors.get('previous');
      if (p === undefined || previous === undefined || p.size !== previous.size) throw new ConfigError(`updaters/conjugate-gradient: the restored history's previous direction has ${formatValue(p?.size)} values; expected ${previous?.size ?? 0}`);
      previous.dispose();
      previous = tf.keep(tf.reshape(p, [p.size]) as Tensor1D);
      beta = values.beta ?? 0;
      valid = values.valid === 1;
      sinceRestart = values.sinceRestart ?? 0;
      period = values.period ?? period;
    },
    dispose() {
      previous?.dispose();
      previous = undefined;
      valid = false;
    },
  };
}

/**
 * DL4J's `CONJUGATE_GRADIENT`, nonlinear conjugate gradient on all trainable parameters as one
 * vector: `d = -g + beta d_prev` with Polak-Ribiere+ `beta = max(0, g'(g - g_prev) / |g_prev|^2)`,
 * and a backtracking (Armijo) line search. It restarts with `d = -g` every `restartEvery`
 * iterations, whenever `d` is not a descent direction (`g'd >= 0`), and after a failed line
 * search. The line search refines each accepted step by quadratic interpolation (`refinements`,
 * default 3), because conjugacy needs near-exact line minimisation. The previous direction and `beta` persist across minibatches; `beta` is computed from
 * two gradients of the same minibatch. The per-parameter updaters are not used.
 *
 * @example
 * ```ts
 * strategy: { type: 'updaters/conjugate-gradient', maxIterations: 20 }
 * ```
 */
export function conjugateGradient(config: ResolvedConfig): WholeVectorStrategy {
  const settings = driverSettings(config, ['restartEvery'], 3);
  const restartEvery = config.restartEvery === undefined ? undefined : integerOption(config, 'restartEvery', 1, 1);
  const resolved = { ...config, maxIterations: settings.maxIterations, ...settings.lineSearch, ...(restartEvery === undefined ? {} : { restartEvery }) };
  return lineSearchStrategy(resolved, settings, polakRibiere(restartEvery));
}

/** Registry definition of {@link conjugateGradient}. */
export const conjugateGradientDefinition: ComponentDefinition<'strategy', WholeVectorStrategy> = {
  kind: 'strategy',
  key: 'updaters/conjugate-gradient',
  contractVersion: STRATEGY_CONTRACT_VERSION,
  provider: '@dl4ts/updaters',
  description: 'Nonlinear conjugate gradient (Polak-Ribiere+, restarts) with a line search (DL4J CONJUGATE_GRADIENT)',
  create: conjugateGradient,
};
