import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, LAYER_COMMON_OPTIONS, ShapeError, STRATEGY_CONTRACT_VERSION, isMultiBatch } from '@dl4ts/core';
import type { AnyBatch, Batch, ComponentDefinition, ForwardContext, NetworkConfig, ParamMap, RecurrentLayer, RecurrentState, ResolvedLayerConfig, Shape, TrainingStrategy, TrainingTarget, BuildContext } from '@dl4ts/core';
import { leakedTensors } from '@dl4ts/core/testing';
import { describe, expect, it } from 'vitest';
import { makeNetwork, registry, sequences, sgdDefaults } from './rnn-test-support';
import { SequenceDataSet } from './sequence-data-set';
import { sliceSteps, truncatedBptt } from './truncated-bptt';

const TIME = 6;

declare module '@dl4ts/core' {
  interface LayerConfigMap {
    'rnn-test/probe': { name?: string };
  }
  interface StrategyConfigMap {
    'rnn-test/capture': Record<never, never>;
  }
}

/**
 * Adds a trainable `shift[t]` to the input at absolute step t (the offset is carried as state), so
 * the gradient in `shift[t]` is the gradient with respect to the input at step t.
 */
class Probe implements RecurrentLayer {
  readonly key = 'rnn-test/probe';
  readonly isRecurrent = true as const;
  constructor(readonly config: ResolvedLayerConfig) {}
  build(shape: Shape, context: BuildContext): Shape {
    const zeros = { key: 'rnn-test/zeros', config: { type: 'rnn-test/zeros' }, init: () => new Float32Array(TIME * (shape[1] as number)) };
    context.addParam({ name: 'shift', shape: [TIME, shape[1] as number], role: 'weight', init: zeros, fanIn: 1, fanOut: 1 });
    return shape;
  }
  forward(x: tf.Tensor, params: ParamMap, context: ForwardContext): tf.Tensor {
    return this.forwardWithState(x, params, context, undefined).output;
  }
  forwardWithState(x: tf.Tensor, params: ParamMap, _context: ForwardContext, state: RecurrentState | undefined): { output: tf.Tensor; state: RecurrentState } {
    const offset = state?.t === undefined ? 0 : (state.t.dataSync()[0] as number);
    const length = x.shape[1] as number;
    return { output: tf.add(x, tf.slice(params.shift as tf.Tensor, [offset, 0], [length, -1])), state: { t: tf.scalar(offset + length) } };
  }
}

let onStep: (target: TrainingTarget, batch: AnyBatch) => tf.Tensor = () => tf.scalar(0);
const definitions: ComponentDefinition[] = [
  { kind: 'layer', key: 'rnn-test/probe', contractVersion: 1, options: [...Object.keys(LAYER_COMMON_OPTIONS), 'nOut'], create: (config) => new Probe(config as ResolvedLayerConfig) },
  {
    kind: 'strategy',
    key: 'rnn-test/capture',
    contractVersion: STRATEGY_CONTRACT_VERSION,
    create: (): TrainingStrategy => ({ key: 'rnn-test/capture', config: { type: 'rnn-test/capture' }, step: (target, batch) => onStep(target, batch) }),
  },
];
registry.use({ name: 'rnn-test-bptt', definitions });

type Grads = Map<string, number[]>;
const read = (gradients: ReadonlyMap<string, tf.Tensor>): Grads => new Map([...gradients].map(([k, g]) => [k, Array.from(g.dataSync())]));

/** The target, with applyGradients recording the gradients instead of applying them. */
function recording(target: TrainingTarget, log: Grads[]): TrainingTarget {
  return { ...target, trainableParams: () => target.trainableParams(), applyGradients: (g) => void log.push(read(g)), counters: target.counters };
}

const probeConfig = (cell: string): NetworkConfig => ({
  seed: 3,
  input: [TIME, 2],
  defaults: sgdDefaults(0.1),
  strategy: { type: 'rnn-test/capture' },
  layers: [
    { type: 'rnn-test/probe', name: 'probe' },
    { type: cell as 'rnn/lstm', nOut: 3, name: 'cell' },
    { type: 'rnn/rnn-output', nOut: 2, activation: 'identity', loss: 'mse', name: 'out' },
  ],
});

function probeData(seed = 31): SequenceDataSet {
  return SequenceDataSet.adopt({ features: tf.tensor3d(sequences(2, TIME, 2, seed)), labels: tf.tensor3d(sequences(2, TIME, 2, seed + 1)) });
}

/** Runs one minibatch through `step` with the capture strategy. */
async function capture(cell: string, step: (target: TrainingTarget, batch: Batch) => void, seed = 31): Promise<void> {
  const net = makeNetwork(probeConfig(cell));
  const data = probeData(seed);
  onStep = (target, batch) => {
    if (isMultiBatch(batch)) throw new Error('a network steps on single batches');
    step(target, batch);
    return tf.scalar(0);
  };
  await net.fit(data, { epochs: 1, batchSize: 2, shuffle: false });
  data.dispose();
  net.dispose();
}

function expectClose(a: number[], b: number[], tol: number): void {
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => expect(Math.abs(v - (b[i] as number)), `entry ${i}: ${v} vs ${b[i]}`).toBeLessThanOrEqual(tol));
}

const labelsMask = (steps: number[]) => tf.tensor2d([steps, steps]);

describe.each(['rnn/lstm', 'rnn/gru'])('truncated BPTT with %s', (cell) => {
  it('with forwardLength = backwardLength = sequence length, gives exactly full BPTT', async () => {
    for (const length of [TIME, 10]) {
      const log: Grads[] = [];
      let full: Grads = new Map();
      await capture(cell, (target, batch) => {
        tf.tidy(() => truncatedBptt({ forwardLength: length, backwardLength: length }).step(recording(target, log), batch));
        tf.tidy(() => {
          full = read(target.scoreAndGradients(batch, true, undefined, { penalties: false }).gradients);
        });
      });
      expect(log.length).toBe(1);
      for (const [k, g] of full) expect(log[0]!.get(k), k).toEqual(g);
    }
  });

  it('cuts gradients at segment boundaries while the state carries over', async () => {
    const log: Grads[] = [];
    const refs: Record<string, Grads> = {};
    await capture(cell, (target, batch) => {
      tf.tidy(() => truncatedBptt({ forwardLength: 3 }).step(recording(target, log), batch));
      const grads = (b: Batch, state?: Map<string, RecurrentState>) => read(target.scoreAndGradients(b, true, undefined, { penalties: false, ...(state ? { recurrentState: state } : {}) }).gradients);
      tf.tidy(() => {
        // Full BPTT of the loss of steps 0-2 only, and of steps 3-5 only.
        refs.first = grads({ ...batch, labelsMask: labelsMask([1, 1, 1, 0, 0, 0]) });
        refs.second = grads({ ...batch, labelsMask: labelsMask([0, 0, 0, 1, 1, 1]) });
        const carried = target.scoreAndGradients(sliceSteps(batch, 0, 3), true).recurrentState as Map<string, RecurrentState>;
        refs.secondCarried = grads(sliceSteps(batch, 3, 3), carried);
        refs.secondFromZero = grads(sliceSteps(batch, 3, 3));
      });
    });
    expect(log.length).toBe(2);
    const [first, second] = log as [Grads, Grads];
    const shift = (g: Grads, from: number, to: number) => g.get('probe/shift')!.slice(from * 2, to * 2);
    // The second segment's gradient with respect to the inputs before the boundary is zero...
    expect(shift(second, 0, 3)).toEqual([0, 0, 0, 0, 0, 0]);
    // ...where full BPTT's is not: the truncation, not the model, cuts it.
    expect(Math.max(...shift(refs.second!, 0, 3).map(Math.abs))).toBeGreaterThan(1e-3);
    // The first segment is full BPTT of its own loss (the loss at steps 0-2 sees only steps 0-2).
    for (const [k, g] of refs.first!) expectClose(first.get(k)!, g, 1e-6);
    // The second segment starts from the carried state, not from zeros.
    for (const [k, g] of refs.secondCarried!) if (k !== 'probe/shift') expectClose(second.get(k)!, g, 1e-6);
    const rw = `cell/RW`;
    expect(Math.max(...second.get(rw)!.map((v, i) => Math.abs(v - refs.secondFromZero!.get(rw)![i]!)))).toBeGreaterThan(1e-4);
  });

  it('with backwardLength < forwardLength, cuts inside the segment and updates once per segment', async () => {
    const bySegment: Grads[] = [];
    const byHorizon: Grads[] = [];
    await capture(cell, (target, batch) => {
      tf.tidy(() => truncatedBptt({ forwardLength: 3 }).step(recording(target, bySegment), batch));
      tf.tidy(() => truncatedBptt({ forwardLength: 6, backwardLength: 3 }).step(recording(target, byHorizon), batch));
    });
    expect(byHorizon.length).toBe(1);
    for (const [k, g] of byHorizon[0]!) expectClose(g, bySegment[0]!.get(k)!.map((v, i) => v + bySegment[1]!.get(k)![i]!), 1e-6);
  });
});

describe('truncated BPTT on lengths that leave a one-step piece', () => {
  // 7 steps, forwardLength 4, backwardLength 2: the last piece is step 6 alone. tfjs's gradient of
  // a one-output unstack threw here for every layer that unstacks its steps.
  for (const type of ['rnn/simple-rnn', 'rnn/gru', 'rnn/lstm', 'rnn/graves-lstm'] as const) {
    it(`${type} trains without leaking`, async () => {
      const net = makeNetwork({
        seed: 3,
        input: [null, 2],
        defaults: sgdDefaults(),
        strategy: { type: 'rnn/truncated-bptt', forwardLength: 4, backwardLength: 2 },
        layers: [{ type, name: 'cell', nOut: 3 }, { type: 'rnn/rnn-output', nOut: 2, activation: 'identity', loss: 'mse' }],
      });
      const data = SequenceDataSet.adopt({ features: tf.tensor3d(sequences(3, 7, 2, 51)), labels: tf.tensor3d(sequences(3, 7, 2, 52)) });
      const before = net.getParam('cell/W');
      expect(await leakedTensors(() => net.fit(data, { epochs: 2, batchSize: 3 }))).toBe(0);
      const after = net.getParam('cell/W');
      expect(tf.max(tf.abs(tf.sub(after, before))).dataSync()[0]).toBeGreaterThan(0);
      tf.dispose([before, after]);
      data.dispose();
      net.dispose();
    });
  }
});

describe('truncated BPTT memory and errors', () => {
  it('keeps the tensor count flat across segments and minibatches, and leaks nothing', async () => {
    const net = makeNetwork({ ...probeConfig('rnn/lstm'), input: [null, 2], layers: probeConfig('rnn/lstm').layers.slice(1) });
    const counts: number[] = [];
    const strategy = truncatedBptt({ forwardLength: 3 });
    onStep = (target, batch) => strategy.step({ ...target, applyGradients: (g) => (counts.push(tf.memory().numTensors), target.applyGradients(g)) }, batch);
    const data = SequenceDataSet.adopt({ features: tf.tensor3d(sequences(4, 12, 2, 41)), labels: tf.tensor3d(sequences(4, 12, 2, 42)) });
    expect(await leakedTensors(() => net.fit(data, { epochs: 2, batchSize: 2 }))).toBe(0);
    expect(counts.length).toBe(2 * 2 * 4);
    expect(new Set(counts).size).toBe(1);
    data.dispose();
    net.dispose();
  });

  it('fits through the registry key and rejects bad options and non-sequence labels', async () => {
    const net = makeNetwork({ ...probeConfig('rnn/gru'), input: [null, 2], layers: probeConfig('rnn/gru').layers.slice(1), strategy: { type: 'rnn/truncated-bptt', forwardLength: 2 } });
    const data = probeData();
    const before = net.getParam('cell/W');
    expect(await leakedTensors(() => net.fit(data, { epochs: 1 }))).toBe(0);
    const after = net.getParam('cell/W');
    expect(tf.max(tf.abs(tf.sub(after, before))).dataSync()[0]).toBeGreaterThan(0);
    tf.dispose([before, after]);
    data.dispose();
    net.dispose();
    expect(() => truncatedBptt({ forwardLength: 2, backwardLength: 3 })).toThrow('backwardLength (3) must be at most forwardLength (2)');
    expect(() => truncatedBptt({ forwardLength: 0 })).toThrow(ConfigError);
    expect(() => registry.create('strategy', { type: 'rnn/truncated-bptt', length: 3 })).toThrow('unknown option(s) length');
    const x = tf.zeros([2, 4, 2]);
    const y = tf.zeros([2, 2]);
    expect(() => truncatedBptt().step({} as TrainingTarget, { features: x, labels: y })).toThrow(ShapeError);
    tf.dispose([x, y]);
  });
});
