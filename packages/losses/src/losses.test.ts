import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { registerLosses } from './register-losses';
import { ACT, MASK, Y_BINARY, Y_COUNT, Y_PM, Y_REG, Y_SPARSE, Z, loss, registry, valueAndGrad } from './test-support';

/** DL4J's LossFunction names and the key each resolves to. */
const DL4J_NAMES: Record<string, string> = {
  MSE: 'losses/mse',
  L1: 'losses/l1',
  L2: 'losses/l2',
  XENT: 'losses/xent',
  MCXENT: 'losses/mcxent',
  SPARSE_MCXENT: 'losses/sparse-mcxent',
  NEGATIVELOGLIKELIHOOD: 'losses/negativeloglikelihood',
  RMSE_XENT: 'losses/rmse-xent',
  SQUARED_LOSS: 'losses/squared-loss',
  EXPLL: 'losses/expll',
  POISSON: 'losses/poisson',
  KL_DIVERGENCE: 'losses/kl-divergence',
  RECONSTRUCTION_CROSSENTROPY: 'losses/reconstruction-crossentropy',
  COSINE_PROXIMITY: 'losses/cosine-proximity',
  HINGE: 'losses/hinge',
  SQUARED_HINGE: 'losses/squared-hinge',
  MEAN_ABSOLUTE_ERROR: 'losses/mean-absolute-error',
  MEAN_ABSOLUTE_PERCENTAGE_ERROR: 'losses/mean-absolute-percentage-error',
  MEAN_SQUARED_LOGARITHMIC_ERROR: 'losses/mean-squared-logarithmic-error',
};
const WEIGHTED = new Set(['mcxent', 'negativeloglikelihood', 'sparse-mcxent', 'xent', 'mse', 'squared-loss', 'l2', 'l1', 'mean-absolute-error', 'mean-absolute-percentage-error', 'mean-squared-logarithmic-error']);
const shortName = (key: string): string => key.slice(key.indexOf('/') + 1);

describe('loss registry entries', () => {
  it("registers every DL4J loss; DL4J's upper-case names resolve to their keys", () => {
    expect(registry.keys('loss')).toEqual(Object.values(DL4J_NAMES).sort());
    for (const [name, key] of Object.entries(DL4J_NAMES)) {
      expect(loss(name).key, name).toBe(key);
      expect(loss(shortName(key)).key).toBe(key);
    }
  });

  it('every loss config, options included, survives a JSON round trip through the registry', async () => {
    const labels = tf.tensor2d(Y_REG);
    const sparse = tf.tensor1d(Y_SPARSE);
    const preOutput = tf.tensor2d(Z);
    for (const key of registry.keys('loss')) {
      const original = loss(WEIGHTED.has(shortName(key)) ? { type: shortName(key).toUpperCase().replace(/-/g, '_'), weights: [0.5, 1, 2] } : key);
      expect(original.config.type).toBe(key);
      const recreated = registry.create('loss', JSON.parse(JSON.stringify(original.config)));
      expect(recreated.key).toBe(key);
      expect(recreated.config).toEqual(original.config);
      const input = { labels: key === 'losses/sparse-mcxent' ? sparse : labels, preOutput, activation: ACT.sigmoid.act };
      const [a, b] = tf.tidy(() => [original.scoreArray(input), recreated.scoreArray(input)]);
      expect(Array.from(await b!.data()), key).toEqual(Array.from(await a!.data()));
      tf.dispose([a!, b!]);
    }
    tf.dispose([labels, sparse, preOutput]);
  });

  it('registerLosses is idempotent', () => {
    expect(() => registerLosses(registry)).not.toThrow();
    expect(registry.keys('loss')).toHaveLength(19);
  });
});

describe('every element-wise loss: masked entries neither score nor get gradient', () => {
  const cases: [string, keyof typeof ACT, number[][]][] = [
    ['xent', 'sigmoid', Y_BINARY],
    ['xent', 'sigmoidUnfused', Y_BINARY],
    ['kl-divergence', 'sigmoid', Y_BINARY],
    ['mse', 'identity', Y_REG],
    ['squared-loss', 'tanh', Y_REG],
    ['l2', 'identity', Y_REG],
    ['l1', 'identity', Y_REG],
    ['mean-absolute-error', 'sigmoid', Y_REG],
    ['mean-absolute-percentage-error', 'identity', Y_REG],
    ['mean-squared-logarithmic-error', 'softplus', Y_COUNT],
    ['rmse-xent', 'identity', Y_REG],
    ['poisson', 'softplus', Y_COUNT],
    ['expll', 'exp', Y_COUNT],
    ['hinge', 'identity', Y_PM],
    ['squared-hinge', 'tanh', Y_PM],
    ['cosine-proximity', 'identity', Y_REG],
  ];
  for (const [name, act, y] of cases) {
    it(`${name} with ${ACT[act].act.key}`, async () => {
      const alteredY = y.map((row, i) => row.map((v, j) => (MASK[i]![j] === 0 ? v * 3 + 1 : v)));
      const alteredZ = Z.map((row, i) => row.map((v, j) => (MASK[i]![j] === 0 ? v - 2 : v)));
      const base = await valueAndGrad(name, ACT[act].act, Z, y, MASK);
      expect((await valueAndGrad(name, ACT[act].act, alteredZ, alteredY, MASK)).value).toEqual(base.value);
      expect(Math.abs(base.value[3]!), 'all-masked row').toBe(0);
      MASK.flat().forEach((m, k) => {
        if (m === 0) expect(Math.abs(base.grad[k]!), `entry ${k}`).toBe(0);
      });
    });
  }
});
