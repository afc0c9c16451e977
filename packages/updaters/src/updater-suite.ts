// Shared by this package's tests only (not exported from index.ts): the checks every updater
// passes, each against a float64 reference rule that the updater's own test file writes from the
// published formula.
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '@dl4ts/core';
import { describe, expect, it } from 'vitest';
import type { Rate } from './reference-rules';
import type { ReferenceRule, StepAt } from './test-support';
import { create, expectTrace, movement, quadraticReference, runOnQuadratic, runOnTinyNet, tinyNetReference } from './test-support';

/** What the shared checks need to know about one updater. */
export interface UpdaterSpec {
  key: string;
  /** Spellings the registry must resolve to `key` (short, DL4J upper case, ...). */
  names: readonly string[];
  /** The full config `create(key)` must report: DL4J's defaults. */
  defaults: Record<string, unknown>;
  /** Options that take visible steps within 5 iterations (numbers only). */
  custom: Record<string, number>;
  /** The float64 rule, from numeric options and the learning rate at a step. */
  reference(options: Record<string, number>, learningRate: Rate): ReferenceRule;
  /** Initial value of every state tensor, by name. */
  initialState: Record<string, number>;
  /** Bad configs and the message each must produce (naming the option and the value). */
  bad: readonly [Record<string, unknown>, RegExp][];
  /** False for updaters whose parameters never move (none). */
  moves?: boolean;
}

const numbers = (config: Record<string, unknown>): Record<string, number> =>
  Object.fromEntries(Object.entries(config).filter((e): e is [string, number] => typeof e[1] === 'number'));

/** Registers the shared checks for one updater inside the current `describe`. */
export function describeUpdater(spec: UpdaterSpec): void {
  const hasLearningRate = 'learningRate' in spec.defaults;
  const defaults = numbers(spec.defaults);
  const custom = { ...defaults, ...spec.custom };
  const constant = (value: number | undefined) => () => value ?? Number.NaN;

  describe(`${spec.key}: shared checks`, () => {
    it('matches the float64 reference for the first 5 steps on the quadratic, with DL4J defaults', async () => {
      const expected = quadraticReference(spec.reference(defaults, constant(defaults.learningRate)));
      if (spec.moves !== false) expect(movement(expected)).toBeGreaterThan(1e-4);
      expectTrace(await runOnQuadratic(create(spec.key)), expected);
    });

    it('matches the float64 reference on the quadratic with other options', async () => {
      const expected = quadraticReference(spec.reference(custom, constant(custom.learningRate)));
      if (spec.moves !== false) expect(movement(expected)).toBeGreaterThan(1e-3);
      expectTrace(await runOnQuadratic(create({ type: spec.key, ...spec.custom })), expected);
    });

    it('matches the float64 reference on a tiny tanh network (W1 [3,3], b1 [3], W2 [3,2])', async () => {
      const expected = tinyNetReference(spec.reference(custom, constant(custom.learningRate)));
      expectTrace(await runOnTinyNet(create({ type: spec.key, ...spec.custom })), expected);
    });

    if (hasLearningRate) {
      const lr = custom.learningRate as number;
      const cases: [string, Record<string, unknown>, Rate, StepAt][] = [
        ['a step schedule by iteration', { type: 'step', initialValue: lr, decayRate: 0.5, step: 2 }, (s) => lr * 0.5 ** Math.floor(s.iteration / 2), (i) => ({ iteration: i, epoch: 0 })],
        ['an inverse schedule resumed at iteration 10', { type: 'inverse', initialValue: lr, gamma: 0.1, power: 1 }, (s) => lr / (1 + 0.1 * s.iteration), (i) => ({ iteration: 10 + i, epoch: 2 })],
        ['an exponential schedule by epoch', { type: 'exponential', initialValue: lr, gamma: 0.5, scheduleType: 'epoch' }, (s) => lr * 0.5 ** s.epoch, (i) => ({ iteration: i, epoch: Math.floor(i / 2) })],
      ];
      for (const [name, schedule, rate, stepAt] of cases) {
        it(`uses the scheduled learning rate at every step: ${name}`, async () => {
          const updater = create({ type: spec.key, ...spec.custom, learningRate: schedule });
          const expected = quadraticReference(spec.reference(custom, rate), 5, stepAt);
          expectTrace(await runOnQuadratic(updater, 5, stepAt), expected);
          for (let i = 0; i < 5; i++) expect(updater.learningRateAt?.(stepAt(i))).toBeCloseTo(rate(stepAt(i)), 14);
          // The schedule matters: the constant-rate run differs.
          const plain = quadraticReference(spec.reference(custom, constant(lr)), 5, stepAt);
          expect(Math.abs(plain.w[4]![0]! - expected.w[4]![0]!)).toBeGreaterThan(1e-6);
        });
      }

      it('learningRateAt returns the constant rate', () => {
        expect(create(spec.key).learningRateAt?.({ iteration: 7, epoch: 1 })).toBe(spec.defaults.learningRate);
        expect(create({ type: spec.key, learningRate: 0.0123 }).learningRateAt?.({ iteration: 0, epoch: 0 })).toBe(0.0123);
      });
    } else {
      it('has no learning rate and omits learningRateAt', () => {
        expect(create(spec.key).learningRateAt).toBeUndefined();
      });
    }

    it('reports DL4J defaults in its config, and every spelling resolves to it', () => {
      for (const name of [spec.key, ...spec.names]) {
        const updater = create(name);
        expect(updater.key).toBe(spec.key);
        expect(updater.config).toEqual({ type: spec.key, ...spec.defaults });
      }
    });

    it('configs survive a JSON round trip through the registry', () => {
      const refs: unknown[] = [spec.key, { type: spec.key, ...spec.custom }];
      if (hasLearningRate) refs.push({ type: spec.key, learningRate: { type: 'cosine', initialValue: 0.1, maxIter: 100, warmup: 10 } });
      for (const ref of refs) {
        const original = create(ref);
        expect(create(JSON.parse(JSON.stringify(original.config))).config).toEqual(original.config);
      }
    });

    it('keeps its state as named tensors of the parameter shape, new each step, inputs untouched', async () => {
      const updater = create(spec.key);
      const param = tf.zeros([3, 4]);
      const state = tf.tidy(() => updater.initState(param));
      expect(Object.keys(state).sort()).toEqual(Object.keys(spec.initialState).sort());
      for (const [name, value] of Object.entries(spec.initialState)) {
        expect(state[name]!.shape).toEqual([3, 4]);
        expect(state[name]!.dtype).toBe('float32');
        expect(Array.from(await state[name]!.data())).toEqual(new Array(12).fill(Math.fround(value)));
      }
      const g = tf.fill([3, 4], 0.5);
      const { update, state: next } = updater.apply(g, state, { iteration: 0, epoch: 0 });
      expect(update.shape).toEqual([3, 4]);
      expect(Object.keys(next).sort()).toEqual(Object.keys(spec.initialState).sort());
      for (const name of Object.keys(spec.initialState)) {
        expect(next[name]!.shape).toEqual([3, 4]);
        expect(next[name]).not.toBe(state[name]);
        expect(Array.from(await state[name]!.data())).toEqual(new Array(12).fill(Math.fround(spec.initialState[name]!)));
      }
      expect(Array.from(await g.data())).toEqual(new Array(12).fill(0.5));
      tf.dispose([param, g, update, ...Object.values(state), ...Object.values(next)]);
    });

    it('leaks no tensor: the count stays constant across steps', async () => {
      const before = tf.memory().numTensors;
      const quad = await runOnQuadratic(create(spec.key), 8);
      expect(new Set(quad.counts).size).toBe(1);
      expect(quad.keys.every((k) => k.sort().join() === Object.keys(spec.initialState).sort().join())).toBe(true);
      const net = await runOnTinyNet(create({ type: spec.key, ...spec.custom }), 6);
      expect(new Set(net.counts).size).toBe(1);
      expect(tf.memory().numTensors).toBe(before);
    });

    it('rejects bad options with a ConfigError naming the option and the value', () => {
      for (const [options, message] of spec.bad) {
        const config = { type: spec.key, ...options };
        expect(() => create(config), JSON.stringify(options)).toThrow(ConfigError);
        expect(() => create(config), JSON.stringify(options)).toThrow(message);
      }
    });
  });
}
