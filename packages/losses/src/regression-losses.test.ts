import { describe, expect, it } from 'vitest';
import { ACT, MASK, P, Y_BINARY, Y_COUNT, Y_REG, Z, Z_HALF, apply64, expectClose, gradientCheck, rowwise64, scores, valueAndGrad } from './test-support';
import type { ActName, Matrix } from './test-support';

type Reference = (a: Matrix, y: Matrix, options?: { mask?: Matrix; weights?: number[] }) => number[];

const sq = (a: number, y: number): number => (y - a) ** 2;
const ab = (a: number, y: number): number => Math.abs(y - a);
const REF: Record<string, Reference> = {
  mse: (a, y, o) => rowwise64(a, y, sq, { ...o, mean: true }),
  'squared-loss': (a, y, o) => rowwise64(a, y, sq, { ...o, mean: true }),
  l2: (a, y, o) => rowwise64(a, y, sq, o),
  l1: (a, y, o) => rowwise64(a, y, ab, o),
  'mean-absolute-error': (a, y, o) => rowwise64(a, y, ab, { ...o, mean: true }),
  'mean-absolute-percentage-error': (a, y, o) => rowwise64(a, y, (ai, yi) => 100 * Math.abs((yi - ai) / yi), { ...o, mean: true }),
  'mean-squared-logarithmic-error': (a, y, o) => rowwise64(a, y, (ai, yi) => (Math.log(ai + 1) - Math.log(yi + 1)) ** 2, { ...o, mean: true }),
  'rmse-xent': (a, y, o) => rowwise64(a, y, sq, { ...o, mean: true }).map(Math.sqrt),
  poisson: (a, y, o) => rowwise64(a, y, (ai, yi) => ai - yi * Math.log(ai), o),
  expll: (a, y, o) => rowwise64(a, y, (ai, yi) => ai - yi * Math.log(ai), o),
};
const WEIGHTED = ['mse', 'squared-loss', 'l2', 'l1', 'mean-absolute-error', 'mean-absolute-percentage-error', 'mean-squared-logarithmic-error'];

/** [loss, activation, logits, labels]: the activations each loss is tried with. */
const REGRESSION_CASES: [string, ActName, Matrix, Matrix][] = [
  ...['mse', 'squared-loss', 'l2', 'l1', 'mean-absolute-error', 'rmse-xent'].flatMap((name): [string, ActName, Matrix, Matrix][] => [
    [name, 'identity', Z, Y_REG],
    [name, 'sigmoid', Z, Y_BINARY],
    [name, 'tanh', Z_HALF, Y_REG],
  ]),
  ['mean-absolute-percentage-error', 'identity', Z, Y_REG],
  ['mean-absolute-percentage-error', 'sigmoid', Z, Y_REG],
  ['mean-squared-logarithmic-error', 'sigmoid', Z, Y_BINARY],
  ['mean-squared-logarithmic-error', 'softplus', Z, Y_COUNT],
  ['mean-squared-logarithmic-error', 'identity', P, P.map((r) => r.map((v) => 1 - v))],
  ...['poisson', 'expll'].flatMap((name): [string, ActName, Matrix, Matrix][] => [
    [name, 'softplus', Z, Y_COUNT],
    [name, 'exp', Z, Y_COUNT],
    [name, 'sigmoid', Z, Y_BINARY],
  ]),
];

describe('regression losses equal their formula (float64 reference)', () => {
  for (const [name, act, z, y] of REGRESSION_CASES) {
    it(`${name} with ${ACT[act].act.key}`, async () => {
      expectClose(await scores(name, ACT[act].act, z, y), REF[name]!(apply64(act, z), y));
    });
  }

  it('DL4J relations: MSE = L2 / n, MAE = L1 / n, SQUARED_LOSS = MSE, EXPLL = POISSON', async () => {
    const a = ACT.identity.act;
    const l2 = await scores('L2', a, Z, Y_REG);
    const l1 = await scores('L1', a, Z, Y_REG);
    expectClose(await scores('MSE', a, Z, Y_REG), Array.from(l2, (v) => v / 3));
    expectClose(await scores('MEAN_ABSOLUTE_ERROR', a, Z, Y_REG), Array.from(l1, (v) => v / 3));
    expect(Array.from(await scores('SQUARED_LOSS', a, Z, Y_REG))).toEqual(Array.from(await scores('MSE', a, Z, Y_REG)));
    expect(Array.from(await scores('EXPLL', ACT.softplus.act, Z, Y_COUNT))).toEqual(Array.from(await scores('POISSON', ACT.softplus.act, Z, Y_COUNT)));
  });

  it('masks multiply the terms; the mean stays over all n outputs (DL4J)', async () => {
    for (const [name, act, z, y] of REGRESSION_CASES) {
      expectClose(await scores(name, ACT[act].act, z, y, MASK.slice(0, z.length)), REF[name]!(apply64(act, z), y, { mask: MASK.slice(0, z.length) }));
    }
  });

  it('per-output weights multiply the terms', async () => {
    const weights = [0.5, 2, 1.5];
    for (const name of WEIGHTED) {
      const [, act, z, y] = REGRESSION_CASES.find(([n]) => n === name)!;
      expectClose(await scores({ type: name, weights }, ACT[act].act, z, y), REF[name]!(apply64(act, z), y, { weights }));
    }
  });
});

describe('gradients w.r.t. preOutput pass checkGradients', () => {
  for (const [name, act, z, y] of REGRESSION_CASES) {
    it(`${name} with ${ACT[act].act.key}`, async () => {
      const result = await gradientCheck(name, ACT[act].act, z, y);
      expect(result.checked).toBe(z.length * 3);
      expect(result.failures).toEqual([]);
    });
  }

  it('with weights', async () => {
    for (const name of WEIGHTED) {
      const [, act, z, y] = REGRESSION_CASES.find(([n]) => n === name)!;
      expect((await gradientCheck({ type: name, weights: [0.5, 2, 1.5] }, ACT[act].act, z, y)).failures, name).toEqual([]);
    }
  });
});

describe('guards where DL4J has none', () => {
  it('rmse-xent at a perfect prediction scores 0 with gradient 0, not NaN', async () => {
    const { value, grad } = await valueAndGrad('rmse-xent', ACT.identity.act, [[0.5, -1], [1, 2]], [[0.5, -1], [0, 2]]);
    expectClose(value, [0, Math.sqrt(1 / 2)]);
    // d/da sqrt(mean (a - y)^2) = (a - y) / (n rmse): [1 / (2 sqrt(1/2)), 0] on the second row.
    expectClose(grad, [0, 0, 1 / (2 * Math.sqrt(0.5)), 0]);
  });

  it('poisson with an output of exactly 0 stays finite (log a floored at log 1e-10)', async () => {
    const { value, grad } = await valueAndGrad('poisson', ACT.identity.act, [[0, 2]], [[1, 0]]);
    expectClose(value, [-Math.log(1e-10) + 2], { atol: 1e-4, rtol: 1e-6 });
    expect(grad.every(Number.isFinite)).toBe(true);
  });

  it('msle with a saturated tanh (a = -1) and mape with a zero label stay finite', async () => {
    const msle = await valueAndGrad('mean-squared-logarithmic-error', ACT.tanh.act, [[-30, 0.5]], [[0, 0.5]]);
    expect(msle.value.every(Number.isFinite) && msle.grad.every(Number.isFinite)).toBe(true);
    const mape = await valueAndGrad('mean-absolute-percentage-error', ACT.identity.act, [[0.5, 1]], [[0, 2]]);
    expect(mape.value.every(Number.isFinite) && mape.grad.every(Number.isFinite)).toBe(true);
  });
});
