import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, Rng, deserializeModel, serializeModel } from '@dl4ts/core';
import type { Layer, ParamDeclaration } from '@dl4ts/core';
import { checkGradients, leakedTensors } from '@dl4ts/core/testing';
import { describe, expect, it } from 'vitest';
import type { Bidirectional, BidirectionalMode } from './bidirectional';
import { RnnStepper } from './rnn-stepper';
import type { CellKind } from './rnn-test-support';
import { buildLayer, makeNetwork, maxDiff, randomParams, referenceSequence, registry, sequences, sgdDefaults, toTensors } from './rnn-test-support';
import { SequenceDataSet } from './sequence-data-set';

const N_IN = 2;
const N_OUT = 3;
const TIME = 5;
const inference = { training: false, rng: new Rng(1) };
// Example 0 has 3 valid steps, example 1 all 5, example 2 one.
const MASK = [
  [1, 1, 1, 0, 0],
  [1, 1, 1, 1, 1],
  [1, 0, 0, 0, 0],
];

type Params = Record<string, { values: number[]; shape: number[] }>;

/** The params of one direction, without its prefix. */
const direction = (p: Params, prefix: string): Params => Object.fromEntries(Object.entries(p).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));

/** Reverses the first `length` steps of a sequence, leaving the rest in place (plain JS). */
const reverseValid = <T>(seq: T[], length: number): T[] => [...seq.slice(0, length).reverse(), ...seq.slice(length)];

/** The wrapper's output composed by hand from the float64 reference cell run in both directions. */
function expectedOutput(kind: CellKind, p: Params, x: number[][][], mode: BidirectionalMode, mask?: number[][]): number[][][] {
  const lengths = x.map((seq, b) => (mask === undefined ? seq.length : (mask[b] as number[]).reduce((s, v) => s + v, 0)));
  const fwd = referenceSequence(kind, direction(p, 'fwd/'), x, N_OUT, mask).outputs;
  const reversed = x.map((seq, b) => reverseValid(seq, lengths[b] as number));
  const bwd = referenceSequence(kind, direction(p, 'bwd/'), reversed, N_OUT, mask).outputs.map((seq, b) => reverseValid(seq, lengths[b] as number));
  return fwd.map((seq, b) =>
    seq.map((f, t) => {
      const g = bwd[b]![t]!;
      if (mode === 'concat') return [...f, ...g];
      return f.map((v, j) => (mode === 'add' ? v + g[j]! : mode === 'mul' ? v * g[j]! : (v + g[j]!) / 2));
    }),
  );
}

function setup(kind: CellKind, mode?: BidirectionalMode) {
  const { layer, declarations } = buildLayer<Bidirectional>({ type: 'rnn/bidirectional', layer: { type: kind, nOut: N_OUT }, ...(mode === undefined ? {} : { mode }) }, [TIME, N_IN]);
  return { layer, declarations, p: randomParams(declarations, 3) };
}

describe('rnn/bidirectional', () => {
  it.each(['concat', 'add', 'mul', 'average'] as const)('%s: equals the wrapped cell run forwards and on each sequence reversed, with and without a mask', async (mode) => {
    const { layer, p } = setup('lstm', mode);
    const x = sequences(3, TIME, N_IN, 17);
    const params = toTensors(p);
    const input = tf.tensor3d(x);
    const mask = tf.tensor2d(MASK);
    for (const m of [undefined, MASK]) {
      const out = layer.forward(input, params, m === undefined ? inference : { ...inference, mask });
      expect(out.shape).toEqual([3, TIME, mode === 'concat' ? 2 * N_OUT : N_OUT]);
      expect(maxDiff(await out.array(), expectedOutput('lstm', p, x, mode, m)), `mask ${m !== undefined}`).toBeLessThan(2e-6);
      out.dispose();
    }
    tf.dispose([input, mask, ...Object.values(params)]);
  });

  it('wraps a GRU too; padding steps stay zero and the backward output at step 0 has read the whole valid sequence', async () => {
    const { layer, p } = setup('gru');
    const x = sequences(3, TIME, N_IN, 18);
    const params = toTensors(p);
    const input = tf.tensor3d(x);
    const mask = tf.tensor2d(MASK);
    const out = (await layer.forward(input, params, { ...inference, mask }).array()) as number[][][];
    expect(maxDiff(out, expectedOutput('gru', p, x, 'concat', MASK))).toBeLessThan(2e-6);
    expect(out[0]![3]!.every((v) => v === 0) && out[2]![1]!.every((v) => v === 0)).toBe(true);
    // Backward half at step 0 of example 0 = the backward cell's final state over steps 2, 1, 0.
    const last = referenceSequence('gru', direction(p, 'bwd/'), [[x[0]![2]!, x[0]![1]!, x[0]![0]!]], N_OUT).states[0]!.h;
    expect(maxDiff(out[0]![0]!.slice(N_OUT), last)).toBeLessThan(2e-6);
    tf.dispose([input, mask, ...Object.values(params)]);
  });

  it('passes the gradient check in both directions with a mask', async () => {
    // A simple RNN keeps the check small; the cells' own gradients are checked in recurrent-layers.test.ts.
    const { layer, declarations, p } = setup('simple-rnn', 'concat');
    const x = tf.tensor3d(sequences(3, TIME, N_IN, 19));
    const mask = tf.tensor2d(MASK);
    const weights = tf.tensor3d(sequences(3, TIME, 2 * N_OUT, 20));
    const names = declarations.map((d) => d.name);
    expect(names).toEqual(['fwd/W', 'fwd/RW', 'fwd/b', 'bwd/W', 'bwd/RW', 'bwd/b']);
    const start = toTensors(p);
    const result = await checkGradients(
      (values) => tf.sum(tf.mul(layer.forward(x, Object.fromEntries(names.map((n, i) => [n, values[i] as tf.Tensor])), { ...inference, mask }), weights)),
      names.map((n) => start[n] as tf.Tensor),
      { epsilon: 4e-3, maxRelativeError: 2e-2, minAbsoluteError: 2e-3 },
    );
    expect(result.failures).toEqual([]);
    expect(result.checked).toBe(declarations.reduce((n, d) => n + d.shape.reduce((a, b) => a * b, 1), 0));
    tf.dispose([x, mask, weights, ...Object.values(start)]);
  });

  it('round-trips its config through JSON and the registry, inheriting activation and weightInit', () => {
    const config = { type: 'rnn/bidirectional', layer: { type: 'lstm', nOut: N_OUT, forgetGateBiasInit: 2 }, mode: 'average', l2: 1e-4, weightInit: 'xavier-uniform' };
    const { layer, declarations } = buildLayer<Layer>(config, [TIME, N_IN]);
    const again = buildLayer<Layer>(JSON.parse(JSON.stringify(layer.config)) as Record<string, unknown>, [TIME, N_IN]);
    expect(again.layer.config).toEqual(layer.config);
    const describeDecl = (ds: ParamDeclaration[]) => ds.map((d) => [d.name, d.shape, d.role, d.init.config]);
    expect(describeDecl(again.declarations)).toEqual(describeDecl(declarations));
    expect(declarations.find((d) => d.name === 'bwd/W')?.init.key).toBe('layers/xavier-uniform');
    expect(declarations.find((d) => d.name === 'bwd/b')?.init.config).toEqual({ type: 'rnn/gate-bias', values: [0, 2, 0, 0] });
  });

  it('rejects bad configs with typed errors', () => {
    const make = (extra: Record<string, unknown>) => () => registry.create('layer', { type: 'rnn/bidirectional', name: 'bi', layer: { type: 'rnn/lstm', nOut: 2 }, ...extra });
    expect(make({ mode: 'max' })).toThrow(ConfigError);
    expect(make({ mode: 'max' })).toThrow('Layer "bi" (rnn/bidirectional): mode must be one of concat, add, mul, average, received "max"');
    expect(make({ layer: { type: 'layers/dense', nOut: 2 } })).toThrow('the wrapped layer layers/dense is not recurrent');
    expect(make({ layer: { type: 'rnn/lstm', nOut: 2, l2: 0.1 } })).toThrow('set l2 on the rnn/bidirectional layer, not on the wrapped rnn/lstm');
    expect(make({ layer: 'rnn/nope' })).toThrow(/Unknown layer "rnn\/nope"/);
    expect(make({ layer: { type: 'rnn/lstm', nOut: 2, forgetGateBiasInt: 1 } })).toThrow(
      'Layer "bi" (rnn/bidirectional): the wrapped rnn/lstm: unknown option "forgetGateBiasInt"; did you mean "forgetGateBiasInit"?',
    );
  });
});

describe('rnn/bidirectional in a network', () => {
  const layers = [
    { type: 'rnn/bidirectional' as const, name: 'bi', layer: { type: 'rnn/lstm' as const, nOut: 3 } },
    { type: 'rnn/rnn-output' as const, nOut: 2, activation: 'softmax' as const, loss: 'mcxent' as const, name: 'out' },
  ];
  const data = () => {
    const xs = sequences(6, 4, 2, 31);
    return SequenceDataSet.adopt({
      features: tf.tensor3d(xs),
      labels: tf.tensor3d(xs.map((seq) => seq.map((f) => (f[0]! > 0 ? [1, 0] : [0, 1])))),
      featuresMask: tf.tensor2d(xs.map((_, i) => [1, 1, 1, i % 2])),
    });
  };

  it('trains with full BPTT without leaking, and saves and loads its fwd/ and bwd/ parameters', async () => {
    const net = makeNetwork({ seed: 3, input: [null, 2], defaults: sgdDefaults(0.2), layers });
    expect(net.paramNames()).toEqual(['bi/fwd/W', 'bi/fwd/RW', 'bi/fwd/b', 'bi/bwd/W', 'bi/bwd/RW', 'bi/bwd/b', 'out/W', 'out/b']);
    const set = data();
    let scores: number[] = [];
    expect(await leakedTensors(async () => (scores = (await net.fit(set, { epochs: 6, batchSize: 3 })).meanScores))).toBe(0);
    expect(scores[scores.length - 1]!).toBeLessThan(scores[0]!);
    const loaded = deserializeModel(await serializeModel(net), { registry }).network;
    const x = tf.tensor3d(sequences(2, 4, 2, 32));
    const [a, b] = [net.output(x), loaded.output(x)];
    expect(maxDiff(await a.array(), await b.array())).toBe(0);
    tf.dispose([x, a, b]);
    set.dispose();
    net.dispose();
    loaded.dispose();
  });

  it('refuses truncated BPTT before any update, and RnnStepper, saying why', async () => {
    const net = makeNetwork({ seed: 3, input: [null, 2], defaults: sgdDefaults(0.2), layers, strategy: { type: 'rnn/truncated-bptt', forwardLength: 2 } });
    const read = async () => {
      const w = net.getParam('bi/fwd/W');
      const values = await w.array();
      w.dispose();
      return values;
    };
    const before = await read();
    const set = data();
    await expect(net.fit(set, { epochs: 1, batchSize: 3 })).rejects.toThrow(ConfigError);
    await expect(net.fit(set, { epochs: 1, batchSize: 3 })).rejects.toThrow('layer "bi" keeps no state to carry from segment to segment');
    expect(await read()).toEqual(before);
    expect(() => new RnnStepper(net)).toThrow(/RnnStepper: Layer "bi" \(rnn\/bidirectional\) needs whole sequences/);
    const [x, h] = [tf.zeros([1, 4, 2]), tf.zeros([1, 3])];
    expect(() => net.outputWithState(x, { state: new Map([['bi', { h }]]) })).toThrow(ConfigError);
    tf.dispose([x, h]);
    set.dispose();
    net.dispose();
  });
});
