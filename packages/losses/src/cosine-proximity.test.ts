import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ACT, MASK, Y_REG, Z, Z_HALF, apply64, expectClose, gradientCheck, loss, scores, valueAndGrad } from './test-support';
import type { Matrix } from './test-support';

/** -(y . a) / (max(|y|, 1e-5) max(|a|, 1e-5)) over the outputs the mask keeps. */
function cosine64(a: Matrix, y: Matrix, mask?: Matrix): number[] {
  return a.map((row, i) => {
    const m = (j: number): number => mask?.[i]?.[j] ?? 1;
    const dot = row.reduce((s, aj, j) => s + m(j) * aj * y[i]![j]!, 0);
    const na = Math.max(Math.sqrt(row.reduce((s, aj, j) => s + m(j) * aj * aj, 0)), 1e-5);
    const ny = Math.max(Math.sqrt(y[i]!.reduce((s, yj, j) => s + m(j) * yj * yj, 0)), 1e-5);
    return -dot / (na * ny);
  });
}
const CASES = [
  ['identity', Z],
  ['sigmoid', Z],
  ['tanh', Z_HALF],
] as const;

describe('COSINE_PROXIMITY: -(y . a) / (|y| |a|)', () => {
  for (const [act, z] of CASES) {
    it(`with ${ACT[act].act.key} equals the formula and passes checkGradients`, async () => {
      expectClose(await scores('COSINE_PROXIMITY', ACT[act].act, z, Y_REG), cosine64(apply64(act, z), Y_REG));
      const result = await gradientCheck('cosine-proximity', ACT[act].act, z, Y_REG);
      expect(result.checked).toBe(15);
      expect(result.failures).toEqual([]);
    });
  }

  it('is -1 for parallel vectors and 1 for opposite ones, whatever their lengths', async () => {
    expectClose(await scores('cosine-proximity', ACT.identity.act, [[2, 4, -6], [-0.5, 0, 1]], [[1, 2, -3], [5, 0, -10]]), [-1, 1]);
  });

  it('an all-zero output or label row scores 0 with finite gradients (norms floored at 1e-5)', async () => {
    const { value, grad } = await valueAndGrad('cosine-proximity', ACT.identity.act, [[0, 0, 0], [1, 2, 3]], [[1, 2, 3], [0, 0, 0]]);
    expect(value.map(Math.abs)).toEqual([0, 0]);
    expect(grad.every(Number.isFinite)).toBe(true);
  });

  it('a mask removes outputs from the dot product and both norms', async () => {
    expectClose(await scores('cosine-proximity', ACT.identity.act, Z, Y_REG, MASK), cosine64(Z, Y_REG, MASK));
    // Row 0 keeps outputs 0 and 2: the cosine of [0.5, 2.0] and [0.3, 1.9] only.
    const kept = -(0.5 * 0.3 + 2 * 1.9) / (Math.hypot(0.5, 2) * Math.hypot(0.3, 1.9));
    expectClose((await scores('cosine-proximity', ACT.identity.act, Z, Y_REG, MASK)).slice(0, 1), [kept]);
  });

  it('masked outputs do not move the score and get zero gradient; an all-masked row scores 0', async () => {
    const altered = Z.map((row, i) => row.map((v, j) => (MASK[i]![j] === 0 ? v + 7 : v)));
    expect(Array.from(await scores('cosine-proximity', ACT.identity.act, altered, Y_REG, MASK))).toEqual(Array.from(await scores('cosine-proximity', ACT.identity.act, Z, Y_REG, MASK)));
    const { value, grad } = await valueAndGrad('cosine-proximity', ACT.identity.act, Z, Y_REG, MASK);
    expect(Math.abs(value[3]!)).toBe(0);
    MASK.flat().forEach((m, k) => {
      if (m === 0) expect(Math.abs(grad[k]!), `entry ${k}`).toBe(0);
    });
  });

  it('a per-example [batch, 1] mask broadcasts', async () => {
    const labels = tf.tensor2d(Y_REG);
    const preOutput = tf.tensor2d(Z);
    const mask = tf.tensor2d([[1], [0], [1], [1], [0]]);
    const out = tf.tidy(() => loss('cosine-proximity').scoreArray({ labels, preOutput, activation: ACT.identity.act, mask }));
    const full = cosine64(Z, Y_REG);
    expectClose(await out.data(), full.map((v, i) => (i === 1 || i === 4 ? 0 : v)));
    tf.dispose([labels, preOutput, mask, out]);
  });
});
