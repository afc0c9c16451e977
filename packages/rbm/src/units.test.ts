import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, Rng } from '@dl4ts/core';
import { describe, expect, it } from 'vitest';
import type { Rbm } from './rbm';
import type { Matrix } from './test-support';
import { freeEnergyByEnumeration, mean64, rbmNetwork, setParams, sigmoid64 } from './test-support';
import type { UnitType } from './units';
import { sampleUnits, unitMean } from './units';

const A = [-2, -0.5, 0, 0.7, 2.5];
const N = 10_000;

const phi = (z: number) => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
/** Standard normal CDF (Abramowitz-Stegun 7.1.26 through erf, error < 1.5e-7). */
function Phi(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** Mean and standard deviation of one sampled unit with total input `a` (softmax: over the row A). */
function moments(unit: UnitType, a: number, j: number): { mean: number; std: number } {
  switch (unit) {
    case 'binary': {
      const p = sigmoid64(a);
      return { mean: p, std: Math.sqrt(p * (1 - p)) };
    }
    case 'rectified': {
      // max(0, Y), Y ~ N(a, s^2) with s^2 = sigmoid(a): E = a Phi(a/s) + s phi(a/s); E[.^2] = (a^2 + s^2) Phi(a/s) + a s phi(a/s).
      const s = Math.sqrt(sigmoid64(a));
      const mean = a * Phi(a / s) + s * phi(a / s);
      const second = (a * a + s * s) * Phi(a / s) + a * s * phi(a / s);
      return { mean, std: Math.sqrt(second - mean * mean) };
    }
    case 'gaussian':
      return { mean: a, std: 1 };
    case 'linear':
      return { mean: a, std: 0 };
    case 'softmax': {
      const p = (mean64('softmax', [A])[0] as number[])[j] as number;
      return { mean: p, std: Math.sqrt(p * (1 - p)) };
    }
  }
}

describe('sampleUnits: every unit type has the right mean', () => {
  it.each(['binary', 'rectified', 'gaussian', 'linear', 'softmax'] as UnitType[])('%s units: the mean of 10,000 samples per unit is within 5 standard errors', async (unit) => {
    const a = tf.tile(tf.tensor2d([A]), [N, 1]);
    const sample = tf.tidy(() => sampleUnits(unit, a, unitMean(unit, a), new Rng(99)));
    const means = Array.from(await tf.tidy(() => tf.mean(sample, 0)).data());
    A.forEach((x, j) => {
      const { mean, std } = moments(unit, x, j);
      // Standard error std / sqrt(N); the floor covers float32 sums of 10,000 values.
      expect(Math.abs((means[j] as number) - mean)).toBeLessThan(5 * (std / Math.sqrt(N)) + 1e-4);
    });
    if (unit === 'softmax') {
      const rows = Array.from(await tf.tidy(() => tf.sum(sample, 1)).data());
      expect(rows.every((r) => r === 1)).toBe(true); // exactly one unit on per row
    }
    if (unit === 'binary') expect(Array.from(await sample.data()).every((v) => v === 0 || v === 1)).toBe(true);
    tf.dispose([a, sample]);
  });

  it('draws the same states from the same seed and different ones from another', async () => {
    const a = tf.tensor2d([A, A]);
    const draw = (seed: number) => tf.tidy(() => sampleUnits('gaussian', a, a, new Rng(seed)));
    const [x, y, z] = [draw(1), draw(1), draw(2)];
    expect(Array.from(await x.data())).toEqual(Array.from(await y.data()));
    expect(Array.from(await x.data())).not.toEqual(Array.from(await z.data()));
    tf.dispose([a, x, y, z]);
  });
});

describe('Rbm.freeEnergy: the closed form equals -log sum_h exp(-E(v, h))', () => {
  const W: Matrix = [
    [0.3, -0.7, 0.2, 0.5],
    [-0.4, 0.1, 0.9, -0.3],
    [0.6, 0.2, -0.5, 0.1],
  ];
  const p = { W, b: [0.1, -0.2, 0.3, 0], vb: [-0.1, 0.4, 0.2] };
  const V: Matrix = [
    [1, 0, 1],
    [0, 1, 1],
    [0.3, -1.2, 2],
  ];

  it.each(['binary', 'gaussian'] as const)('%s visible units, binary hidden: against enumeration of the 16 hidden states', async (visible) => {
    const net = rbmNetwork(3, { nOut: 4, visibleUnit: visible });
    setParams(net, p);
    const rbm = net.layers[0] as Rbm;
    const params = { W: net.getParam('rbm/W'), b: net.getParam('rbm/b'), vb: net.getParam('rbm/vb') };
    const v = tf.tensor2d(V);
    const f = tf.tidy(() => rbm.freeEnergy(v, params));
    Array.from(await f.data()).forEach((x, n) => expect(x).toBeCloseTo(freeEnergyByEnumeration(V[n] as number[], p, visible), 5));
    tf.dispose([v, f, ...Object.values(params)]);
    net.dispose();
  });

  it('softmax hidden: -v.vb - logsumexp(vW + b); rectified hidden has no closed form (ConfigError)', async () => {
    const net = rbmNetwork(3, { nOut: 4, hiddenUnit: 'softmax' });
    setParams(net, p);
    const rbm = net.layers[0] as Rbm;
    const params = { W: net.getParam('rbm/W'), b: net.getParam('rbm/b'), vb: net.getParam('rbm/vb') };
    const v = tf.tensor2d(V);
    const f = tf.tidy(() => rbm.freeEnergy(v, params));
    const expected = V.map((row) => {
      const a = p.b.map((bj, j) => row.reduce((s, x, i) => s + x * ((W[i] as number[])[j] as number), bj));
      return -row.reduce((s, x, i) => s + x * (p.vb[i] as number), 0) - Math.log(a.reduce((s, x) => s + Math.exp(x), 0));
    });
    Array.from(await f.data()).forEach((x, n) => expect(x).toBeCloseTo(expected[n] as number, 5));
    const rect = rbmNetwork(3, { nOut: 4, hiddenUnit: 'rectified' });
    expect(() => tf.tidy(() => (rect.layers[0] as Rbm).freeEnergy(v, params))).toThrow(ConfigError);
    tf.dispose([v, f, ...Object.values(params)]);
    net.dispose();
    rect.dispose();
  });
});
