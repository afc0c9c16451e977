import * as tf from '@tensorflow/tfjs-core';
import { Registry } from '@dl4ts/core';
import type { Activation, Loss } from '@dl4ts/core';
import { checkGradients, compareArrays, leakedTensors } from '@dl4ts/core/testing';
import { describe, expect, it } from 'vitest';
import { registerLosses } from './register-losses';

// @dl4ts/layers is not a dependency of this package, so the activations are written here against
// core's Activation contract. The keys are the real ones: the fused forms check them.
function activation(key: string, f: (x: tf.Tensor) => tf.Tensor): Activation {
  return { key, config: { type: key }, apply: (x) => f(x) };
}
const softmax = activation('layers/softmax', (x) => tf.softmax(x));
const sigmoid = activation('layers/sigmoid', (x) => tf.sigmoid(x));
const identity = activation('layers/identity', (x) => x);
// The same functions under other keys: they take the unfused (clipped-probability) paths.
const softmaxUnfused = activation('test/softmax', (x) => tf.softmax(x));
const sigmoidUnfused = activation('test/sigmoid', (x) => tf.sigmoid(x));

const registry = registerLosses(new Registry());
const loss = (name: string): Loss => registry.create<Loss>('loss', name);

/** Runs scoreArray on host arrays and reads the per-example scores. */
async function scores(name: string, act: Activation, z: number[][], y: number[][], mask?: number[][]): Promise<Float32Array> {
  const labels = tf.tensor2d(y);
  const preOutput = tf.tensor2d(z);
  const m = mask === undefined ? undefined : tf.tensor2d(mask);
  const out = tf.tidy(() => loss(name).scoreArray({ labels, preOutput, activation: act, ...(m === undefined ? {} : { mask: m }) }));
  expect(out.shape).toEqual([z.length]);
  const values = (await out.data()) as Float32Array;
  tf.dispose([labels, preOutput, out, ...(m === undefined ? [] : [m])]);
  return values;
}

// Float64 references, straight from the definitions.
const sigmoid64 = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
function logSoftmax64(row: readonly number[]): number[] {
  const max = Math.max(...row);
  const lse = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
  return row.map((v) => v - lse);
}
const ones = (z: number[][]): number[][] => z.map((row) => row.map(() => 1));
function mcxent64(z: number[][], y: number[][], mask = ones(z)): number[] {
  return z.map((row, i) => -logSoftmax64(row).reduce((s, lp, j) => s + mask[i]![j]! * y[i]![j]! * lp, 0));
}
function xentProb64(p: number[][], y: number[][], mask = ones(p)): number[] {
  return p.map((row, i) => -row.reduce((s, pj, j) => s + mask[i]![j]! * (y[i]![j]! * Math.log(pj) + (1 - y[i]![j]!) * Math.log(1 - pj)), 0));
}
const xent64 = (z: number[][], y: number[][], mask?: number[][]): number[] => xentProb64(z.map((r) => r.map(sigmoid64)), y, mask);
function mse64(a: number[][], y: number[][], mask = ones(a)): number[] {
  return a.map((row, i) => row.reduce((s, aj, j) => s + mask[i]![j]! * (y[i]![j]! - aj) ** 2, 0) / row.length);
}

const Z = [
  [0.5, -1.2, 2.0],
  [-0.3, 0.8, 0.1],
  [3.0, -2.0, 0.4],
  [1.0, 1.0, 1.0],
  [-4.0, 0.0, 2.5],
];
// One-hot rows and one soft-label row (cross-entropy is defined for any distribution).
const Y_CLASS = [
  [0, 0, 1],
  [1, 0, 0],
  [0, 1, 0],
  [0, 1, 0],
  [0.2, 0.5, 0.3],
];
// Independent binary targets for xent, including soft targets.
const Y_BINARY = [
  [1, 0, 1],
  [0, 0, 1],
  [1, 1, 0],
  [0.5, 0, 1],
  [0.25, 1, 0.75],
];
// Probabilities, for losses fed through the identity activation.
const P = [
  [0.1, 0.7, 0.95],
  [0.5, 0.02, 0.6],
  [0.33, 0.8, 0.25],
];
const Y_P = [
  [0, 1, 1],
  [1, 0, 0],
  [0.5, 1, 0],
];

const TOL = { atol: 1e-6, rtol: 1e-5 };

function expectClose(actual: ArrayLike<number>, expected: number[], tol = TOL): void {
  const cmp = compareArrays(actual, expected, tol);
  expect(cmp.ok, `index ${cmp.worstIndex}: ${actual[cmp.worstIndex]} vs ${expected[cmp.worstIndex]}`).toBe(true);
}

describe('scoreArray equals the formula (float64 reference)', () => {
  it('mcxent with softmax: -sum_i y_i log softmax(z)_i', async () => {
    expectClose(await scores('mcxent', softmax, Z, Y_CLASS), mcxent64(Z, Y_CLASS));
  });

  it('mcxent with an unfused softmax gives the same value at moderate logits', async () => {
    expectClose(await scores('mcxent', softmaxUnfused, Z, Y_CLASS), mcxent64(Z, Y_CLASS));
  });

  it('mcxent with identity on probabilities: -sum_i y_i log p_i', async () => {
    const expected = P.map((row, i) => -row.reduce((s, p, j) => s + Y_P[i]![j]! * Math.log(p), 0));
    expectClose(await scores('mcxent', identity, P, Y_P), expected);
  });

  it('negativeloglikelihood equals mcxent, fused and unfused', async () => {
    expect(Array.from(await scores('negativeloglikelihood', softmax, Z, Y_CLASS))).toEqual(Array.from(await scores('mcxent', softmax, Z, Y_CLASS)));
    expect(Array.from(await scores('negativeloglikelihood', softmaxUnfused, Z, Y_CLASS))).toEqual(Array.from(await scores('mcxent', softmaxUnfused, Z, Y_CLASS)));
    expect(Array.from(await scores('negativeloglikelihood', identity, P, Y_P))).toEqual(Array.from(await scores('mcxent', identity, P, Y_P)));
  });

  it('xent with sigmoid: -sum_i [y_i log s(z_i) + (1 - y_i) log(1 - s(z_i))]', async () => {
    expectClose(await scores('xent', sigmoid, Z, Y_BINARY), xent64(Z, Y_BINARY));
  });

  it('xent with an unfused sigmoid gives the same value at moderate logits', async () => {
    expectClose(await scores('xent', sigmoidUnfused, Z, Y_BINARY), xent64(Z, Y_BINARY));
  });

  it('xent with identity on probabilities', async () => {
    expectClose(await scores('xent', identity, P, Y_P), xentProb64(P, Y_P));
  });

  it('mse with identity: mean over outputs of (y - z)^2', async () => {
    expectClose(await scores('mse', identity, Z, Y_BINARY), mse64(Z, Y_BINARY));
  });

  it('mse with sigmoid: mean over outputs of (y - s(z))^2', async () => {
    expectClose(await scores('mse', sigmoid, Z, Y_BINARY), mse64(Z.map((r) => r.map(sigmoid64)), Y_BINARY));
  });

  it('a perfect prediction scores 0 for mse and the label entropy for cross-entropy', async () => {
    expect(Array.from(await scores('mse', identity, Y_BINARY, Y_BINARY))).toEqual([0, 0, 0, 0, 0]);
    // xent of p = y equals the binary entropy of y (0 for hard labels); ln 2 per 0.5 entry.
    const [hard, soft] = await scores('xent', identity, [[1e-12, 1 - 1e-7], [0.5, 0.5]], [[0, 1], [0.5, 0.5]]);
    // Without the fused form p is clipped to [1e-5, 1 - 1e-5] (DL4J): each hard entry costs -ln(1 - 1e-5).
    expect(hard).toBeCloseTo(-2 * Math.log1p(-1e-5), 6);
    expect(soft).toBeCloseTo(2 * Math.LN2, 5);
  });
});

describe('fused forms are stable at extreme logits', () => {
  /** Score and gradient w.r.t. preOutput of the summed per-example scores. */
  async function valueAndGrad(name: string, act: Activation, z: number[][], y: number[][]): Promise<{ value: number[]; grad: number[] }> {
    const labels = tf.tensor2d(y);
    const preOutput = tf.tensor2d(z);
    const value = tf.tidy(() => loss(name).scoreArray({ labels, preOutput, activation: act }));
    const grad = tf.grad((p: tf.Tensor) => tf.sum(loss(name).scoreArray({ labels, preOutput: p, activation: act })))(preOutput);
    const result = { value: Array.from((await value.data()) as Float32Array), grad: Array.from((await grad.data()) as Float32Array) };
    tf.dispose([labels, preOutput, value, grad]);
    return result;
  }

  it('mcxent + softmax at logits [100, -100], label [0, 1]: loss 200, gradient softmax(z) - y = [1, -1]', async () => {
    const { value, grad } = await valueAndGrad('mcxent', softmax, [[100, -100]], [[0, 1]]);
    expect(value).toEqual([200]);
    expect(grad.every(Number.isFinite)).toBe(true);
    expectClose(grad, [1, -1]);
  });

  it('mcxent + softmax at logits [100, -100, 0] for each label: 0, 200, 100 (up to e^-100)', async () => {
    const z = [
      [100, -100, 0],
      [100, -100, 0],
      [100, -100, 0],
    ];
    const y = [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ];
    const { value, grad } = await valueAndGrad('mcxent', softmax, z, y);
    expectClose(value, [0, 200, 100]);
    expect(grad.every(Number.isFinite)).toBe(true);
    // d/dz = softmax(z) - y, softmax([100, -100, 0]) = [1, ~0, ~0] in float32.
    expectClose(grad, [0, 0, 0, 1, -1, 0, 1, 0, -1]);
    const nll = await valueAndGrad('negativeloglikelihood', softmax, z, y);
    expect(nll).toEqual({ value, grad });
  });

  it('mcxent + softmax at logits +-1000 stays finite and exact', async () => {
    const { value, grad } = await valueAndGrad('mcxent', softmax, [[1000, -1000], [-1000, 1000]], [[0, 1], [0, 1]]);
    expectClose(value, [2000, 0]);
    expect(grad.every(Number.isFinite)).toBe(true);
    expectClose(grad, [1, -1, 0, 0]);
  });

  it('xent + sigmoid at logits +-100: loss max(z,0) - z y + log(1 + e^-|z|), gradient s(z) - y', async () => {
    // Wrong sides cost |z| each; right sides cost log(1 + e^-100) ~ 3.7e-44.
    const { value, grad } = await valueAndGrad('xent', sigmoid, [[100, -100], [100, -100]], [[0, 1], [1, 0]]);
    expect(value.every(Number.isFinite)).toBe(true);
    expectClose(value, [200, 2 * Math.log1p(Math.exp(-100))]);
    expect(value[1]).toBeGreaterThanOrEqual(0);
    expect(grad.every(Number.isFinite)).toBe(true);
    expectClose(grad, [1, -1, 0, 0]);
  });

  it('mcxent with an unfused softmax stays finite at extreme logits through clipping', async () => {
    const mc = await valueAndGrad('mcxent', softmaxUnfused, [[100, -100]], [[0, 1]]);
    expect(mc.value.every(Number.isFinite)).toBe(true);
    expect(mc.grad.every(Number.isFinite)).toBe(true);
    // Clipped at p = 1e-10: -log(1e-10) = 23.03 for the wrong class.
    expect(mc.value[0]).toBeCloseTo(-Math.log(1e-10), 3);
  });

  // Regression: unfused xent once clipped with 1e-10, and 1 - 1e-10 rounds to 1 in float32, so
  // log(1 - p) was -Infinity for a saturated output. It now clips with DL4J's 1e-5.
  it('xent with an unfused sigmoid stays finite at saturated outputs through clipping', async () => {
    // Confident and right: the loss is tiny (exactly 2 log(1 + e^-20) ~ 4e-9 unclipped, ~2e-5
    // with DL4J's 1e-5 clipping).
    const right = await valueAndGrad('xent', sigmoidUnfused, [[20, -20]], [[1, 0]]);
    expect(right.value.every(Number.isFinite), `loss ${right.value}`).toBe(true);
    expect(right.grad.every(Number.isFinite), `gradient ${right.grad}`).toBe(true);
    expect(right.value[0]).toBeLessThan(1e-4);
    // Confident and wrong: large but finite.
    const wrong = await valueAndGrad('xent', sigmoidUnfused, [[100, -100]], [[0, 1]]);
    expect(wrong.value.every(Number.isFinite), `loss ${wrong.value}`).toBe(true);
    expect(wrong.grad.every(Number.isFinite), `gradient ${wrong.grad}`).toBe(true);
    expect(wrong.value[0]).toBeGreaterThan(10);
  });
});

describe('masks', () => {
  const MASK = [
    [1, 0, 1],
    [0, 1, 1],
    [1, 1, 0],
    [0, 0, 0],
    [1, 0, 1],
  ];

  it('zero out masked entries: mcxent, negativeloglikelihood, xent, mse', async () => {
    expectClose(await scores('mcxent', softmax, Z, Y_CLASS, MASK), mcxent64(Z, Y_CLASS, MASK));
    expectClose(await scores('negativeloglikelihood', softmax, Z, Y_CLASS, MASK), mcxent64(Z, Y_CLASS, MASK));
    expectClose(await scores('xent', sigmoid, Z, Y_BINARY, MASK), xent64(Z, Y_BINARY, MASK));
    expectClose(await scores('mse', identity, Z, Y_BINARY, MASK), mse64(Z, Y_BINARY, MASK));
  });

  it('an all-zero mask row scores 0', async () => {
    for (const [name, act, y] of [
      ['mcxent', softmax, Y_CLASS],
      ['xent', sigmoid, Y_BINARY],
      ['mse', identity, Y_BINARY],
    ] as const) {
      const s = await scores(name, act, Z, y as number[][], MASK);
      expect(Math.abs(s[3] as number), name).toBe(0);
    }
  });

  it('masked labels and outputs do not affect the score (xent, mse) and get zero gradient', async () => {
    const mask = tf.tensor2d(MASK);
    const labels = tf.tensor2d(Y_BINARY);
    // Change every masked-out entry of labels: scores must not move.
    const altered = tf.tensor2d(Y_BINARY.map((row, i) => row.map((v, j) => (MASK[i]![j] === 0 ? 1 - v + 0.3 : v))));
    const z = tf.tensor2d(Z);
    for (const [name, act] of [
      ['xent', sigmoid],
      ['mse', identity],
    ] as const) {
      const a = tf.tidy(() => loss(name).scoreArray({ labels, preOutput: z, activation: act, mask }));
      const b = tf.tidy(() => loss(name).scoreArray({ labels: altered, preOutput: z, activation: act, mask }));
      expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
      const g = tf.grad((p: tf.Tensor) => tf.sum(loss(name).scoreArray({ labels, preOutput: p, activation: act, mask })))(z);
      const gv = await g.data();
      MASK.flat().forEach((m, k) => {
        if (m === 0) expect(Math.abs(gv[k] as number), `${name} entry ${k}`).toBe(0);
      });
      tf.dispose([a, b, g]);
    }
    tf.dispose([mask, labels, altered, z]);
  });
});

describe('gradients w.r.t. preOutput', () => {
  const cases: [string, Activation, number[][], number[][]][] = [
    ['mcxent', softmax, Z, Y_CLASS],
    ['mcxent', softmaxUnfused, Z, Y_CLASS],
    ['negativeloglikelihood', softmax, Z, Y_CLASS],
    ['xent', sigmoid, Z, Y_BINARY],
    ['xent', sigmoidUnfused, Z, Y_BINARY],
    ['xent', identity, P, Y_P],
    ['mse', identity, Z, Y_BINARY],
    ['mse', sigmoid, Z, Y_BINARY],
  ];

  for (const [name, act, z, y] of cases) {
    it(`${name} with ${act.key} passes checkGradients`, async () => {
      const labels = tf.tensor2d(y);
      const preOutput = tf.tensor2d(z);
      // xent on raw probabilities: keep the central-difference step inside (0, 1).
      const epsilon = act === identity ? 1e-3 : 1e-2;
      let result: Awaited<ReturnType<typeof checkGradients>> | undefined;
      const leaked = await leakedTensors(async () => {
        result = await checkGradients(([p]) => tf.mean(loss(name).scoreArray({ labels, preOutput: p as tf.Tensor, activation: act })), [preOutput], { epsilon });
      });
      expect(result?.checked).toBe(z.length * 3);
      expect(result?.failures).toEqual([]);
      expect(leaked).toBe(0);
      tf.dispose([labels, preOutput]);
    });
  }

  it('closed-form gradients: softmax + mcxent -> p - y, sigmoid + xent -> s(z) - y, mse -> 2 (a - y) / n', async () => {
    const z = tf.tensor2d(Z);
    const yc = tf.tensor2d(Y_CLASS);
    const yb = tf.tensor2d(Y_BINARY);
    const grad = (name: string, act: Activation, labels: tf.Tensor) => tf.grad((p: tf.Tensor) => tf.sum(loss(name).scoreArray({ labels, preOutput: p, activation: act })))(z);
    const gm = grad('mcxent', softmax, yc);
    const gx = grad('xent', sigmoid, yb);
    const gs = grad('mse', identity, yb);
    // Y_CLASS rows sum to 1, so d/dz_j of -sum y log softmax = p_j - y_j.
    expectClose(await gm.data(), Z.flatMap((row, i) => logSoftmax64(row).map((lp, j) => Math.exp(lp) - Y_CLASS[i]![j]!)));
    expectClose(await gx.data(), Z.flatMap((row, i) => row.map((v, j) => sigmoid64(v) - Y_BINARY[i]![j]!)));
    expectClose(await gs.data(), Z.flatMap((row, i) => row.map((v, j) => (2 * (v - Y_BINARY[i]![j]!)) / 3)));
    tf.dispose([z, yc, yb, gm, gx, gs]);
  });
});

describe('loss registry entries', () => {
  it('registers the four losses with DL4J spellings', () => {
    expect(registry.keys('loss')).toEqual(['losses/mcxent', 'losses/mse', 'losses/negativeloglikelihood', 'losses/xent']);
    expect(loss('MCXENT').key).toBe('losses/mcxent');
    expect(loss('NEGATIVELOGLIKELIHOOD').key).toBe('losses/negativeloglikelihood');
    expect(loss('XENT').key).toBe('losses/xent');
    expect(loss('MSE').key).toBe('losses/mse');
  });

  it('every loss config survives a JSON round trip through the registry', () => {
    for (const key of registry.keys('loss')) {
      const original = loss(key);
      const recreated = registry.create<Loss>('loss', JSON.parse(JSON.stringify(original.config)));
      expect(recreated.key).toBe(key);
      expect(recreated.config).toEqual(original.config);
    }
  });

  it('registerLosses is idempotent', () => {
    expect(() => registerLosses(registry)).not.toThrow();
    expect(registry.keys('loss')).toHaveLength(4);
  });
});
