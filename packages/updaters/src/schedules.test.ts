import { ConfigError } from '@dl4ts/core';
import { describe, expect, it } from 'vitest';
import { resolveSchedule, scheduleValue } from './schedules';
import type { Schedule } from './schedules';

const at = (iteration: number, epoch = 0) => ({ iteration, epoch });
const ITERATIONS = [0, 1, 2, 3, 7, 10, 99, 100, 1000];

/** Checks a schedule against a formula written in the test, by iteration and by epoch. */
function expectFormula(config: Record<string, unknown>, formula: (t: number) => number): void {
  const byIteration = resolveSchedule(config) as Schedule;
  const byEpoch = resolveSchedule({ ...config, scheduleType: 'epoch' }) as Schedule;
  for (const t of ITERATIONS) {
    expect(scheduleValue(byIteration, at(t, 5)), `iteration ${t}`).toBeCloseTo(formula(t), 12);
    // The epoch schedule ignores the iteration counter and reads the epoch.
    expect(scheduleValue(byEpoch, at(12345, t)), `epoch ${t}`).toBeCloseTo(formula(t), 12);
  }
}

describe('schedules: DL4J ISchedule formulas', () => {
  it('fixed: value at every step', () => {
    expectFormula({ type: 'fixed', value: 0.3 }, () => 0.3);
  });

  it('step: initialValue * decayRate^floor(t / step)', () => {
    expectFormula({ type: 'step', initialValue: 0.1, decayRate: 0.5, step: 3 }, (t) => 0.1 * 0.5 ** Math.floor(t / 3));
    const s = resolveSchedule({ type: 'step', initialValue: 1, decayRate: 0.1, step: 10 });
    expect([9, 10, 19, 20].map((t) => scheduleValue(s, at(t)))).toEqual([1, 0.1, 0.1, 0.1 ** 2]);
  });

  it('exponential: initialValue * gamma^t', () => {
    expectFormula({ type: 'exponential', initialValue: 0.2, gamma: 0.99 }, (t) => 0.2 * Math.pow(0.99, t));
  });

  it('inverse: initialValue / (1 + gamma t)^power', () => {
    expectFormula({ type: 'inverse', initialValue: 0.5, gamma: 0.01, power: 0.75 }, (t) => 0.5 / Math.pow(1 + 0.01 * t, 0.75));
  });

  it("poly: DL4J's code, initialValue * (1 + t / maxIter)^power before maxIter and 0 from maxIter on", () => {
    expectFormula({ type: 'poly', initialValue: 0.1, power: -2, maxIter: 100 }, (t) => (t >= 100 ? 0 : 0.1 * Math.pow(1 + t / 100, -2)));
    const s = resolveSchedule({ type: 'poly', initialValue: 0.1, power: -2, maxIter: 100 });
    expect(scheduleValue(s, at(50))).toBeCloseTo(0.1 / 2.25, 14);
    expect(scheduleValue(s, at(100))).toBe(0);
  });

  it('sigmoid: initialValue / (1 + exp(-gamma (t - stepSize)))', () => {
    expectFormula({ type: 'sigmoid', initialValue: 0.4, gamma: -0.1, stepSize: 10 }, (t) => 0.4 / (1 + Math.exp(0.1 * (t - 10))));
    expect(scheduleValue(resolveSchedule({ type: 'sigmoid', initialValue: 0.4, gamma: 2, stepSize: 7 }), at(7))).toBe(0.2);
  });

  it('map: the value of the largest key <= t, whatever the key order', () => {
    const values = { '20': 0.01, '0': 0.1, '7': 0.05 };
    expectFormula({ type: 'map', values }, (t) => (t >= 20 ? 0.01 : t >= 7 ? 0.05 : 0.1));
    const s = resolveSchedule({ type: 'map', values });
    expect([0, 6, 7, 8, 19, 20, 5000].map((t) => scheduleValue(s, at(t)))).toEqual([0.1, 0.1, 0.05, 0.05, 0.05, 0.01, 0.01]);
  });

  it('cosine: linear warm-up from warmupStart, cosine decay to minValue at maxIter, then minValue', () => {
    const formula = (t: number): number => {
      if (t < 10) return 0.001 + ((0.1 - 0.001) * t) / 10;
      if (t >= 100) return 0.002;
      return 0.002 + 0.5 * (0.1 - 0.002) * (1 + Math.cos((Math.PI * (t - 10)) / 90));
    };
    expectFormula({ type: 'cosine', initialValue: 0.1, maxIter: 100, warmup: 10, warmupStart: 0.001, minValue: 0.002 }, formula);
    const s = resolveSchedule({ type: 'cosine', initialValue: 0.1, maxIter: 100, warmup: 10 });
    // Defaults (warmupStart 0, minValue 0) give DL4J's CosineWarmupSchedule.
    expect(scheduleValue(s, at(0))).toBe(0);
    expect(scheduleValue(s, at(5))).toBeCloseTo(0.05, 14);
    expect(scheduleValue(s, at(10))).toBeCloseTo(0.1, 14);
    expect(scheduleValue(s, at(55))).toBeCloseTo(0.05, 14);
    expect(scheduleValue(s, at(100))).toBe(0);
    // No warm-up: starts at the peak.
    expect(scheduleValue(resolveSchedule({ type: 'cosine', initialValue: 0.1, maxIter: 4 }), at(0))).toBe(0.1);
    expect(scheduleValue(resolveSchedule({ type: 'cosine', initialValue: 0.1, maxIter: 4 }), at(2))).toBeCloseTo(0.05, 14);
  });

  it('a plain number is a constant', () => {
    expect(scheduleValue(0.25, at(1000, 3))).toBe(0.25);
    expect(resolveSchedule(0.25)).toBe(0.25);
  });
});

describe('resolveSchedule', () => {
  it("fills in defaults (scheduleType 'iteration', cosine options) and is idempotent", () => {
    const step = resolveSchedule({ type: 'step', initialValue: 0.1, decayRate: 0.5, step: 1000 });
    expect(step).toEqual({ type: 'step', initialValue: 0.1, decayRate: 0.5, step: 1000, scheduleType: 'iteration' });
    const cosine = resolveSchedule({ type: 'cosine', initialValue: 0.1, maxIter: 50, scheduleType: 'epoch' });
    expect(cosine).toEqual({ type: 'cosine', initialValue: 0.1, maxIter: 50, minValue: 0, warmup: 0, warmupStart: 0, scheduleType: 'epoch' });
    for (const s of [step, cosine]) expect(resolveSchedule(JSON.parse(JSON.stringify(s)))).toEqual(s);
  });

  it('rejects bad configs with a ConfigError saying what was received and what was expected', () => {
    const bad: [unknown, RegExp][] = [
      [Number.NaN, /lr must be a finite number or a schedule, received NaN/],
      ['0.1', /lr must be a number or a schedule config \{ type: 'fixed' \| 'step' .*, received string "0.1"/],
      [null, /received null/],
      [{ initialValue: 0.1 }, /lr: unknown schedule type undefined, expected one of fixed, step, exponential, inverse, poly, sigmoid, map, cosine/],
      [{ type: 'Step', initialValue: 0.1, decayRate: 0.5, step: 10 }, /unknown schedule type "Step"/],
      [{ type: 'step', initialValue: 0.1, decayRate: 0.5 }, /lr: step schedule needs step as a positive finite number, received undefined/],
      [{ type: 'step', initialValue: 0.1, decayRate: 0.5, step: 0 }, /step schedule needs step as a positive finite number, received 0/],
      [{ type: 'exponential', initialValue: '0.1', gamma: 0.9 }, /exponential schedule needs initialValue as a finite number, received string "0.1"/],
      [{ type: 'exponential', initialValue: 0.1, gamma: 0.9, gama: 0.9 }, /exponential schedule has unknown option "gama", expected only type, scheduleType, initialValue, gamma/],
      [{ type: 'inverse', initialValue: 0.1, gamma: -1, power: 1 }, /inverse schedule needs gamma as a finite number >= 0, received -1/],
      [{ type: 'poly', initialValue: 0.1, power: 1, maxIter: 2.5 }, /poly schedule needs maxIter as a positive integer, received 2.5/],
      [{ type: 'sigmoid', initialValue: 0.1, gamma: 1 }, /sigmoid schedule needs stepSize as a finite number, received undefined/],
      [{ type: 'map', values: { '5': 0.1 } }, /map schedule needs values to contain key "0" \(the initial value\), received keys 5/],
      [{ type: 'map', values: { '0': 0.1, '-3': 0.2 } }, /values key "-3" is not a step, expected an integer >= 0/],
      [{ type: 'map', values: { '0': 0.1, '4': 'x' } }, /values\["4"\] must be a finite number, received string "x"/],
      [{ type: 'map', values: [0.1] }, /map schedule needs values as an object \{ \[step\]: value \} with a key "0", received an array/],
      [{ type: 'cosine', initialValue: 0.1, maxIter: 10, warmup: 10 }, /cosine schedule needs warmup < maxIter, received warmup 10 and maxIter 10/],
      [{ type: 'cosine', initialValue: 0.1, maxIter: 10, warmup: -1 }, /cosine schedule needs warmup as an integer >= 0, received -1/],
      [{ type: 'fixed', value: 0.1, scheduleType: 'batch' }, /fixed schedule needs scheduleType 'iteration' or 'epoch', received string "batch"/],
    ];
    for (const [config, message] of bad) {
      expect(() => resolveSchedule(config, 'lr'), JSON.stringify(config)).toThrow(ConfigError);
      expect(() => resolveSchedule(config, 'lr'), JSON.stringify(config)).toThrow(message);
    }
  });

  it('scheduleValue rejects an unknown type it was handed without resolveSchedule', () => {
    expect(() => scheduleValue({ type: 'linear' } as never, at(0))).toThrow(ConfigError);
  });
});
