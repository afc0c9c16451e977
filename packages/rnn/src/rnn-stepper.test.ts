import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError } from '@dl4ts/core';
import { leakedTensors } from '@dl4ts/core/testing';
import { describe, expect, it } from 'vitest';
import { RnnStepper } from './rnn-stepper';
import { makeNetwork, maxDiff, sequences, sgdDefaults } from './rnn-test-support';

const net = () =>
  makeNetwork({
    seed: 9,
    input: [null, 3],
    defaults: sgdDefaults(),
    layers: [
      { type: 'rnn/graves-lstm', nOut: 4, name: 'lstm' },
      { type: 'rnn/gru', nOut: 3, name: 'gru' },
      { type: 'rnn/rnn-output', nOut: 2, activation: 'softmax', loss: 'mcxent', name: 'out' },
    ],
  });

describe('RnnStepper', () => {
  it('steps one step or several at a time, matching the output on the whole sequence', async () => {
    const network = net();
    const xs = sequences(2, 5, 3, 61);
    const x = tf.tensor3d(xs);
    const whole = (await network.output(x).array()) as number[][][];
    const stepper = new RnnStepper(network);
    const stepwise: number[][][] = [[], []];
    for (let t = 0; t < 5; t++) {
      const step = tf.tensor2d(xs.map((seq) => seq[t]!));
      const y = stepper.rnnTimeStep(step);
      expect(y.shape).toEqual([2, 2]);
      ((await y.array()) as number[][]).forEach((row, b) => stepwise[b]!.push(row));
      tf.dispose([step, y]);
    }
    expect(maxDiff(stepwise, whole)).toBeLessThan(1e-6);
    // Two steps, then three, from a cleared state.
    stepper.rnnClearPreviousState();
    const first = stepper.rnnTimeStep(tf.slice(x, [0, 0, 0], [-1, 2, -1]));
    const rest = stepper.rnnTimeStep(tf.slice(x, [0, 2, 0], [-1, 3, -1]));
    const joined = tf.concat([first, rest], 1);
    expect(maxDiff(await joined.array(), whole)).toBeLessThan(1e-6);
    tf.dispose([x, first, rest, joined]);
    stepper.dispose();
    network.dispose();
  });

  it('gets and sets state per layer, and leaks nothing', async () => {
    const network = net();
    const stepper = new RnnStepper(network);
    const x = tf.tensor3d(sequences(1, 4, 3, 62));
    const a = tf.slice(x, [0, 0, 0], [-1, 2, -1]);
    const b = tf.slice(x, [0, 2, 0], [-1, 2, -1]);
    expect(stepper.getState('lstm')).toBeUndefined();
    tf.dispose(stepper.rnnTimeStep(a));
    const lstm = stepper.getState('lstm')!;
    const gru = stepper.getState('gru')!;
    expect(Object.keys(lstm).sort()).toEqual(['c', 'h']);
    const expected = stepper.rnnTimeStep(b);
    stepper.rnnClearPreviousState();
    stepper.setState('lstm', lstm);
    stepper.setState('gru', gru);
    const again = stepper.rnnTimeStep(b);
    expect(maxDiff(await again.array(), await expected.array())).toBe(0);
    stepper.rnnClearPreviousState();
    const fresh = stepper.rnnTimeStep(b);
    expect(maxDiff(await fresh.array(), await expected.array())).toBeGreaterThan(1e-4);
    expect(() => stepper.getState('out')).toThrow(ConfigError);
    expect(() => stepper.rnnTimeStep(tf.zeros([2, 3]))).toThrow(ShapeError);
    stepper.rnnClearPreviousState();
    expect(await leakedTensors(() => tf.dispose([stepper.rnnTimeStep(a), stepper.rnnTimeStep(b)]))).toBe(Object.keys(lstm).length + Object.keys(gru).length);
    stepper.dispose();
    tf.dispose([x, a, b, expected, again, fresh, ...Object.values(lstm), ...Object.values(gru)]);
    network.dispose();
  });
});
