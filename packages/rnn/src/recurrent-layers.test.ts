import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, Rng, ShapeError } from '@dl4ts/core';
import type { Layer, ParamDeclaration, RecurrentLayer } from '@dl4ts/core';
import { checkGradients, leakedTensors } from '@dl4ts/core/testing';
import { describe, expect, it } from 'vitest';
import type { CellKind } from './rnn-test-support';
import { buildLayer, maxDiff, randomParams, referenceSequence, registry, sequences, toTensors, uniform } from './rnn-test-support';

const N_IN = 3;
const N_OUT = 4;
const TIME = 5;
const BATCH = 2;
const kinds: CellKind[] = ['simple-rnn', 'lstm', 'graves-lstm', 'gru'];
const inference = { training: false, rng: new Rng(1) };

function setup(kind: CellKind) {
  const { layer, declarations } = buildLayer<RecurrentLayer>({ type: kind, nOut: N_OUT }, [TIME, N_IN]);
  const p = randomParams(declarations);
  return { layer, declarations, p };
}

async function nested(t: tf.Tensor): Promise<unknown> {
  return t.array();
}

describe.each(kinds)('%s', (kind) => {
  it('matches the float64 gate equations, with and without a mask and an initial state', async () => {
    const { layer, p } = setup(kind);
    const x = sequences(BATCH, TIME, N_IN, 11);
    const mask = [
      [1, 1, 1, 0, 0],
      [1, 1, 1, 1, 1],
    ];
    const names = kind === 'lstm' || kind === 'graves-lstm' ? ['h', 'c'] : ['h'];
    const initial = [0, 1].map((b) => Object.fromEntries(names.map((k, i) => [k, uniform(N_OUT, 50 + 10 * b + i)])));
    const params = toTensors(p);
    const input = tf.tensor3d(x);
    for (const variant of ['plain', 'masked', 'state'] as const) {
      const m = variant === 'masked' ? mask : undefined;
      const init = variant === 'state' ? initial : undefined;
      const maskTensor = m === undefined ? undefined : tf.tensor2d(m);
      const state = init === undefined ? undefined : Object.fromEntries(names.map((k) => [k, tf.tensor2d(init.map((s) => s[k] as number[]))]));
      const result = layer.forwardWithState(input, params, maskTensor === undefined ? inference : { ...inference, mask: maskTensor }, state);
      const expected = referenceSequence(kind, p, x, N_OUT, m, init);
      expect(maxDiff(await nested(result.output), expected.outputs), variant).toBeLessThan(2e-6);
      for (const k of names) expect(maxDiff(await nested(result.state[k] as tf.Tensor), expected.states.map((s) => s[k])), `${variant} ${k}`).toBeLessThan(2e-6);
      // Masked example 0 stops at step 2: its final state is the state after step 2.
      if (variant === 'masked') {
        const upTo3 = referenceSequence(kind, p, [x[0]!.slice(0, 3)], N_OUT);
        expect(maxDiff(((await nested(result.state.h as tf.Tensor)) as number[][])[0], upTo3.states[0]!.h)).toBeLessThan(2e-6);
      }
      tf.dispose([result.output, ...Object.values(result.state), ...(maskTensor ? [maskTensor] : []), ...Object.values(state ?? {})]);
    }
    tf.dispose([input, ...Object.values(params)]);
  });

  it('passes the gradient check in every parameter, masks included', async () => {
    const { layer, declarations, p } = setup(kind);
    const x = tf.tensor3d(sequences(BATCH, 4, N_IN, 12));
    const mask = tf.tensor2d([
      [1, 1, 0, 0],
      [1, 1, 1, 1],
    ]);
    const weights = tf.tensor3d(sequences(BATCH, 4, N_OUT, 13));
    const names = declarations.map((d: ParamDeclaration) => d.name);
    const start = toTensors(p);
    const result = await checkGradients(
      (values) => {
        const params = Object.fromEntries(names.map((n, i) => [n, values[i] as tf.Tensor]));
        const { output, state } = layer.forwardWithState(x, params, { ...inference, mask }, undefined);
        return tf.add(tf.sum(tf.mul(output, weights)), tf.sum(Object.values(state).reduce((a, b) => tf.add(a, b))));
      },
      names.map((n) => start[n] as tf.Tensor),
      { epsilon: 4e-3, maxRelativeError: 2e-2, minAbsoluteError: 2e-3 },
    );
    expect(result.failures).toEqual([]);
    expect(result.checked).toBe(declarations.reduce((n, d) => n + d.shape.reduce((a, b) => a * b, 1), 0));
    tf.dispose([x, mask, weights, ...Object.values(start)]);
  });

  it('round-trips its config through JSON and the registry', () => {
    const { layer, declarations } = buildLayer<Layer>({ type: kind, nOut: N_OUT, activation: 'tanh', l2: 1e-4 }, [TIME, N_IN]);
    const json = JSON.parse(JSON.stringify(layer.config)) as Record<string, unknown>;
    const again = buildLayer<Layer>(json, [TIME, N_IN]);
    expect(again.layer.config).toEqual(layer.config);
    expect(again.layer.key).toBe(`rnn/${kind}`);
    const describeDecl = (ds: ParamDeclaration[]) => ds.map((d) => [d.name, d.shape, d.role, d.init.config]);
    expect(describeDecl(again.declarations)).toEqual(describeDecl(declarations));
  });

  it('rejects a wrong input with typed errors naming the shapes', () => {
    const { layer, p } = setup(kind);
    const params = toTensors(p);
    const bad = tf.zeros([2, 5, N_IN + 1]);
    expect(() => layer.forward(bad, params, inference)).toThrow(ShapeError);
    expect(() => layer.forward(bad, params, inference)).toThrow(`input has shape [2, 5, 4], expected [batch, time, ${N_IN}]`);
    expect(() => buildLayer({ type: kind, nOut: N_OUT }, [N_IN])).toThrow(/expected a sequence \[time, nIn\]/);
    expect(() => buildLayer({ type: kind, nOut: 0 }, [TIME, N_IN])).toThrow(ConfigError);
    expect(() => buildLayer({ type: kind, nOut: 2, nIn: 7 }, [TIME, N_IN])).toThrow('input has 3 features per step, expected nIn=7');
    const wrongState = tf.zeros([3, N_OUT]);
    expect(() => layer.forwardWithState(tf.zeros([2, 5, N_IN]), params, inference, { h: wrongState, c: wrongState })).toThrow('state "h" has shape [3, 4], expected [batch, nOut] = [2, 4]');
    tf.dispose([bad, wrongState, ...Object.values(params)]);
  });
});

describe('gate bias initialisation', () => {
  it('starts the LSTM forget gate at forgetGateBiasInit (1.0 by default) and the rest at biasInit', () => {
    for (const type of ['lstm', 'graves-lstm']) {
      const { declarations } = buildLayer({ type, nOut: 2, biasInit: 0.25 }, [3, 1]);
      const b = declarations.find((d) => d.name === 'b') as ParamDeclaration;
      expect(Array.from(b.init.init({ shape: b.shape, fanIn: 1, fanOut: 2, rng: new Rng(1) }))).toEqual([0.25, 0.25, 1, 1, 0.25, 0.25, 0.25, 0.25]);
      const custom = buildLayer({ type, nOut: 1, forgetGateBiasInit: 2 }, [3, 1]).declarations.find((d) => d.name === 'b') as ParamDeclaration;
      expect(Array.from(custom.init.init({ shape: custom.shape, fanIn: 1, fanOut: 1, rng: new Rng(1) }))).toEqual([0, 2, 0, 0]);
    }
    expect(() => registry.create('layer', { type: 'lstm', name: 'l', nOut: 2, forgetGateBiasInit: 'x' })).toThrow(ConfigError);
  });

  it('gives GravesLSTM three peephole vectors and LSTM none', () => {
    const names = (type: string) => buildLayer({ type, nOut: 2 }, [3, 1]).declarations.map((d) => `${d.name}${JSON.stringify(d.shape)}`);
    expect(names('lstm')).toEqual(['W[1,8]', 'RW[2,8]', 'b[8]']);
    expect(names('graves-lstm')).toEqual(['W[1,8]', 'RW[2,8]', 'b[8]', 'pi[2]', 'pf[2]', 'po[2]']);
    expect(names('gru')).toEqual(['W[1,6]', 'RW[2,6]', 'b[6]']);
  });

  it('leaves no tensor behind in a forward pass run inside tidy', async () => {
    const { layer, p } = setup('lstm');
    const params = toTensors(p);
    const x = tf.zeros([2, 5, N_IN]);
    expect(await leakedTensors(() => tf.tidy(() => void layer.forward(x, params, inference)))).toBe(0);
    tf.dispose([x, ...Object.values(params)]);
  });
});
