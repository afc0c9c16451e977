import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, Registry, UnknownKeyError } from '@dl4ts/core';
import { compareArrays } from '@dl4ts/core/testing';
import { describe, expect, it } from 'vitest';
import { nesterovs } from './nesterovs';
import { nesterovsRule, sgdRule } from './reference-rules';
import { registerUpdaters, updatersPlugin } from './register-updaters';
import { sgd } from './sgd';
import type { StepAt } from './test-support';
import { create, expectClose, expectTrace, quadraticReference, registry, runOnQuadratic } from './test-support';
import { describeUpdater } from './updater-suite';

const FLOAT32 = { atol: 1e-6, rtol: 1e-5 };

describe('sgd', () => {
  describeUpdater({
    key: 'updaters/sgd',
    names: ['sgd', 'SGD', 'Sgd'],
    defaults: { learningRate: 1e-3 },
    custom: { learningRate: 0.1 },
    reference: sgdRule,
    initialState: {},
    bad: [
      [{ learningRate: -0.1 }, /learningRate must be a positive finite number, received -0.1/],
      [{ learningRate: 0 }, /learningRate must be a positive finite number, received 0/],
      [{ learningRate: Number.NaN }, /learningRate must be a positive finite number, received NaN/],
      [{ learningRate: Number.POSITIVE_INFINITY }, /learningRate must be a positive finite number, received Infinity/],
      [{ learningRate: '0.1' }, /learningRate must be a positive finite number or a schedule config/],
      [{ learningRate: [0.1] }, /learningRate must be a positive finite number or a schedule config \{ type, \.\.\. \}, received \[0.1\]/],
      [{ learningRate: { type: 'linear', initialValue: 0.1 } }, /learningRate: unknown schedule type "linear", expected one of fixed, step, exponential, inverse, poly, sigmoid, map, cosine/],
      [{ learningRate: { type: 'step', initialValue: 0.1, decayRate: 0.5 } }, /Updater updaters\/sgd: learningRate: step schedule needs step as a positive finite number, received undefined/],
      [{ learningRate: { type: 'exponential', initialValue: 0, gamma: 0.9 } }, /learningRate schedule must start from a positive finite number, received 0/],
      [{ lr: 0.1 }, /Updater updaters\/sgd: unknown option "lr"; it takes learningRate/],
    ],
  });

  it('matches w <- w - lr g in closed form: w_5 = (1 - lr a)^5 w_0', async () => {
    const run = await runOnQuadratic(create({ type: 'updaters/sgd', learningRate: 0.1 }));
    const expected = [1, -2, 3, 0.5].map((w, i) => (1 - 0.1 * [1, 2.5, 0.3, 4][i]!) ** 5 * w);
    expect(compareArrays(run.w[4]!, expected, FLOAT32).ok).toBe(true);
  });

  it('computes update = lr * g without touching its inputs', async () => {
    const g = tf.tensor2d([
      [1, -2],
      [0.5, 4],
    ]);
    const updater = sgd({ type: 'updaters/sgd', learningRate: 0.25 });
    const state = updater.initState(g);
    const { update, state: next } = updater.apply(g, state, { iteration: 0, epoch: 0 });
    expect(Array.from(await update.data())).toEqual([0.25, -0.5, 0.125, 1]);
    expect(next).toEqual({});
    expect(g.isDisposed).toBe(false);
    tf.dispose([g, update]);
  });
});

describe('nesterovs', () => {
  describeUpdater({
    key: 'updaters/nesterovs',
    names: ['nesterovs', 'NESTEROVS', 'Nesterovs'],
    defaults: { learningRate: 0.1, momentum: 0.9 },
    custom: { learningRate: 0.05, momentum: 0.8 },
    reference: (o, lr) => nesterovsRule(o, lr),
    initialState: { v: 0 },
    bad: [
      [{ learningRate: -1 }, /learningRate must be a positive finite number, received -1/],
      [{ momentum: 1.5 }, /momentum must be a number in \[0, 1\), received 1.5/],
      [{ momentum: 1 }, /momentum must be a number in \[0, 1\), received 1/],
      [{ momentum: -0.1 }, /momentum must be a number in \[0, 1\), received -0.1/],
      [{ momentum: Number.NaN }, /momentum must be a number in \[0, 1\), received NaN/],
      [{ momentum: '0.9' }, /momentum must be a number in \[0, 1\) or a schedule config/],
      [{ momentum: { type: 'map', values: { '0': 0.5, '10': 1.2 } } }, /momentum schedule must start from a number in \[0, 1\), received 1.2/],
      [{ momentum: { type: 'map', values: { '5': 0.9 } } }, /momentum: map schedule needs values to contain key "0"/],
    ],
  });

  it('keeps other defaults when one option is set', () => {
    expect(create({ type: 'updaters/nesterovs', momentum: 0.5 }).config).toEqual({ type: 'updaters/nesterovs', learningRate: 0.1, momentum: 0.5 });
    expect(create({ type: 'updaters/nesterovs', learningRate: 0.01 }).config).toEqual({ type: 'updaters/nesterovs', learningRate: 0.01, momentum: 0.9 });
  });

  it('first step from v = 0 is (1 + mu) * lr * g', async () => {
    const updater = nesterovs({ type: 'updaters/nesterovs', learningRate: 0.1, momentum: 0.9 });
    const g = tf.tensor1d([2, -1]);
    const state = updater.initState(g);
    const { update, state: next } = updater.apply(g, state, { iteration: 0, epoch: 0 });
    expect(compareArrays(await update.data(), [1.9 * 0.1 * 2, 1.9 * 0.1 * -1], FLOAT32).ok).toBe(true);
    expect(compareArrays(await next.v!.data(), [-0.2, 0.1], FLOAT32).ok).toBe(true);
    tf.dispose([g, update, ...Object.values(state), ...Object.values(next)]);
  });

  it('with momentum 0 takes the same steps as sgd', async () => {
    const plain = await runOnQuadratic(create({ type: 'updaters/sgd', learningRate: 0.1 }));
    const nest = await runOnQuadratic(create({ type: 'updaters/nesterovs', learningRate: 0.1, momentum: 0 }));
    nest.w.forEach((row, s) => expectClose(row, plain.w[s]!, `w after step ${s + 1}`));
  });

  it('follows a momentum schedule (DL4J momentumSchedule): mu read at each step, by epoch', async () => {
    const momentum = { type: 'map', values: { '0': 0.5, '2': 0.9 }, scheduleType: 'epoch' };
    const stepAt: StepAt = (i) => ({ iteration: i, epoch: Math.floor(i / 2) });
    const updater = create({ type: 'updaters/nesterovs', learningRate: 0.05, momentum });
    const mu = (s: { epoch: number }): number => (s.epoch >= 2 ? 0.9 : 0.5);
    const expected = quadraticReference(nesterovsRule({}, () => 0.05, mu), 6, stepAt);
    expectTrace(await runOnQuadratic(updater, 6, stepAt), expected);
    const fixed = quadraticReference(nesterovsRule({ momentum: 0.5 }, () => 0.05), 6, stepAt);
    expect(Math.abs(fixed.w[5]![0]! - expected.w[5]![0]!)).toBeGreaterThan(1e-4);
    expect(updater.config.momentum).toEqual(momentum);
  });
});

describe('registry', () => {
  const KEYS = ['adadelta', 'adagrad', 'adam', 'adamax', 'amsgrad', 'nadam', 'nesterovs', 'none', 'rmsprop', 'sgd'].map((n) => `updaters/${n}`);

  it('registers every updater under its namespaced key', () => {
    // Every registry also holds core's own default, core/sgd; 'sgd' still resolves to this package's.
    expect(registry.keys('updater')).toEqual(['core/sgd', ...KEYS]);
    expect(registry.resolve('updater', 'sgd').type).toBe('updaters/sgd');
    const updaterDefinitions = updatersPlugin.definitions.filter((d) => d.kind === 'updater');
    expect(updaterDefinitions.map((d) => d.key).sort()).toEqual(KEYS);
    expect(registry.keys('strategy')).toEqual(['core/backprop', 'updaters/conjugate-gradient', 'updaters/hessian-free', 'updaters/lbfgs', 'updaters/line-gradient-descent']);
    for (const d of updatersPlugin.definitions) expect(d.provider).toBe('@dl4ts/updaters');
  });

  it("resolves DL4J's Updater enum names and short names", () => {
    const names: Record<string, string> = {
      SGD: 'sgd',
      NESTEROVS: 'nesterovs',
      ADAM: 'adam',
      adam: 'adam',
      ADAMAX: 'adamax',
      NADAM: 'nadam',
      AMSGRAD: 'amsgrad',
      ADAGRAD: 'adagrad',
      ADADELTA: 'adadelta',
      RMSPROP: 'rmsprop',
      rmsprop: 'rmsprop',
      NONE: 'none',
    };
    for (const [name, short] of Object.entries(names)) {
      expect(create(name).key, name).toBe(`updaters/${short}`);
      expect(create({ type: name }).key, name).toBe(`updaters/${short}`);
    }
    expect(() => create('ADAMW')).toThrow(UnknownKeyError);
  });

  it('registerUpdaters is idempotent and fills a fresh registry', () => {
    expect(() => registerUpdaters(registry)).not.toThrow();
    expect(registry.keys('updater')).toHaveLength(11);
    expect(registerUpdaters(new Registry()).keys('updater')).toEqual(['core/sgd', ...KEYS]);
  });

  it('bad options are ConfigErrors', () => {
    expect(() => create({ type: 'updaters/adam', beta1: 2 })).toThrow(ConfigError);
  });
});
