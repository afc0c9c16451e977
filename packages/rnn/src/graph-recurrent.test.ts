import * as tf from '@tensorflow/tfjs-core';
import { ComputationGraph, MultiDataSet, Network, deserializeGraph, serializeModel } from '@dl4ts/core';
import type { GraphConfig, NetworkConfig } from '@dl4ts/core';
import { leakedTensors, modelState as values } from '@dl4ts/core/testing';
import { describe, expect, it } from 'vitest';
import { SequenceDataSet } from './sequence-data-set';
import { maxDiff, registry, sequences } from './rnn-test-support';

const TBPTT = { type: 'rnn/truncated-bptt', forwardLength: 4, backwardLength: 4 } as const;
const DEFAULTS = { updater: { type: 'rnn-test/adam', learningRate: 0.02 } } as const;


// Two stacked LSTMs, a sequence output on each: the next-step targets of one input sequence.
const twoHeads: GraphConfig = {
  seed: 9,
  inputs: { seq: [null, 3] },
  defaults: DEFAULTS,
  vertices: [
    { name: 'lstm1', type: 'rnn/lstm', nOut: 5, inputs: ['seq'] },
    { name: 'lstm2', type: 'rnn/lstm', nOut: 4, inputs: ['lstm1'] },
    { name: 'low', type: 'rnn/rnn-output', nOut: 2, activation: 'identity', loss: 'mse', inputs: ['lstm1'] },
    { name: 'high', type: 'rnn/rnn-output', nOut: 3, activation: 'identity', loss: 'mse', inputs: ['lstm2'] },
  ],
  outputs: ['low', 'high'],
  strategy: TBPTT,
};

describe('recurrent layers in a graph', () => {
  it('trains a chain graph with truncated BPTT to bitwise the parameters of the equivalent Network', async () => {
    const layers = [
      { type: 'rnn/lstm', name: 'lstm', nOut: 4 },
      { type: 'rnn/rnn-output', name: 'out', nOut: 2, activation: 'identity', loss: 'mse' },
    ];
    const net = new Network({ seed: 3, input: [null, 3], defaults: DEFAULTS, layers, strategy: TBPTT } as unknown as NetworkConfig, { registry }).init();
    const graph = new ComputationGraph(
      { seed: 3, inputs: { input: [null, 3] }, defaults: DEFAULTS, vertices: [{ ...layers[0], inputs: ['input'] }, { ...layers[1], inputs: ['lstm'] }], outputs: ['out'], strategy: TBPTT } as unknown as GraphConfig,
      { registry },
    ).init();
    for (const model of [net, graph]) {
      const data = SequenceDataSet.adopt({ features: tf.tensor3d(sequences(4, 10, 3, 1)), labels: tf.tensor3d(sequences(4, 10, 2, 2)) });
      await (model as Network).fit(data, { epochs: 2, batchSize: 2 });
      data.dispose();
    }
    expect(await values(graph)).toEqual(await values(net));
    expect(graph.iteration).toBe(4);
    net.dispose();
    graph.dispose();
  });

  it('trains two sequence outputs with truncated BPTT leak-free, and steps statefully through segments', async () => {
    const graph = new ComputationGraph(twoHeads, { registry }).init();
    const data = MultiDataSet.adopt({ features: [tf.tensor3d(sequences(4, 12, 3, 5))], labels: [tf.tensor3d(sequences(4, 12, 2, 6)), tf.tensor3d(sequences(4, 12, 3, 7))] });
    const first = await graph.fit(data, { epochs: 1, batchSize: 4 });
    expect(await leakedTensors(() => graph.fit(data, { epochs: 2, batchSize: 4 }))).toBe(0);
    const last = await graph.fit(data, { epochs: 1, batchSize: 4 });
    expect(last.meanScores[0]).toBeLessThan(first.meanScores[0] as number);
    // Stepping: the first 7 steps, then the last 5 from the state they left, equal the whole sequence.
    const x = data.features[0] as tf.Tensor3D;
    const whole = graph.output([x]);
    const [head, tail] = [tf.slice(x, [0, 0, 0], [-1, 7, -1]), tf.slice(x, [0, 7, 0], [-1, 5, -1])];
    const a = graph.outputWithState([head]);
    const b = graph.outputWithState([tail], { state: a.state });
    for (const name of ['low', 'high']) {
      const stepped = tf.concat([a.outputs[name] as tf.Tensor, b.outputs[name] as tf.Tensor], 1);
      // The same operations step by step, so the same values.
      expect(maxDiff(await stepped.array(), await (whole[name] as tf.Tensor).array()), name).toBe(0);
      stepped.dispose();
    }
    expect([...b.state.keys()]).toEqual(['lstm1', 'lstm2']);
    for (const s of [...a.state.values(), ...b.state.values()]) tf.dispose(Object.values(s));
    tf.dispose([head, tail, ...Object.values(whole), ...Object.values(a.outputs), ...Object.values(b.outputs)]);
    data.dispose();
    graph.dispose();
  });

  it('saves and loads a graph with a recurrent branch and a frozen vertex, resuming bitwise', async () => {
    // A sequence through an LSTM to its last step, merged with a frozen dense view of a static vector.
    const config: GraphConfig = {
      seed: 12,
      inputs: { seq: [5, 3], extra: 2 },
      defaults: DEFAULTS,
      vertices: [
        { name: 'lstm', type: 'rnn/lstm', nOut: 4, inputs: ['seq'] },
        { name: 'last', type: 'core/last-time-step', inputs: ['lstm'] },
        { name: 'side', type: 'layers/dense', nOut: 3, activation: 'tanh', frozen: true, inputs: ['extra'] },
        { name: 'both', type: 'core/merge', inputs: ['last', 'side'] },
        { name: 'out', type: 'layers/output', nOut: 2, activation: 'softmax', loss: 'mcxent', inputs: ['both'] },
      ],
      outputs: ['out'],
    } as unknown as GraphConfig;
    const labels = sequences(1, 8, 2, 9)[0]?.map((r) => ((r[0] as number) > (r[1] as number) ? [1, 0] : [0, 1])) as number[][];
    const make = () => MultiDataSet.adopt({ features: [tf.tensor3d(sequences(8, 5, 3, 8)), tf.tensor2d(sequences(1, 8, 2, 10)[0] as number[][])], labels: [tf.tensor2d(labels)] });
    const data = make();
    const whole = new ComputationGraph(config, { registry }).init();
    const sideBefore = (await values(whole))['side/W'];
    await whole.fit(data, { epochs: 2, batchSize: 4 });
    const first = new ComputationGraph(config, { registry }).init();
    await first.fit(data, { epochs: 1, batchSize: 4 });
    const { graph } = deserializeGraph(await serializeModel(first), { registry });
    first.dispose();
    await graph.fit(data, { epochs: 1, batchSize: 4 });
    const [a, b] = [await values(whole), await values(graph)];
    expect(b).toEqual(a);
    expect(a['side/W']).toEqual(sideBefore);
    expect([...graph.updaterState().keys()].some((k) => k.startsWith('side/'))).toBe(false);
    expect([...graph.updaterState().keys()].some((k) => k.startsWith('lstm/'))).toBe(true);
    data.dispose();
    whole.dispose();
    graph.dispose();
  });
});
