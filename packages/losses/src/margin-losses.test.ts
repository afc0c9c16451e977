import { describe, expect, it } from 'vitest';
import { ACT, MASK, Y_PM, Z, Z_HALF, apply64, expectClose, gradientCheck, rowwise64, scores, valueAndGrad } from './test-support';
import type { Matrix } from './test-support';

const hinge = (a: number, y: number): number => Math.max(0, 1 - y * a);
const REF: Record<string, (a: number, y: number) => number> = {
  hinge,
  'squared-hinge': (a, y) => hinge(a, y) ** 2,
};
const CASES: [string, 'identity' | 'tanh', Matrix][] = [
  ['hinge', 'identity', Z],
  ['hinge', 'tanh', Z_HALF],
  ['squared-hinge', 'identity', Z],
  ['squared-hinge', 'tanh', Z_HALF],
];

describe('HINGE and SQUARED_HINGE: sum_i max(0, 1 - y_i a_i) (squared), labels in {-1, 1}', () => {
  for (const [name, act, z] of CASES) {
    it(`${name} with ${ACT[act].act.key} equals the formula, with and without a mask`, async () => {
      expectClose(await scores(name, ACT[act].act, z, Y_PM), rowwise64(apply64(act, z), Y_PM, REF[name]!));
      expectClose(await scores(name, ACT[act].act, z, Y_PM, MASK), rowwise64(apply64(act, z), Y_PM, REF[name]!, { mask: MASK }));
    });

    it(`${name} with ${ACT[act].act.key} passes checkGradients`, async () => {
      const result = await gradientCheck(name, ACT[act].act, z, Y_PM);
      expect(result.checked).toBe(15);
      expect(result.failures).toEqual([]);
    });
  }

  it('DL4J spellings resolve; outputs beyond the margin cost nothing and get no gradient', async () => {
    // y a = 2 and 1.5: both past the margin.
    const h = await valueAndGrad('HINGE', ACT.identity.act, [[2, -1.5]], [[1, -1]]);
    expect(h.value).toEqual([0]);
    expect(h.grad.map(Math.abs)).toEqual([0, 0]);
    // y a = 0.25: hinge 0.75, gradient -y; squared 0.5625, gradient -2 y (1 - y a).
    const s = await valueAndGrad('SQUARED_HINGE', ACT.identity.act, [[0.25]], [[1]]);
    expectClose(s.value, [0.5625]);
    expectClose(s.grad, [-1.5]);
  });
});
