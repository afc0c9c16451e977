import * as tf from '@tensorflow/tfjs-core';
import type { Tensor1D } from '@tensorflow/tfjs-core';
import { ConfigError, STRATEGY_CONTRACT_VERSION, formatValue } from '@dl4ts/core';
import type { AnyBatch, ComponentDefinition, ResolvedConfig, TrainingTarget } from '@dl4ts/core';
import { backtrackingLineSearch, lineSearchSettings } from './line-search';
import type { WholeVectorStrategy } from './line-search-strategy';
import { aboveOneOption, checkOptionNames, choiceOption, fractionOption, integerOption, positiveOption } from './options';
import type { ParamLayout } from './param-vector';
import { axpy, dot, flatten, paramLayout, readScalar, sameLayout, unflatten } from './param-vector';
import type { CgIterate } from './truncated-cg';
import { truncatedCg } from './truncated-cg';

/** Options of {@link hessianFree}. */
export interface HessianFreeOptions {
  /** Newton iterations (CG solves) per minibatch. Default 1. */
  maxIterations?: number;
  /**
   * Initial Levenberg-Marquardt damping `lambda`, in the units of the score's curvature (the
   * score is a minibatch mean, so typical eigenvalues are well below 1). Default 0.1.
   */
  initialDamping?: number;
  /** `lambda` is multiplied by this when the reduction ratio `rho < 1/4`. Default 1.5 (Martens). */
  dampingIncrease?: number;
  /** `lambda` is multiplied by this when `rho > 3/4`. Default 2/3 (Martens). */
  dampingDecrease?: number;
  /** Curvature-vector products per CG solve, at most. Default 50. */
  maxCgIterations?: number;
  /** CG starts from `cgDecay` times the previous solution. Default 0.95 (Martens' zeta). */
  cgDecay?: number;
  /** Martens' relative-progress stopping tolerance for CG. Default 5e-4. */
  cgTolerance?: number;
  /**
   * Finite-difference Hessian-vector product: `'forward'`, `(g(w + e v) - g(w)) / e` (one gradient
   * per product), or `'central'`, `(g(w + e v) - g(w - e v)) / 2e` (two, more accurate). Default `'forward'`.
   */
  curvature?: 'forward' | 'central';
  /** Relative finite-difference step `h`: `e = h (1 + |w|) / |v|`. Default 1e-3 (forward), 1e-2 (central). */
  finiteDifferenceStep?: number;
  /** Armijo line search on the chosen CG iterate: shrink factor (0.5), c1 (1e-4), trials (5). */
  shrink?: number;
  c1?: number;
  maxLineSearchIterations?: number;
}

declare module '@dl4ts/core' {
  interface StrategyConfigMap {
    'updaters/hessian-free': HessianFreeOptions;
  }
}

const OPTION_NAMES = [
  'maxIterations',
  'initialDamping',
  'dampingIncrease',
  'dampingDecrease',
  'maxCgIterations',
  'cgDecay',
  'cgTolerance',
  'curvature',
  'finiteDifferenceStep',
  'shrink',
  'c1',
  'maxLineSearchIterations',
] as const;

/** The Hessian-free strategy: a {@link WholeVectorStrategy} that also reports its damping. */
export interface HessianFreeStrategy extends WholeVectorStrategy {
  /** The current Levenberg-Marquardt damping `lambda`. */
  readonly damping: number;
}

/**
 * Hessian-free optimisation (Martens 2010), a truncated Newton method on all trainable
 * parameters as one vector. Per iteration, on the step's minibatch:
 *
 * 1. the gradient `g` of the regularised score;
 * 2. linear CG on `(H + lambda I) x = -g`, started from `cgDecay` times the previous solution,
 *    stopped by Martens' relative-progress rule or `maxCgIterations`, where `H v` is a
 *    finite-difference product of gradients (tfjs has no forward-mode autodiff, and the training
 *    target exposes the score only, so Gauss-Newton products are not available);
 * 3. backtracking over the stored CG iterates (`i = ceil(1.3^j)`): from the last, go back while
 *    the score decreases;
 * 4. `rho = (f(w + x) - f(w)) / phi(x)` with `phi` the damped quadratic model; `lambda *= 3/2` if
 *    `rho < 1/4`, `lambda *= 2/3` if `rho > 3/4`;
 * 5. an Armijo line search along `x` from step 1; no move when it finds no lower score.
 *
 * The per-parameter updaters are not used.
 *
 * @example
 * ```ts
 * strategy: { type: 'updaters/hessian-free', maxCgIterations: 50, initialDamping: 0.1 }
 * ```
 */
export function hessianFree(config: ResolvedConfig): HessianFreeStrategy {
  checkOptionNames(config, OPTION_NAMES);
  const curvature = choiceOption(config, 'curvature', 'forward', ['forward', 'central'] as const);
  const settings = {
    maxIterations: integerOption(config, 'maxIterations', 1, 1),
    initialDamping: positiveOption(config, 'initialDamping', 0.1),
    dampingIncrease: aboveOneOption(config, 'dampingIncrease', 1.5),
    dampingDecrease: fractionOption(config, 'dampingDecrease', 2 / 3),
    maxCgIterations: integerOption(config, 'maxCgIterations', 50, 1),
    cgDecay: fractionOption(config, 'cgDecay', 0.95),
    cgTolerance: positiveOption(config, 'cgTolerance', 5e-4),
    curvature,
    finiteDifferenceStep: positiveOption(config, 'finiteDifferenceStep', curvature === 'forward' ? 1e-3 : 1e-2),
  };
  const lineSearch = { ...lineSearchSettings(config), initialStep: 1, refinements: 0 };
  const resolved = { ...config, ...settings, shrink: lineSearch.shrink, c1: lineSearch.c1, maxLineSearchIterations: lineSearch.maxLineSearchIterations };

  let layout: ParamLayout | undefined;
  let damping = settings.initialDamping;
  /** The previous CG solution (zeros until there is one), allocated once. */
  let previous: Tensor1D | undefined;
  /** A history given by restoreState, taken up at the next step (when the layout is known). */
  let pending: { damping: number; previous: Tensor1D } | undefined;

  const gradient = (target: TrainingTarget, batch: AnyBatch, at: ParamLayout, w: Tensor1D): Tensor1D =>
    tf.tidy(() => flatten(at, target.scoreAndGradients(batch, true, unflatten(at, w)).gradients));

  const iterate = (target: TrainingTarget, batch: AnyBatch, at: ParamLayout, w: Tensor1D, g: Tensor1D, f0: number): { w: Tensor1D; score: number } | undefined => {
    const wNorm = tf.tidy(() => readScalar(tf.norm(w)));
    const product = (v: Tensor1D): Tensor1D => {
      const vNorm = tf.tidy(() => readScalar(tf.norm(v)));
      if (!(vNorm > 0)) return tf.zerosLike(v);
      const e = (settings.finiteDifferenceStep * (1 + wNorm)) / vNorm;
      const lambda = damping;
      return tf.tidy(() => {
        const plus = gradient(target, batch, at, axpy(w, e, v));
        const hv = curvature === 'forward' ? tf.div(tf.sub(plus, g), e) : tf.div(tf.sub(plus, gradient(target, batch, at, axpy(w, -e, v))), 2 * e);
        return tf.add(hv, tf.mul(v, lambda)) as Tensor1D;
      });
    };
    const b = tf.neg(g) as Tensor1D;
    const start = tf.tidy(() => tf.mul(previous as Tensor1D, settings.cgDecay) as Tensor1D);
    const solved = truncatedCg(product, b, start, { maxIterations: settings.maxCgIterations, tolerance: settings.cgTolerance, fallbackScale: 1 / damping });
    start.dispose();
    const iterates = solved.iterates;
    const final = iterates[iterates.length - 1];
    previous?.dispose();
    previous = tf.keep(final === undefined ? tf.zerosLike(b) : tf.clone(final.x));
    const score = (x: Tensor1D, t = 1): number => tf.tidy(() => readScalar(target.score(batch, true, unflatten(at, axpy(w, t, x)))));
    let chosen: CgIterate | undefined;
    let chosenScore = Number.POSITIVE_INFINITY;
    for (let j = iterates.length - 1; j >= 0; j--) {
      const value = score((iterates[j] as CgIterate).x);
      const finite = Number.isFinite(value) ? value : Number.POSITIVE_INFINITY;
      if (chosen !== undefined && !(finite < chosenScore)) break;
      chosen = iterates[j] as CgIterate;
      chosenScore = finite;
    }
    b.dispose();
    let result: { w: Tensor1D; score: number } | undefined;
    if (chosen === undefined) {
      damping *= settings.dampingIncrease;
    } else {
      const rho = chosen.phi < 0 ? (chosenScore - f0) / chosen.phi : Number.NEGATIVE_INFINITY;
      if (rho < 0.25) damping *= settings.dampingIncrease;
      else if (rho > 0.75) damping *= settings.dampingDecrease;
      const x = chosen.x;
      const slope = dot(g, x);
      if (slope < 0) {
        const first = chosenScore;
        const search = backtrackingLineSearch(f0, slope, 1, lineSearch, (t) => (t === 1 ? first : score(x, t)));
        if (search.step > 0) result = { w: axpy(w, search.step, x), score: search.score };
      }
    }
    damping = Math.min(Math.max(damping, 1e-8), 1e8);
    for (const it of iterates) it.x.dispose();
    return result;
  };

  return {
    key: 'updaters/hessian-free',
    config: resolved,
    get damping() {
      return damping;
    },
    step(target, batch) {
      const current = paramLayout(target.trainableParams());
      if (layout === undefined || !sameLayout(layout, current)) {
        previous?.dispose();
        previous = tf.keep(tf.zeros([current.size]) as Tensor1D);
        layout = current;
      }
      const at = layout;
      if (pending !== undefined) {
        const restored = pending;
        pending = undefined;
        if (restored.previous.size !== at.size) {
          restored.previous.dispose();
          throw new ConfigError(`updaters/hessian-free: the restored history is for ${restored.previous.size} parameters; this network trains ${at.size}`);
        }
        previous?.dispose();
        previous = restored.previous;
        damping = restored.damping;
      }
      let w = flatten(at, target.trainableParams());
      const gradientAndScore = () =>
        tf.tidy(() => {
          const out = target.scoreAndGradients(batch, true);
          return { score: readScalar(out.score), g: flatten(at, out.gradients) };
        });
      let { score: f, g } = gradientAndScore();
      for (let i = 0; i < settings.maxIterations; i++) {
        // A failed iteration has raised lambda; the next one solves again from the same point.
        const moved = iterate(target, batch, at, w, g, f);
        if (moved === undefined) continue;
        tf.tidy(() => target.setParams(unflatten(at, moved.w)));
        w.dispose();
        w = moved.w;
        f = moved.score;
        if (i + 1 < settings.maxIterations) {
          g.dispose();
          ({ score: f, g } = gradientAndScore());
        }
      }
      g.dispose();
      w.dispose();
      return tf.scalar(f);
    },
    dispose() {
      previous?.dispose();
      previous = undefined;
      layout = undefined;
      pending?.previous.dispose();
      pending = undefined;
    },
    state() {
      // A restored history not taken up yet is the one the next step will use.
      if (pending !== undefined) return { values: { parameters: pending.previous.size, damping: pending.damping }, tensors: new Map([['previous', pending.previous]]) };
      if (previous === undefined || layout === undefined) return undefined;
      return { values: { parameters: previous.size, damping }, tensors: new Map([['previous', previous]]) };
    },
    restoreState({ values, tensors }) {
      const p = tensors.get('previous');
      if (p === undefined || !(typeof values.damping === 'number' && values.damping >= 0)) {
        throw new ConfigError(`updaters/hessian-free: a restored history needs the previous solution and the damping, received tensors ${formatValue([...tensors.keys()])} and damping ${formatValue(values.damping)}`);
      }
      pending?.previous.dispose();
      pending = { damping: values.damping, previous: tf.keep(tf.reshape(p, [p.size]) as Tensor1D) };
    },
  };
}

/** Registry definition of {@link hessianFree}. */
export const hessianFreeDefinition: ComponentDefinition<'strategy', HessianFreeStrategy> = {
  kind: 'strategy',
  key: 'updaters/hessian-free',
  contractVersion: STRATEGY_CONTRACT_VERSION,
  provider: '@dl4ts/updaters',
  description: 'Hessian-free truncated Newton with Levenberg-Marquardt damping (Martens 2010)',
  create: hessianFree,
};
