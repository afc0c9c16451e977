import * as tf from '@tensorflow/tfjs-core';
import { ComputationGraph, ConfigError, DataSet, LAYER_COMMON_OPTIONS, LAYER_CONTRACT_VERSION, Network, Registry, deserializeModel, serializeModel } from '@dl4ts/core';
import type { Activation, BuildContext, GraphConfig, Loss, NetworkConfig, OutputLayer, ParamMap, ResolvedLayerConfig, Shape, WeightInit } from '@dl4ts/core';
import { afterAll, describe, expect, it } from 'vitest';
import { sgdDefinition } from '../sgd';
import { optimizerDefinitions } from './index';
import { logisticProblem } from './logistic-fixture';

// A minimal logistic-regression output layer, registered here because @dl4ts/layers and
// @dl4ts/losses are not dependencies of this package: y = sigmoid(x W + b), binary cross-entropy.
const zeros: WeightInit = { key: 'test/zeros', config: { type: 'test/zeros' }, init: ({ shape }) => new Float32Array(shape.reduce((a, b) => a * b, 1)) };
const sigmoid: Activation = { key: 'test/sigmoid', config: { type: 'test/sigmoid' }, apply: (x) => tf.sigmoid(x) };
const xent: Loss = {
  key: 'test/xent',
  config: { type: 'test/xent' },
  // log(1 + e^z) - y z per output, summed per example.
  scoreArray: ({ labels, preOutput: z }) => tf.sum(tf.sub(tf.add(tf.relu(z), tf.log1p(tf.exp(tf.neg(tf.abs(z))))), tf.mul(labels, z)), 1),
};

class LogisticOutput implements OutputLayer {
  readonly key = 'test/logistic';
  readonly activation = sigmoid;
  readonly loss = xent;
  constructor(readonly config: ResolvedLayerConfig) {}
  build(inputShape: Shape, context: BuildContext): Shape {
    const nIn = inputShape[0] as number;
    context.addParam({ name: 'W', shape: [nIn, 1], role: 'weight', init: zeros, fanIn: nIn, fanOut: 1 });
    context.addParam({ name: 'b', shape: [1], role: 'bias', init: zeros, fanIn: nIn, fanOut: 1 });
    return [1];
  }
  preOutput(input: tf.Tensor, params: ParamMap): tf.Tensor {
    return tf.add(tf.matMul(input as tf.Tensor2D, params.W as tf.Tensor2D), params.b as tf.Tensor);
  }
  forward(input: tf.Tensor, params: ParamMap): tf.Tensor {
    return tf.sigmoid(this.preOutput(input, params));
  }
}

const registry = new Registry();
registry.register({ kind: 'layer', key: 'test/logistic', contractVersion: LAYER_CONTRACT_VERSION, options: [...Object.keys(LAYER_COMMON_OPTIONS), 'nOut'], create: (config) => new LogisticOutput(config as ResolvedLayerConfig) });
registry.register(sgdDefinition); // the network's default updater, which these strategies never call
for (const definition of optimizerDefinitions) registry.register(definition);

const problem = logisticProblem();
const data = DataSet.from(problem.features, problem.labels.map((y) => [y]));
afterAll(() => data.dispose());

function network(strategy: Record<string, unknown>): Network {
  // Same objective as the fixture: mean cross-entropy + 0.5 * l2 * |W|^2 (no penalty on the bias).
  const config = { seed: 1, input: 5, defaults: { l2: problem.l2 }, layers: [{ type: 'test/logistic' }], strategy };
  return new Network(config as unknown as NetworkConfig, { registry }).init();
}

/** Trains epoch by epoch, recording the live tensor count after each. */
async function fitEpochs(net: Network, epochs: number, batchSize: number): Promise<{ counts: number[]; meanScores: number[] }> {
  const counts: number[] = [];
  const meanScores: number[] = [];
  for (let e = 0; e < epochs; e++) {
    const { meanScores: [score] } = await net.fit(data, { epochs: 1, batchSize, shuffle: false });
    meanScores.push(score as number);
    counts.push(tf.memory().numTensors);
  }
  return { counts, meanScores };
}

describe('whole-vector optimisers as the strategy of a Network', () => {
  for (const type of ['updaters/lbfgs', 'updaters/conjugate-gradient']) {
    it(`${type}: full-batch fit reaches the regularised optimum within 1e-5, with a constant tensor count after every epoch`, async () => {
      const net = network({ type, maxIterations: 10 });
      const { counts } = await fitEpochs(net, 4, problem.features.length);
      const final = await net.score(data.features, data.labels);
      expect(new Set(counts).size).toBe(1);
      expect(Math.abs(final - problem.optimum.loss)).toBeLessThan(1e-5);
      expect(net.iteration).toBe(4); // core counted one iteration per minibatch, whatever the strategy did inside
      net.dispose();
    });
  }

  for (const type of ['updaters/line-gradient-descent', 'updaters/conjugate-gradient', 'updaters/lbfgs', 'updaters/hessian-free']) {
    it(`${type}: minibatch fit (4 batches of 16 per epoch) keeps a constant tensor count after every epoch`, async () => {
      const net = network({ type, ...(type === 'updaters/hessian-free' ? { maxCgIterations: 5 } : {}) });
      const { counts, meanScores } = await fitEpochs(net, 3, 16);
      const final = await net.score(data.features, data.labels);
      expect(new Set(counts).size).toBe(1);
      for (const score of [...meanScores, final]) expect(Number.isFinite(score)).toBe(true);
      net.dispose();
    });
  }

  for (const type of ['updaters/line-gradient-descent', 'updaters/conjugate-gradient', 'updaters/lbfgs', 'updaters/hessian-free']) {
    it(`${type}: saved and loaded mid-run, a network resumes with the strategy's history, bitwise as if never stopped`, async () => {
      const options = { type, ...(type === 'updaters/hessian-free' ? { maxCgIterations: 5 } : {}) };
      const fit = (net: Network) => net.fit(data, { epochs: 1, batchSize: 16, shuffle: false });
      const straight = network(options);
      await fit(straight);
      await fit(straight);
      const stopped = network(options);
      await fit(stopped);
      const before = tf.memory().numTensors;
      const bytes = await serializeModel(stopped);
      const saved = stopped.strategyState()?.values;
      stopped.dispose();
      // Loaded and not yet stepped, a model reports the history it will resume with.
      const reloaded = deserializeModel(bytes, { registry }).network;
      expect(reloaded.strategyState()?.values).toEqual(saved);
      reloaded.dispose();
      const resumed = deserializeModel(bytes, { registry }).network;
      await fit(resumed);
      // The same parameters and counters with a fresh history instead: the strategy's state matters.
      const fresh = network(options);
      const loaded = deserializeModel(bytes, { registry }).network;
      for (const name of loaded.paramNames()) {
        const value = loaded.getParam(name);
        fresh.setParam(name, value);
        value.dispose();
      }
      fresh.setCounters({ iteration: loaded.iteration, epoch: loaded.epoch });
      loaded.dispose();
      await fit(fresh);
      const values = async (net: Network) => Float32Array.from((await net.getParam('logistic_0/W').data()) as Float32Array);
      expect(await values(resumed)).toEqual(await values(straight));
      if (type !== 'updaters/line-gradient-descent') expect(await values(fresh)).not.toEqual(await values(straight)); // the history matters
      expect(resumed.strategyState()?.values.parameters).toBe(6);
      [straight, resumed, fresh].forEach((n) => n.dispose());
      expect(tf.memory().numTensors).toBeLessThanOrEqual(before);
    });
  }

  it('refuses a history for another number of parameters at the next step, and a history for backprop, with typed errors', async () => {
    const net = network({ type: 'updaters/conjugate-gradient' });
    net.setStrategyState({ values: { parameters: 7 }, tensors: new Map() });
    await expect(net.fit(data, { epochs: 1, batchSize: 16, shuffle: false })).rejects.toThrow('updaters/conjugate-gradient: the restored history is for 7 parameters; this network trains 6');
    expect(() => net.setStrategyState({ values: {}, tensors: new Map() })).toThrow('updaters/conjugate-gradient: a restored history must say how many parameters it is for (values.parameters), received undefined');
    net.dispose();
    const plain = network({ type: 'updaters/conjugate-gradient' });
    const config = { ...plain.config, strategy: undefined };
    plain.dispose();
    const backprop = new Network(config as NetworkConfig, { registry }).init();
    expect(() => backprop.setStrategyState({ values: { parameters: 6 }, tensors: new Map() })).toThrow(ConfigError);
    expect(backprop.strategyState()).toBeUndefined();
    backprop.dispose();
  });

  it('updaters/lbfgs trains a ComputationGraph through the same target: the graph form of the problem reaches its optimum within 1e-5', async () => {
    const config = { seed: 1, inputs: { x: 5 }, defaults: { l2: problem.l2 }, vertices: [{ name: 'out', type: 'test/logistic', inputs: ['x'] }], outputs: ['out'], strategy: { type: 'updaters/lbfgs', maxIterations: 10 } };
    const graph = new ComputationGraph(config as unknown as GraphConfig, { registry }).init();
    for (let e = 0; e < 4; e++) await graph.fit(data, { epochs: 1, batchSize: problem.features.length, shuffle: false });
    const final = await graph.score({ features: [data.features], labels: [data.labels] });
    expect(Math.abs(final - problem.optimum.loss)).toBeLessThan(1e-5);
    graph.dispose();
  });
});
