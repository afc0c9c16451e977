import { STRATEGY_CONTRACT_VERSION } from '@dl4ts/core';
import type { ComponentDefinition, ResolvedConfig } from '@dl4ts/core';
import type { LineSearchOptions } from './line-search';
import type { WholeVectorStrategy } from './line-search-strategy';
import { driverSettings, lineSearchStrategy } from './line-search-strategy';

/** Options of {@link lineGradientDescent}. */
export interface LineGradientDescentOptions extends LineSearchOptions {
  /** Iterations (line searches) per minibatch, DL4J's `numIterations`. Default 1. */
  maxIterations?: number;
}

declare module '@dl4ts/core' {
  interface StrategyConfigMap {
    'updaters/line-gradient-descent': LineGradientDescentOptions;
  }
}

/**
 * DL4J's `LINE_GRADIENT_DESCENT`: steepest descent `d = -g` on all trainable parameters as one
 * vector, with a backtracking (Armijo) line search for the step. The per-parameter updaters are
 * not used. The first trial step is `initialStep * min(1, 1/||g||_1)`, then Nocedal & Wright's
 * `t0 = t_prev * (g_prev'd_prev) / (g'd)`.
 *
 * @example
 * ```ts
 * strategy: { type: 'updaters/line-gradient-descent', maxIterations: 10 }
 * ```
 */
export function lineGradientDescent(config: ResolvedConfig): WholeVectorStrategy {
  const settings = driverSettings(config);
  const resolved = { ...config, maxIterations: settings.maxIterations, ...settings.lineSearch };
  return lineSearchStrategy(resolved, settings, {
    allocate: () => {},
    direction: () => undefined,
    scaled: () => false,
    accept: () => {},
    reset: () => {},
    dispose: () => {},
  });
}

/** Registry definition of {@link lineGradientDescent}. */
export const lineGradientDescentDefinition: ComponentDefinition<'strategy', WholeVectorStrategy> = {
  kind: 'strategy',
  key: 'updaters/line-gradient-descent',
  contractVersion: STRATEGY_CONTRACT_VERSION,
  provider: '@dl4ts/updaters',
  description: 'Steepest descent with a backtracking line search (DL4J LINE_GRADIENT_DESCENT)',
  create: lineGradientDescent,
};
