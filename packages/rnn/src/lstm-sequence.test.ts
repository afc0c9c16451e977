import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@dl4ts/core';
import type { RecurrentLayer } from '@dl4ts/core';
import { checkGradients, leakedTensors } from '@dl4ts/core/testing';
import { describe, expect, it } from 'vitest';
import { Lstm } from './lstm';
import { buildLayer, maxDiff, randomParams, referenceSequence, sequences, toTensors, uniform } from './rnn-test-support';

const inference = { training: false, rng: new Rng(1) };

/** The same layer through the generic per-step cell, recorded by autodiff. */
class AutodiffLstm extends Lstm {
  protected override fused(): boolean {
    return false;
  }
}

function layers() {
  const { layer, declarations } = buildLayer<Lstm>({ type: 'lstm', nOut: 3 }, [6, 2]);
  const plain = new AutodiffLstm(layer.config);
  plain.build([6, 2], {
    activation: () => (layer as unknown as { activation: unknown }).activation as never,
    weightInit: () => ({ key: 'x', config: { type: 'x' }, init: () => new Float32Array(0) }),
    loss: () => undefined as never,
    addParam: () => undefined,
  });
  (plain as unknown as { gateActivation: unknown }).gateActivation = (layer as unknown as { gateActivation: unknown }).gateActivation;
  return { layer: layer as RecurrentLayer, plain: plain as RecurrentLayer, declarations };
}

describe('hand-written LSTM sequence pass', () => {
  // Gaps in the middle of a sequence (mask 0 between 1s) exercise the held state in both directions.
  const mask = [
    [1, 1, 0, 1, 1, 0],
    [1, 0, 0, 1, 1, 1],
  ];
  const initial = { h: [uniform(3, 41), uniform(3, 42)], c: [uniform(3, 43), uniform(3, 44)] };

  it('matches the float64 reference with gaps in the mask and an initial state', async () => {
    const { layer, declarations } = layers();
    const p = randomParams(declarations);
    const x = sequences(2, 6, 2, 5);
    const state = { h: tf.tensor2d(initial.h), c: tf.tensor2d(initial.c) };
    const m = tf.tensor2d(mask);
    const params = toTensors(p);
    const { output, state: out } = layer.forwardWithState(tf.tensor3d(x), params, { ...inference, mask: m }, state);
    const expected = referenceSequence('lstm', p, x, 3, mask, [0, 1].map((b) => ({ h: initial.h[b]!, c: initial.c[b]! })));
    expect(maxDiff(await output.array(), expected.outputs)).toBeLessThan(2e-6);
    expect(maxDiff(await out.c!.array(), expected.states.map((s) => s.c))).toBeLessThan(2e-6);
    tf.dispose([output, ...Object.values(out), ...Object.values(state), m, ...Object.values(params)]);
  });

  it('gives the gradients of autodiff through the per-step cell, and passes the gradient check, initial state included', async () => {
    const { layer, plain, declarations } = layers();
    const p = randomParams(declarations);
    const x = tf.tensor3d(sequences(2, 6, 2, 6));
    const m = tf.tensor2d(mask);
    const weights = tf.tensor3d(sequences(2, 6, 3, 7));
    const names = declarations.map((d) => d.name);
    const loss = (l: RecurrentLayer) => (values: tf.Tensor[]) => {
      const params = Object.fromEntries(names.map((n, i) => [n, values[i] as tf.Tensor]));
      const { output, state } = l.forwardWithState(x, params, { ...inference, mask: m }, { h: values[3] as tf.Tensor, c: values[4] as tf.Tensor });
      return tf.add(tf.sum(tf.mul(output, weights)), tf.add(tf.sum(tf.mul(state.h as tf.Tensor, 0.7)), tf.sum(tf.mul(state.c as tf.Tensor, -1.3))));
    };
    const start = [...names.map((n) => toTensors(p)[n] as tf.Tensor), tf.tensor2d(initial.h), tf.tensor2d(initial.c)];
    const grads = (l: RecurrentLayer) => tf.grads((...v: tf.Tensor[]) => loss(l)(v) as tf.Scalar)(start);
    const fused = grads(layer);
    const recorded = grads(plain);
    for (const [i, g] of fused.entries()) expect(maxDiff(await g.array(), await (recorded[i] as tf.Tensor).array()), `input ${i}`).toBeLessThan(1e-5);
    const result = await checkGradients(loss(layer), start, { epsilon: 4e-3, maxRelativeError: 2e-2, minAbsoluteError: 2e-3 });
    expect(result.failures).toEqual([]);
    tf.dispose([x, m, weights, ...start, ...fused, ...recorded]);
  });

  it('leaves no tensor behind, forward and backward, and handles a single step', async () => {
    const { layer, declarations } = layers();
    const params = toTensors(randomParams(declarations));
    const x = tf.tensor3d(sequences(2, 1, 2, 8));
    expect(
      await leakedTensors(() =>
        tf.tidy(() => {
          const g = tf.grads((w: tf.Tensor, rw: tf.Tensor) => tf.sum(layer.forward(x, { ...params, W: w, RW: rw }, inference)) as tf.Scalar)([params.W as tf.Tensor, params.RW as tf.Tensor]);
          expect(g[1]?.shape).toEqual([3, 12]);
        }),
      ),
    ).toBe(0);
    tf.dispose([x, ...Object.values(params)]);
  });
});
