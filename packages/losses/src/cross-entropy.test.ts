import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '@dl4ts/core';
import { describe, expect, it } from 'vitest';
import { ACT, MASK, P, Y_BINARY, Y_CLASS, Y_P, Y_SPARSE, Z, apply64, expectClose, gradientCheck, logSoftmax64, loss, ones, rowwise64, scores, sigmoid64, valueAndGrad } from './test-support';
import type { Matrix } from './test-support';

// Float64 references, straight from the definitions.
function mcxentLogP64(logP: Matrix, y: Matrix, mask = ones(logP), weights?: number[]): number[] {
  return logP.map((row, i) => -row.reduce((s, lp, j) => s + (weights?.[j] ?? 1) * mask[i]![j]! * y[i]![j]! * lp, 0));
}
const mcxent64 = (z: Matrix, y: Matrix, mask?: Matrix, weights?: number[]): number[] => mcxentLogP64(z.map(logSoftmax64), y, mask, weights);
const bce = (p: number, y: number): number => -(y * Math.log(p) + (1 - y) * Math.log(1 - p));
const xent64 = (z: Matrix, y: Matrix, mask?: Matrix, weights?: number[]): number[] => rowwise64(apply64('sigmoid', z), y, bce, { ...(mask ? { mask } : {}), ...(weights ? { weights } : {}) });
const oneHot = (indices: readonly number[], n: number): Matrix => indices.map((c) => Array.from({ length: n }, (_, j) => (j === c ? 1 : 0)));

describe('MCXENT and NEGATIVELOGLIKELIHOOD equal the formula -sum_i y_i log p_i', () => {
  it('mcxent with softmax (fused log-softmax)', async () => {
    expectClose(await scores('mcxent', ACT.softmax.act, Z, Y_CLASS), mcxent64(Z, Y_CLASS));
  });

  it('mcxent with an unfused softmax gives the same value at moderate logits', async () => {
    expectClose(await scores('mcxent', ACT.softmaxUnfused.act, Z, Y_CLASS), mcxent64(Z, Y_CLASS));
  });

  it('mcxent with identity on probabilities', async () => {
    expectClose(await scores('mcxent', ACT.identity.act, P, Y_P), mcxentLogP64(P.map((r) => r.map(Math.log)), Y_P));
  });

  it('negativeloglikelihood equals mcxent, fused and unfused', async () => {
    for (const [act, z, y] of [
      [ACT.softmax, Z, Y_CLASS],
      [ACT.softmaxUnfused, Z, Y_CLASS],
      [ACT.identity, P, Y_P],
    ] as const) {
      expect(Array.from(await scores('negativeloglikelihood', act.act, z, y))).toEqual(Array.from(await scores('mcxent', act.act, z, y)));
    }
  });

  it('per-output weights multiply each term: -sum_i w_i y_i log p_i', async () => {
    const weights = [0.5, 2, 1.25];
    expectClose(await scores({ type: 'mcxent', weights }, ACT.softmax.act, Z, Y_CLASS), mcxent64(Z, Y_CLASS, undefined, weights));
    expectClose(await scores({ type: 'MCXENT', weights }, ACT.softmaxUnfused.act, Z, Y_CLASS), mcxent64(Z, Y_CLASS, undefined, weights));
    expectClose(await scores({ type: 'negativeloglikelihood', weights }, ACT.softmax.act, Z, Y_CLASS), mcxent64(Z, Y_CLASS, undefined, weights));
  });

  it('weights of all ones change nothing', async () => {
    expect(Array.from(await scores({ type: 'mcxent', weights: [1, 1, 1] }, ACT.softmax.act, Z, Y_CLASS))).toEqual(Array.from(await scores('mcxent', ACT.softmax.act, Z, Y_CLASS)));
  });
});

describe('XENT equals -sum_i [y_i log p_i + (1 - y_i) log(1 - p_i)]', () => {
  it('with sigmoid (fused softplus form)', async () => {
    expectClose(await scores('xent', ACT.sigmoid.act, Z, Y_BINARY), xent64(Z, Y_BINARY));
  });

  it('with an unfused sigmoid at moderate logits', async () => {
    expectClose(await scores('xent', ACT.sigmoidUnfused.act, Z, Y_BINARY), xent64(Z, Y_BINARY));
  });

  it('with identity on probabilities', async () => {
    expectClose(await scores('xent', ACT.identity.act, P, Y_P), rowwise64(P, Y_P, bce));
  });

  it('per-output weights, fused and unfused', async () => {
    const weights = [3, 0.2, 1];
    expectClose(await scores({ type: 'xent', weights }, ACT.sigmoid.act, Z, Y_BINARY), xent64(Z, Y_BINARY, undefined, weights));
    expectClose(await scores({ type: 'XENT', weights }, ACT.sigmoidUnfused.act, Z, Y_BINARY), xent64(Z, Y_BINARY, undefined, weights));
  });

  it('a perfect prediction scores the label entropy; unfused p is clipped to [1e-5, 1 - 1e-5] (DL4J)', async () => {
    const [hard, soft] = await scores('xent', ACT.identity.act, [[1e-12, 1 - 1e-7], [0.5, 0.5]], [[0, 1], [0.5, 0.5]]);
    expect(hard).toBeCloseTo(-2 * Math.log1p(-1e-5), 6);
    expect(soft).toBeCloseTo(2 * Math.LN2, 5);
  });
});

describe('SPARSE_MCXENT: class-index labels', () => {
  it('equals mcxent on the one-hot labels, for [batch, 1] and [batch] labels', async () => {
    const expected = mcxent64(Z, oneHot(Y_SPARSE, 3));
    expectClose(await scores('sparse-mcxent', ACT.softmax.act, Z, Y_SPARSE.map((c) => [c])), expected);
    expectClose(await scores('SPARSE_MCXENT', ACT.softmax.act, Z, Y_SPARSE), expected);
    expectClose(await scores('sparse-mcxent', ACT.softmaxUnfused.act, Z, Y_SPARSE), expected);
  });

  it('weights scale the labelled class: -w_c log p_c', async () => {
    const weights = [2, 0.5, 3];
    const expected = Z.map((row, i) => -weights[Y_SPARSE[i]!]! * logSoftmax64(row)[Y_SPARSE[i]!]!);
    expectClose(await scores({ type: 'sparse-mcxent', weights }, ACT.softmax.act, Z, Y_SPARSE), expected);
  });

  it('a mask on the labelled class removes the example', async () => {
    expectClose(await scores('sparse-mcxent', ACT.softmax.act, Z, Y_SPARSE, MASK), mcxent64(Z, oneHot(Y_SPARSE, 3), MASK));
  });

  it('declares one label column and checks label values through checkLabels', async () => {
    const sparse = loss('sparse-mcxent');
    expect(sparse.labelWidth?.(10)).toBe(1);
    const labels = tf.tensor2d([[0], [3]]);
    await expect(sparse.checkLabels?.(labels, 3)).rejects.toThrow(/row 1 is 3, expected an integer class index in \[0, 2\]/);
    labels.dispose();
    expect(loss('mcxent').labelWidth).toBeUndefined();
  });

  it('rejects labels of another shape with a ShapeError', () => {
    const labels = tf.tensor2d([[0, 1]]);
    const preOutput = tf.tensor2d([[0.1, 0.2]]);
    expect(() => loss('sparse-mcxent').scoreArray({ labels, preOutput, activation: ACT.softmax.act })).toThrow(ShapeError);
    expect(() => loss('sparse-mcxent').scoreArray({ labels, preOutput, activation: ACT.softmax.act })).toThrow(/labels have shape \[1, 2\], expected class indices \[1, 1\] or \[1\]/);
    tf.dispose([labels, preOutput]);
  });
});

describe('fused forms are stable at extreme logits', () => {
  it('mcxent + softmax at logits [100, -100], label [0, 1]: loss 200, gradient softmax(z) - y = [1, -1]', async () => {
    const { value, grad } = await valueAndGrad('mcxent', ACT.softmax.act, [[100, -100]], [[0, 1]]);
    expect(value).toEqual([200]);
    expectClose(grad, [1, -1]);
  });

  it('mcxent, negativeloglikelihood and sparse-mcxent + softmax at [100, -100, 0]: 0, 200, 100', async () => {
    const z = [
      [100, -100, 0],
      [100, -100, 0],
      [100, -100, 0],
    ];
    const y = oneHot([0, 1, 2], 3);
    const mc = await valueAndGrad('mcxent', ACT.softmax.act, z, y);
    expectClose(mc.value, [0, 200, 100]);
    // d/dz = softmax(z) - y, softmax([100, -100, 0]) = [1, ~0, ~0] in float32.
    expectClose(mc.grad, [0, 0, 0, 1, -1, 0, 1, 0, -1]);
    expect(await valueAndGrad('negativeloglikelihood', ACT.softmax.act, z, y)).toEqual(mc);
    const sparse = await valueAndGrad('sparse-mcxent', ACT.softmax.act, z, [[0], [1], [2]]);
    expectClose(sparse.value, mc.value);
    expectClose(sparse.grad, mc.grad);
  });

  it('mcxent + softmax at logits +-1000 stays finite and exact', async () => {
    const { value, grad } = await valueAndGrad('mcxent', ACT.softmax.act, [[1000, -1000], [-1000, 1000]], [[0, 1], [0, 1]]);
    expectClose(value, [2000, 0]);
    expectClose(grad, [1, -1, 0, 0]);
  });

  it('xent + sigmoid at logits +-100: max(z,0) - z y + log(1 + e^-|z|), gradient s(z) - y', async () => {
    const { value, grad } = await valueAndGrad('xent', ACT.sigmoid.act, [[100, -100], [100, -100]], [[0, 1], [1, 0]]);
    expectClose(value, [200, 2 * Math.log1p(Math.exp(-100))]);
    expect(value[1]).toBeGreaterThanOrEqual(0);
    expectClose(grad, [1, -1, 0, 0]);
  });

  it('weighted fused forms at +-100 stay finite: gradients w_i (p_i - y_i)', async () => {
    const mc = await valueAndGrad({ type: 'mcxent', weights: [2, 3] }, ACT.softmax.act, [[100, -100]], [[0, 1]]);
    expectClose(mc.value, [600]);
    // d/dz of -3 log softmax(z)_1 = 3 (softmax(z) - e_1) = [3, -3].
    expectClose(mc.grad, [3, -3]);
    const bx = await valueAndGrad({ type: 'xent', weights: [2, 3] }, ACT.sigmoid.act, [[100, -100]], [[0, 1]]);
    expectClose(bx.value, [500]);
    expectClose(bx.grad, [2, -3]);
  });

  it('mcxent with an unfused softmax stays finite at extreme logits through clipping at 1e-10', async () => {
    const mc = await valueAndGrad('mcxent', ACT.softmaxUnfused.act, [[100, -100]], [[0, 1]]);
    expect(mc.grad.every(Number.isFinite)).toBe(true);
    expect(mc.value[0]).toBeCloseTo(-Math.log(1e-10), 3);
  });

  // Regression: unfused xent once clipped with 1e-10, and 1 - 1e-10 rounds to 1 in float32, so
  // log(1 - p) was -Infinity for a saturated output. It now clips with DL4J's 1e-5.
  it('xent with an unfused sigmoid stays finite at saturated outputs through clipping', async () => {
    const right = await valueAndGrad('xent', ACT.sigmoidUnfused.act, [[20, -20]], [[1, 0]]);
    expect(right.value.every(Number.isFinite) && right.grad.every(Number.isFinite)).toBe(true);
    expect(right.value[0]).toBeLessThan(1e-4);
    const wrong = await valueAndGrad('xent', ACT.sigmoidUnfused.act, [[100, -100]], [[0, 1]]);
    expect(wrong.value.every(Number.isFinite) && wrong.grad.every(Number.isFinite)).toBe(true);
    expect(wrong.value[0]).toBeGreaterThan(10);
  });
});

describe('masks and closed-form gradients', () => {
  it('masks zero out entries: mcxent, negativeloglikelihood, xent', async () => {
    expectClose(await scores('mcxent', ACT.softmax.act, Z, Y_CLASS, MASK), mcxent64(Z, Y_CLASS, MASK));
    expectClose(await scores('negativeloglikelihood', ACT.softmax.act, Z, Y_CLASS, MASK), mcxent64(Z, Y_CLASS, MASK));
    expectClose(await scores('xent', ACT.sigmoid.act, Z, Y_BINARY, MASK), xent64(Z, Y_BINARY, MASK));
    expectClose(await scores({ type: 'xent', weights: [2, 1, 0.5] }, ACT.sigmoid.act, Z, Y_BINARY, MASK), xent64(Z, Y_BINARY, MASK, [2, 1, 0.5]));
  });

  it('softmax + mcxent -> p - y and sigmoid + xent -> s(z) - y', async () => {
    const mc = await valueAndGrad('mcxent', ACT.softmax.act, Z, Y_CLASS);
    // Y_CLASS rows sum to 1, so d/dz_j of -sum y log softmax = p_j - y_j.
    expectClose(mc.grad, Z.flatMap((row, i) => logSoftmax64(row).map((lp, j) => Math.exp(lp) - Y_CLASS[i]![j]!)));
    const bx = await valueAndGrad('xent', ACT.sigmoid.act, Z, Y_BINARY);
    expectClose(bx.grad, Z.flatMap((row, i) => row.map((v, j) => sigmoid64(v) - Y_BINARY[i]![j]!)));
  });
});

describe('gradients w.r.t. preOutput pass checkGradients', () => {
  const cases: [unknown, keyof typeof ACT, Matrix, Matrix | number[]][] = [
    ['mcxent', 'softmax', Z, Y_CLASS],
    ['mcxent', 'softmaxUnfused', Z, Y_CLASS],
    ['mcxent', 'identity', P, Y_P],
    [{ type: 'mcxent', weights: [0.5, 2, 1.25] }, 'softmax', Z, Y_CLASS],
    ['negativeloglikelihood', 'softmax', Z, Y_CLASS],
    ['negativeloglikelihood', 'softmaxUnfused', Z, Y_CLASS],
    ['sparse-mcxent', 'softmax', Z, Y_SPARSE.map((c) => [c])],
    ['sparse-mcxent', 'softmaxUnfused', Z, Y_SPARSE],
    [{ type: 'sparse-mcxent', weights: [2, 0.5, 3] }, 'softmax', Z, Y_SPARSE],
    ['xent', 'sigmoid', Z, Y_BINARY],
    ['xent', 'sigmoidUnfused', Z, Y_BINARY],
    ['xent', 'identity', P, Y_P],
    [{ type: 'xent', weights: [3, 0.2, 1] }, 'sigmoid', Z, Y_BINARY],
  ];
  for (const [ref, act, z, y] of cases) {
    it(`${JSON.stringify(ref)} with ${ACT[act].act.key}`, async () => {
      // On raw probabilities keep the central-difference step inside (0, 1).
      const result = await gradientCheck(ref, ACT[act].act, z, y, act === 'identity' ? 1e-3 : 1e-2);
      expect(result.checked).toBe(z.length * 3);
      expect(result.failures).toEqual([]);
    });
  }
});
