import { ConfigError } from '@dl4ts/core';
import { describe, expect, it } from 'vitest';
import { backtrackingLineSearch, lineSearchSettings } from './line-search';

const settings = lineSearchSettings({ type: 'updaters/lbfgs' });

describe('backtrackingLineSearch', () => {
  it('has the documented defaults', () => {
    expect(settings).toEqual({ initialStep: 1, shrink: 0.5, c1: 1e-4, maxLineSearchIterations: 5, refinements: 0 });
  });

  it('halves the step until the Armijo condition holds', () => {
    // f(t) = (t - 0.1)^2 along d, f(0) = 0.01, f'(0) = -0.2: t = 1, 0.5 fail; 0.25 gives 0.0225 > 0.01 - ...; 0.125 passes.
    const tried: number[] = [];
    const result = backtrackingLineSearch(0.01, -0.2, 1, settings, (t) => {
      tried.push(t);
      return (t - 0.1) ** 2;
    });
    expect(tried).toEqual([1, 0.5, 0.25, 0.125]);
    expect(result).toMatchObject({ step: 0.125, armijo: true, evaluations: 4 });
    expect(result.score).toBeCloseTo(0.000625, 12);
  });

  it('takes the best decreasing trial when none satisfies Armijo (as DL4J does)', () => {
    // Scores decrease, but by less than c1 * t * slope demands (slope is wildly overstated).
    const result = backtrackingLineSearch(1, -1e6, 1, settings, (t) => 1 - 1e-3 * t);
    expect(result.armijo).toBe(false);
    expect(result.step).toBe(1);
    expect(result.score).toBeCloseTo(0.999, 12);
    expect(result.evaluations).toBe(5);
  });

  it('returns step 0 (no move) when no trial lowers the score, and treats NaN as a rejection', () => {
    const result = backtrackingLineSearch(1, -1, 1, settings, (t) => (t > 0.2 ? Number.NaN : 1 + t));
    expect(result).toEqual({ step: 0, score: 1, armijo: false, smallestTried: 0.0625, evaluations: 5 });
  });

  it('finds the exact minimiser of a quadratic with one refinement', () => {
    // f(t) = 2 (t - 0.3)^2: f(0) = 0.18, f'(0) = -1.2. Step 1 fails, 0.5 passes, the refinement jumps to 0.3.
    const refining = lineSearchSettings({ type: 'updaters/conjugate-gradient', refinements: 1 });
    const result = backtrackingLineSearch(0.18, -1.2, 1, refining, (t) => 2 * (t - 0.3) ** 2);
    expect(result.step).toBeCloseTo(0.3, 12);
    expect(result.score).toBeCloseTo(0, 12);
    expect(result.evaluations).toBe(3);
  });

  it('rejects bad options with a ConfigError naming the option and the value', () => {
    expect(() => lineSearchSettings({ type: 'updaters/lbfgs', shrink: 1 })).toThrow(ConfigError);
    expect(() => lineSearchSettings({ type: 'updaters/lbfgs', shrink: 1 })).toThrow('Strategy updaters/lbfgs: shrink must be a number in (0, 1), received 1');
    expect(() => lineSearchSettings({ type: 'updaters/lbfgs', c1: 0 })).toThrow('c1 must be a number in (0, 1), received 0');
    expect(() => lineSearchSettings({ type: 'updaters/lbfgs', maxLineSearchIterations: 2.5 })).toThrow('maxLineSearchIterations must be an integer >= 1, received 2.5');
    expect(() => lineSearchSettings({ type: 'updaters/lbfgs', initialStep: -1 })).toThrow('initialStep must be a positive finite number, received -1');
    expect(() => lineSearchSettings({ type: 'updaters/lbfgs', refinements: -1 })).toThrow('refinements must be an integer >= 0, received -1');
  });
});
