import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, Registry } from '@dl4ts/core';
import type { Batch } from '@dl4ts/core';
import { afterAll, describe, expect, it } from 'vitest';
import { optimizerDefinitions } from './index';
import type { WholeVectorStrategy } from './line-search-strategy';
import { logisticObjective, logisticProblem } from './logistic-fixture';
import type { FunctionTarget } from './test-support';
import { dummyBatch, functionTarget, rosenbrock } from './test-support';

const registry = new Registry();
for (const definition of optimizerDefinitions) registry.register(definition);
const create = (ref: unknown): WholeVectorStrategy => (registry.create('strategy', ref) as WholeVectorStrategy);

const problem = logisticProblem();
const logisticBatch: Batch = { features: tf.tensor2d(problem.features), labels: tf.tensor2d(problem.labels, [problem.labels.length, 1]) };
const rosenbrockBatch = dummyBatch();
afterAll(() => tf.dispose([logisticBatch.features, logisticBatch.labels, rosenbrockBatch.features, rosenbrockBatch.labels]));

const rosenbrockTarget = (): FunctionTarget => functionTarget({ w: { values: [-1.2, 1], shape: [2] } }, rosenbrock);
const logisticTarget = (): FunctionTarget =>
  functionTarget({ W: { values: [0, 0, 0, 0, 0], shape: [5, 1] }, b: { values: [0], shape: [1] } }, logisticObjective(problem.l2));

/** Runs one step of `maxIterations` iterations and frees the target and the strategy afterwards. */
function optimise(config: Record<string, unknown>, target: FunctionTarget, batch: Batch): { score: number; target: FunctionTarget } {
  const strategy = create(config);
  const score = strategy.step(target, batch);
  const value = score.dataSync()[0] as number;
  score.dispose();
  strategy.dispose();
  target.dispose();
  return { score: value, target };
}

/** Index of the first accepted point (gradient evaluation) where `reached` holds, and the evaluations made until then. */
function firstReached(target: FunctionTarget, reached: (entry: FunctionTarget['trace'][number]) => boolean): { iteration: number; evaluations: number } {
  const iteration = target.trace.findIndex(reached);
  return { iteration, evaluations: iteration < 0 ? Number.POSITIVE_INFINITY : (target.trace[iteration]?.evaluations as number) };
}

const distanceToOne = (e: { params: number[] }) => Math.hypot((e.params[0] as number) - 1, (e.params[1] as number) - 1);

describe('registry and config', () => {
  it('creates each strategy from its key and from DL4J spellings, echoing the resolved options', () => {
    expect(registry.keys('strategy')).toEqual(['core/backprop', 'updaters/conjugate-gradient', 'updaters/hessian-free', 'updaters/lbfgs', 'updaters/line-gradient-descent']);
    expect(create('LBFGS').config).toEqual({ type: 'updaters/lbfgs', maxIterations: 1, m: 4, initialStep: 1, shrink: 0.5, c1: 1e-4, maxLineSearchIterations: 5, refinements: 0 });
    expect(create('CONJUGATE_GRADIENT').config).toMatchObject({ type: 'updaters/conjugate-gradient', refinements: 3 });
    expect(create('LINE_GRADIENT_DESCENT').key).toBe('updaters/line-gradient-descent');
    expect(create({ type: 'HESSIAN_FREE', maxCgIterations: 20 }).config).toMatchObject({ type: 'updaters/hessian-free', maxCgIterations: 20, initialDamping: 0.1, curvature: 'forward' });
  });

  it('rejects bad options with a ConfigError naming the option and the value', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ type: 'updaters/lbfgs', m: 0 }, 'Strategy updaters/lbfgs: m must be an integer >= 1, received 0'],
      [{ type: 'updaters/lbfgs', maxIterations: 1.5 }, 'maxIterations must be an integer >= 1, received 1.5'],
      [{ type: 'updaters/conjugate-gradient', restartEvery: 0 }, 'Strategy updaters/conjugate-gradient: restartEvery must be an integer >= 1, received 0'],
      [{ type: 'updaters/line-gradient-descent', shrink: 2 }, 'shrink must be a number in (0, 1), received 2'],
      [{ type: 'updaters/hessian-free', curvature: 'exact' }, 'curvature must be one of "forward", "central", received "exact"'],
      [{ type: 'updaters/hessian-free', dampingDecrease: 1.5 }, 'dampingDecrease must be a number in (0, 1), received 1.5'],
      [{ type: 'updaters/hessian-free', dampingIncrease: 1 }, 'dampingIncrease must be a finite number > 1, received 1'],
      [{ type: 'updaters/hessian-free', initialDamping: 0 }, 'initialDamping must be a positive finite number, received 0'],
      [{ type: 'updaters/lbfgs', numIterations: 10 }, 'Strategy updaters/lbfgs: unknown option "numIterations"; known options: maxIterations,'],
    ];
    for (const [config, message] of cases) {
      expect(() => create(config)).toThrow(ConfigError);
      expect(() => create(config)).toThrow(message);
    }
  });
});

describe('Rosenbrock from (-1.2, 1)', () => {
  it('L-BFGS reaches (1, 1) within 1e-3 in at most 50 iterations', () => {
    const { target } = optimise({ type: 'updaters/lbfgs', maxIterations: 50 }, rosenbrockTarget(), rosenbrockBatch);
    const reached = firstReached(target, (e) => distanceToOne(e) < 1e-3);
    expect(reached.iteration).toBeGreaterThan(0);
    expect(reached.iteration).toBeLessThanOrEqual(50);
    expect(distanceToOne(target.trace.at(-1) as { params: number[] })).toBeLessThan(1e-3);
  });

  it('conjugate gradient reaches (1, 1) within 1e-3 in at most 60 iterations', () => {
    const { target } = optimise({ type: 'updaters/conjugate-gradient', maxIterations: 60 }, rosenbrockTarget(), rosenbrockBatch);
    const reached = firstReached(target, (e) => distanceToOne(e) < 1e-3);
    expect(reached.iteration).toBeGreaterThan(0);
    expect(distanceToOne(target.trace.at(-1) as { params: number[] })).toBeLessThan(1e-3);
  });

  it('line gradient descent decreases the score monotonically', () => {
    const { score, target } = optimise({ type: 'updaters/line-gradient-descent', maxIterations: 100 }, rosenbrockTarget(), rosenbrockBatch);
    const scores = target.trace.map((e) => e.score);
    expect(scores[0]).toBeCloseTo(24.2, 4);
    expect(scores.length).toBeGreaterThan(95); // the line search found a lower score in almost every iteration
    for (let i = 1; i < scores.length; i++) expect(scores[i]).toBeLessThan(scores[i - 1] as number);
    expect(score).toBe(scores.at(-1));
    expect(score).toBeLessThan(4); // measured 2.99 (from 24.2)
  });
});

describe('logistic regression (convex, optimum by float64 Newton)', () => {
  it('has a non-trivial optimum', () => {
    // Between the perfect fit (0) and the zero model (ln 2 = 0.693); pinned so the fixture cannot drift.
    expect(problem.optimum.loss).toBeCloseTo(0.42192297, 7);
  });

  for (const type of ['updaters/lbfgs', 'updaters/conjugate-gradient']) {
    it(`${type} reaches the optimum loss within 1e-5 in at most 30 iterations`, () => {
      const { score, target } = optimise({ type, maxIterations: 30 }, logisticTarget(), logisticBatch);
      const reached = firstReached(target, (e) => e.score - problem.optimum.loss < 1e-5);
      expect(reached.iteration).toBeGreaterThan(0);
      expect(Math.abs(score - problem.optimum.loss)).toBeLessThan(1e-5);
    });
  }

  it('L-BFGS needs fewer score and gradient evaluations than line gradient descent to reach 1e-5', () => {
    const lbfgsRun = optimise({ type: 'updaters/lbfgs', maxIterations: 100 }, logisticTarget(), logisticBatch).target;
    const lgdRun = optimise({ type: 'updaters/line-gradient-descent', maxIterations: 300 }, logisticTarget(), logisticBatch).target;
    const gap = (e: { score: number }) => e.score - problem.optimum.loss < 1e-5;
    const lbfgsReached = firstReached(lbfgsRun, gap);
    const lgdReached = firstReached(lgdRun, gap);
    expect(Number.isFinite(lgdReached.evaluations)).toBe(true);
    expect(lbfgsReached.evaluations).toBeLessThan(lgdReached.evaluations); // measured 22 vs 84
  });
});

describe('memory', () => {
  for (const type of ['updaters/line-gradient-descent', 'updaters/conjugate-gradient', 'updaters/lbfgs', 'updaters/hessian-free']) {
    it(`${type} keeps the tensor count constant from step to step and frees its state on dispose`, () => {
      const target = logisticTarget();
      const strategy = create({ type, maxIterations: 2, ...(type === 'updaters/hessian-free' ? { maxCgIterations: 5 } : {}) });
      const before = tf.memory().numTensors;
      const counts: number[] = [];
      for (let i = 0; i < 4; i++) {
        strategy.step(target, logisticBatch).dispose();
        counts.push(tf.memory().numTensors);
      }
      expect(new Set(counts).size).toBe(1);
      strategy.dispose();
      expect(tf.memory().numTensors).toBe(before);
      target.dispose();
    });
  }

  it('starts a fresh history when the parameter layout changes', () => {
    const strategy = create({ type: 'updaters/lbfgs', maxIterations: 5 });
    const first = rosenbrockTarget();
    strategy.step(first, rosenbrockBatch).dispose();
    const second = logisticTarget();
    const score = strategy.step(second, logisticBatch);
    expect(score.dataSync()[0]).toBeLessThan(Math.log(2));
    score.dispose();
    strategy.dispose();
    first.dispose();
    second.dispose();
  });
});
