import type { ResolvedConfig } from '@dl4ts/core';
import { fractionOption, integerOption, positiveOption } from './options';

/** Options of the backtracking (Armijo) line search shared by the line-search optimisers. */
export interface LineSearchOptions {
  /**
   * First trial step for directions that carry their own scale (L-BFGS once it has curvature
   * pairs, Hessian-free). Default 1, the full quasi-Newton/Newton step.
   */
  initialStep?: number;
  /** Factor applied to the step after each rejected trial. Default 0.5. */
  shrink?: number;
  /** Sufficient-decrease constant of the Armijo condition. Default 1e-4 (DL4J's `ALF`). */
  c1?: number;
  /** Trial points per line search. Default 5 (DL4J's `maxNumLineSearchIterations`). */
  maxLineSearchIterations?: number;
  /**
   * Quadratic-interpolation refinements after an accepted Armijo step (0 = plain backtracking):
   * each fits `q(t)` through `f(0)`, `f'(0)` and the accepted `(t, f(t))`, tries its minimiser
   * (clamped to `[0.1 t, 4 t]`) and keeps it when the score is lower. Conjugate gradient needs
   * such a near-exact line search; default 3 there, 0 for the other strategies.
   */
  refinements?: number;
}

/** Resolved line-search options. */
export type LineSearchSettings = Required<LineSearchOptions>;

/** Names of the line-search options, for unknown-option checks. */
export const LINE_SEARCH_OPTION_NAMES = ['initialStep', 'shrink', 'c1', 'maxLineSearchIterations', 'refinements'] as const;

/** Reads and checks the line-search options of a strategy config. */
export function lineSearchSettings(config: ResolvedConfig, defaultRefinements = 0): LineSearchSettings {
  return {
    refinements: integerOption(config, 'refinements', defaultRefinements, 0),
    initialStep: positiveOption(config, 'initialStep', 1),
    shrink: fractionOption(config, 'shrink', 0.5),
    c1: fractionOption(config, 'c1', 1e-4),
    maxLineSearchIterations: integerOption(config, 'maxLineSearchIterations', 5, 1),
  };
}

/** What a line search found. `step` is 0 when no trial lowered the score (no move). */
export interface LineSearchResult {
  readonly step: number;
  /** Score at the accepted step (the starting score when `step` is 0). */
  readonly score: number;
  /** Whether the accepted step satisfies the Armijo condition. */
  readonly armijo: boolean;
  /** Smallest step tried. */
  readonly smallestTried: number;
  /** Number of score evaluations made. */
  readonly evaluations: number;
}

/**
 * Backtracking line search along a descent direction `d` from a point with score `f0` and slope
 * `f0' = g'd < 0`: tries `t = firstStep, firstStep * shrink, ...` and accepts the first `t` with
 * `f(t) <= f0 + c1 * t * f0'` (Armijo). If none of `maxLineSearchIterations` trials satisfies it,
 * the trial with the lowest score is taken when that score is below `f0` (DL4J's
 * `BackTrackLineSearch` does the same); otherwise the step is 0 and the caller does not move.
 * Non-finite scores count as rejected trials. After an Armijo step, up to `refinements`
 * quadratic-interpolation trials may move it to a lower score. `evaluate(t)` returns the score at
 * `w + t d`.
 */
export function backtrackingLineSearch(
  f0: number,
  slope: number,
  firstStep: number,
  settings: LineSearchSettings,
  evaluate: (step: number) => number,
): LineSearchResult {
  let best = { step: 0, score: f0 };
  let step = firstStep;
  let smallestTried = firstStep;
  for (let i = 0; i < settings.maxLineSearchIterations; i++) {
    const score = evaluate(step);
    smallestTried = step;
    if (Number.isFinite(score)) {
      if (score <= f0 + settings.c1 * step * slope) {
        const refined = refine(f0, slope, step, score, settings.refinements, evaluate);
        return { ...refined, armijo: true, smallestTried, evaluations: i + 1 + refined.evaluations };
      }
      if (score < best.score) best = { step, score };
    }
    step *= settings.shrink;
  }
  return { ...best, armijo: false, smallestTried, evaluations: settings.maxLineSearchIterations };
}

/** Moves an accepted step towards the minimiser of the quadratic through f(0), f'(0) and f(t). */
function refine(f0: number, slope: number, step: number, score: number, refinements: number, evaluate: (step: number) => number): { step: number; score: number; evaluations: number } {
  let best = { step, score };
  let evaluations = 0;
  for (let r = 0; r < refinements; r++) {
    const t = best.step;
    const curvature = (best.score - f0 - slope * t) / (t * t);
    // Non-positive curvature: the line still bends down, so try the largest allowed step.
    const minimiser = curvature > 0 ? -slope / (2 * curvature) : 4 * t;
    const trial = Math.min(Math.max(minimiser, 0.1 * t), 4 * t);
    if (Math.abs(trial - t) < 0.05 * t) break;
    const value = evaluate(trial);
    evaluations++;
    if (!(Number.isFinite(value) && value < best.score)) break;
    best = { step: trial, score: value };
  }
  return { ...best, evaluations };
}
