import type { ComponentDefinition } from '@dl4ts/core';
import { conjugateGradientDefinition } from './conjugate-gradient';
import { hessianFreeDefinition } from './hessian-free';
import { lbfgsDefinition } from './lbfgs';
import { lineGradientDescentDefinition } from './line-gradient-descent';

export type { ConjugateGradientOptions } from './conjugate-gradient';
export { conjugateGradient, conjugateGradientDefinition } from './conjugate-gradient';
export type { HessianFreeOptions, HessianFreeStrategy } from './hessian-free';
export { hessianFree, hessianFreeDefinition } from './hessian-free';
export type { LbfgsOptions } from './lbfgs';
export { lbfgs, lbfgsDefinition } from './lbfgs';
export type { LineGradientDescentOptions } from './line-gradient-descent';
export { lineGradientDescent, lineGradientDescentDefinition } from './line-gradient-descent';
export type { LineSearchOptions } from './line-search';
export type { WholeVectorStrategy } from './line-search-strategy';

/**
 * DL4J's whole-vector optimisation algorithms as training strategies (registry kind `strategy`):
 * line gradient descent, conjugate gradient, L-BFGS and Hessian-free. Register them with
 * `registry.register(...)` for each, or through the package's plugin.
 */
export const optimizerDefinitions: readonly ComponentDefinition<'strategy'>[] = [
  lineGradientDescentDefinition,
  conjugateGradientDefinition,
  lbfgsDefinition,
  hessianFreeDefinition,
];
