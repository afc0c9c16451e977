import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor1D } from '@tensorflow/tfjs-core';
import { ConfigError, formatValue } from '@dl4ts/core';
import type { AnyBatch, ResolvedConfig, StrategyState, TrainingStrategy, TrainingTarget } from '@dl4ts/core';
import type { LineSearchSettings } from './line-search';
import { LINE_SEARCH_OPTION_NAMES, backtrackingLineSearch, lineSearchSettings } from './line-search';
import { checkOptionNames, integerOption } from './options';
import type { ParamLayout } from './param-vector';
import { axpy, dot, flatten, paramLayout, readScalar, sameLayout, unflatten } from './param-vector';

/**
 * A whole-vector optimiser used as a training strategy. It keeps a little state between steps
 * (previous direction, curvature pairs) as tensors it owns; {@link WholeVectorStrategy.dispose}
 * frees them (core's contract has no dispose hook, so call it yourself when a strategy instance
 * outlives its network).
 */
export interface WholeVectorStrategy extends TrainingStrategy {
  /** Frees the tensors kept between steps. Training may continue afterwards, with fresh history. */
  dispose(): void;
}

/** An accepted step, as a {@link DirectionRule} sees it. All on the same minibatch. */
export interface AcceptedStep {
  /** `w_new - w_old`. */
  readonly s: Tensor1D;
  /** Gradient at `w_old` and at `w_new`. */
  readonly gOld: Tensor1D;
  readonly gNew: Tensor1D;
  /** The direction searched along. */
  readonly d: Tensor1D;
  /** Whether `d` was `-gOld`. */
  readonly steepest: boolean;
}

/** What differs between line gradient descent, conjugate gradient and L-BFGS. */
export interface DirectionRule {
  /** Allocates the rule's state for `n` parameters (called before the first step). */
  allocate(n: number): void;
  /** The search direction at gradient `g`, or undefined for steepest descent `-g`. Runs in a tidy scope. */
  direction(g: Tensor1D): Tensor1D | undefined;
  /** Whether {@link DirectionRule.direction}'s result carries its own scale (first trial `initialStep`). */
  scaled(): boolean;
  /** Records an accepted step. Runs in a tidy scope: `tf.keep` what is kept, dispose what is replaced. */
  accept(step: AcceptedStep): void;
  /** Forgets the history (after a failed line search or a non-descent direction). */
  reset(): void;
  /** Frees the rule's tensors. */
  dispose(): void;
  /** Its history between minibatches (the tensors stay the rule's); none for a rule that keeps none. */
  state?(): RuleState;
  /** Takes back a history from {@link DirectionRule.state} after `allocate`, copying the tensors; throws a `ConfigError` for one that does not fit. */
  restore?(state: RuleState): void;
}

/** A direction rule's history: numbers and tensors by name. */
export interface RuleState {
  readonly values: Readonly<Record<string, number>>;
  readonly tensors: ReadonlyMap<string, Tensor>;
}

/** Settings shared by the line-search strategies. */
export interface DriverSettings {
  readonly maxIterations: number;
  readonly lineSearch: LineSearchSettings;
}

/**
 * Reads `maxIterations` (default 1) and the line-search options, rejecting option names other
 * than those and `extra`.
 */
export function driverSettings(config: ResolvedConfig, extra: readonly string[] = [], defaultRefinements = 0): DriverSettings {
  checkOptionNames(config, ['maxIterations', ...LINE_SEARCH_OPTION_NAMES, ...extra]);
  return { maxIterations: integerOption(config, 'maxIterations', 1, 1), lineSearch: lineSearchSettings(config, defaultRefinements) };
}

/**
 * The loop shared by LGD, CG and L-BFGS. Per iteration, on the step's minibatch: direction `d`
 * from the rule (steepest descent `-g` if the rule has none or `d` is not a descent direction),
 * backtracking line search, `setParams(w + t d)`, then the gradient at the new point, which both
 * updates the rule's history (so curvature pairs never mix minibatches) and starts the next
 * iteration. Returns the regularised score at the final point.
 */
export function lineSearchStrategy(config: ResolvedConfig, settings: DriverSettings, rule: DirectionRule): WholeVectorStrategy {
  const { maxIterations, lineSearch } = settings;
  let layout: ParamLayout | undefined;
  // Nocedal & Wright (3.60): the next first trial repeats the last first-order decrease.
  let lastStep = 0;
  let lastSlope = 0;
  // A history given by restoreState (kept copies), taken up at the next step, when the layout is known.
  let pending: StrategyState | undefined;

  const takePending = (at: ParamLayout): void => {
    if (pending === undefined) return;
    const { values, tensors } = pending;
    pending = undefined;
    try {
      if (values.parameters !== at.size) throw new ConfigError(`${config.type}: the restored history is for ${formatValue(values.parameters)} parameters; this network trains ${at.size}`);
      lastStep = values.lastStep ?? 0;
      lastSlope = values.lastSlope ?? 0;
      const ruleValues = Object.fromEntries(Object.entries(values).filter(([k]) => k.startsWith('rule.')).map(([k, v]) => [k.slice(5), v]));
      rule.restore?.({ values: ruleValues, tensors });
    } finally {
      tf.dispose([...tensors.values()]);
    }
  };

  const gradientAt = (target: TrainingTarget, batch: AnyBatch, at: ParamLayout): { score: Tensor; g: Tensor1D } =>
    tf.tidy(() => {
      const { score, gradients } = target.scoreAndGradients(batch, true);
      return { score, g: flatten(at, gradients) };
    });

  const firstTrial = (g: Tensor1D, slope: number, ruleScaled: boolean): number => {
    if (ruleScaled) return lineSearch.initialStep;
    if (lastStep > 0 && lastSlope < 0) return (lastStep * lastSlope) / slope;
    // No scale known yet: a first move of about `initialStep` in the L1 norm.
    const l1 = tf.tidy(() => readScalar(tf.sum(tf.abs(g))));
    return lineSearch.initialStep * Math.min(1, 1 / l1);
  };

  return {
    key: config.type,
    config,
    step(target, batch) {
      const current = paramLayout(target.trainableParams());
      if (layout === undefined || !sameLayout(layout, current)) {
        rule.dispose();
        rule.allocate(current.size);
        layout = current;
        lastStep = 0;
      }
      const at = layout;
      takePending(at);
      let w = flatten(at, target.trainableParams());
      let { score, g } = gradientAt(target, batch, at);
      let f0 = readScalar(score);
      for (let iteration = 0; iteration < maxIterations; iteration++) {
        let d = tf.tidy(() => rule.direction(g));
        let steepest = d === undefined;
        let slope = d === undefined ? Number.NaN : dot(g, d);
        if (d === undefined || !(slope < 0)) {
          // Not a descent direction (or none): restart from steepest descent.
          if (d !== undefined) rule.reset();
          d?.dispose();
          d = tf.neg(g);
          steepest = true;
          slope = dot(g, d);
        }
        if (!(slope < 0)) {
          d.dispose();
          break; // zero gradient: nothing to descend
        }
        const direction = d;
        const search = backtrackingLineSearch(f0, slope, firstTrial(g, slope, !steepest && rule.scaled()), lineSearch, (t) =>
          tf.tidy(() => readScalar(target.score(batch, true, unflatten(at, axpy(w, t, direction))))),
        );
        lastSlope = slope;
        if (search.step === 0) {
          // No trial lowered the score: stay, forget the history, start the next search smaller,
          // unless the steps tried no longer change the parameters at float32 precision.
          lastStep = search.smallestTried * lineSearch.shrink;
          const negligible = steepest && tf.tidy(() => readScalar(tf.norm(tf.mul(direction, search.smallestTried))) <= 1e-7 * (1 + readScalar(tf.norm(w))));
          direction.dispose();
          rule.reset();
          if (negligible) break;
          continue;
        }
        lastStep = search.step;
        const wNew = axpy(w, search.step, direction);
        tf.tidy(() => target.setParams(unflatten(at, wNew)));
        const next = gradientAt(target, batch, at);
        tf.tidy(() => rule.accept({ s: tf.sub(wNew, w), gOld: g, gNew: next.g, d: direction, steepest }));
        tf.dispose([w, g, direction, score]);
        w = wNew;
        g = next.g;
        score = next.score;
        f0 = readScalar(score);
      }
      tf.dispose([w, g]);
      return score;
    },
    dispose() {
      rule.dispose();
      layout = undefined;
      lastStep = 0;
      if (pending !== undefined) tf.dispose([...pending.tensors.values()]);
      pending = undefined;
    },
    state() {
      // A restored history not taken up yet is the one the next step will use.
      if (pending !== undefined || layout === undefined) return pending;
      const ruleState = rule.state?.();
      const values: Record<string, number> = { parameters: layout.size, lastStep, lastSlope };
      for (const [k, v] of Object.entries(ruleState?.values ?? {})) values[`rule.${k}`] = v;
      return { values, tensors: ruleState?.tensors ?? new Map() };
    },
    restoreState(state) {
      const { values, tensors } = state;
      if (typeof values?.parameters !== 'number' || !Number.isInteger(values.parameters) || values.parameters < 1) {
        throw new ConfigError(`${config.type}: a restored history must say how many parameters it is for (values.parameters), received ${formatValue(values?.parameters)}`);
      }
      if (pending !== undefined) tf.dispose([...pending.tensors.values()]);
      pending = { values: { ...values }, tensors: new Map([...tensors].map(([k, t]) => [k, tf.keep(tf.clone(t))])) };
    },
  };
}
