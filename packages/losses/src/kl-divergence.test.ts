import { describe, expect, it } from 'vitest';
import { ACT, MASK, Y_CLASS, Z, apply64, expectClose, gradientCheck, logSoftmax64, rowwise64, scores, valueAndGrad } from './test-support';
import type { Matrix } from './test-support';

const clip = (v: number): number => Math.min(Math.max(v, 1e-5), 1);
// DL4J: y and a clipped to [1e-5, 1], then sum y log(y / a).
const kl = (a: number, y: number): number => clip(y) * Math.log(clip(y) / clip(a));
// Fused with softmax: log a from the logits, y still clipped.
const klFused64 = (z: Matrix, y: Matrix, mask?: Matrix): number[] =>
  z.map((row, i) => logSoftmax64(row).reduce((s, la, j) => s + (mask?.[i]?.[j] ?? 1) * clip(y[i]![j]!) * (Math.log(clip(y[i]![j]!)) - la), 0));

describe('KL_DIVERGENCE and RECONSTRUCTION_CROSSENTROPY: sum_i y_i log(y_i / a_i)', () => {
  it('with softmax (fused), an unfused softmax and sigmoid', async () => {
    expectClose(await scores('kl-divergence', ACT.softmax.act, Z, Y_CLASS), klFused64(Z, Y_CLASS));
    expectClose(await scores('kl-divergence', ACT.softmaxUnfused.act, Z, Y_CLASS), rowwise64(apply64('softmaxUnfused', Z), Y_CLASS, kl));
    expectClose(await scores('KL_DIVERGENCE', ACT.sigmoid.act, Z, Y_CLASS), rowwise64(apply64('sigmoid', Z), Y_CLASS, kl));
  });

  it('RECONSTRUCTION_CROSSENTROPY is the same loss (current DL4J)', async () => {
    expect(Array.from(await scores('RECONSTRUCTION_CROSSENTROPY', ACT.softmax.act, Z, Y_CLASS))).toEqual(Array.from(await scores('kl-divergence', ACT.softmax.act, Z, Y_CLASS)));
    expect(Array.from(await scores('reconstruction-crossentropy', ACT.sigmoid.act, Z, Y_CLASS))).toEqual(Array.from(await scores('kl-divergence', ACT.sigmoid.act, Z, Y_CLASS)));
  });

  it('is 0 when the output equals the label distribution', async () => {
    const y = [[0.2, 0.5, 0.3]];
    const z = [y[0]!.map(Math.log)];
    expectClose(await scores('kl-divergence', ACT.softmax.act, z, y), [0]);
  });

  it('masks multiply the terms', async () => {
    expectClose(await scores('kl-divergence', ACT.softmax.act, Z, Y_CLASS, MASK), klFused64(Z, Y_CLASS, MASK));
    expectClose(await scores('kl-divergence', ACT.sigmoid.act, Z, Y_CLASS, MASK), rowwise64(apply64('sigmoid', Z), Y_CLASS, kl, { mask: MASK }));
  });

  it('stays finite at logits +-100, fused and clipped', async () => {
    for (const act of [ACT.softmax, ACT.softmaxUnfused]) {
      const { value, grad } = await valueAndGrad('kl-divergence', act.act, [[100, -100]], [[0, 1]]);
      expect(value.every(Number.isFinite) && grad.every(Number.isFinite), act.act.key).toBe(true);
    }
    // Fused: log a_1 = -200, y' = [1e-5, 1]: 1e-5 (log 1e-5 - 0) + (0 + 200).
    const fused = await valueAndGrad('kl-divergence', ACT.softmax.act, [[100, -100]], [[0, 1]]);
    expectClose(fused.value, [1e-5 * Math.log(1e-5) + 200], { atol: 1e-4, rtol: 1e-6 });
  });
});

describe('gradients w.r.t. preOutput pass checkGradients', () => {
  for (const name of ['kl-divergence', 'reconstruction-crossentropy']) {
    for (const act of ['softmax', 'softmaxUnfused', 'sigmoid'] as const) {
      it(`${name} with ${ACT[act].act.key}`, async () => {
        const result = await gradientCheck(name, ACT[act].act, Z, Y_CLASS);
        expect(result.checked).toBe(15);
        expect(result.failures).toEqual([]);
      });
    }
  }
});
