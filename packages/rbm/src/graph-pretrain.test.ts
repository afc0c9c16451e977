import { ComputationGraph, Network } from '@dl4ts/core';
import type { GraphConfig, NetworkConfig } from '@dl4ts/core';
import { leakedTensors, modelState as values } from '@dl4ts/core/testing';
import { describe, expect, it } from 'vitest';
import { pretrain, unlabeled } from './pretrain';
import { barsAndStripes, registry } from './test-support';

// DL4J's ComputationGraph.pretrain: the RBMs of a graph pretrained layer-wise, each on what reaches it.
const LAYERS = [
  { type: 'rbm/rbm', name: 'rbm1', nOut: 6, persistent: 5, sampleVisible: true, l2: 1e-3 },
  { type: 'rbm/rbm', name: 'rbm2', nOut: 4, k: 2 },
  { type: 'layers/output', name: 'out', nOut: 2, activation: 'softmax', loss: 'mcxent' },
];
const DEFAULTS = { updater: { type: 'updaters/nesterovs', learningRate: 0.05, momentum: 0.5 } } as const;
const PATTERNS = barsAndStripes();


describe('pretraining the RBMs of a graph', () => {
  it('pretrains a chain graph to bitwise the parameters and state of the equivalent Network', async () => {
    const net = new Network({ seed: 31, input: 9, defaults: DEFAULTS, layers: LAYERS } as unknown as NetworkConfig, { registry }).init();
    const vertices = LAYERS.map((l, i) => ({ ...l, inputs: [i === 0 ? 'input' : (LAYERS[i - 1]?.name as string)] }));
    const graph = new ComputationGraph({ seed: 31, inputs: { input: 9 }, defaults: DEFAULTS, vertices, outputs: ['out'] } as unknown as GraphConfig, { registry }).init();
    for (const model of [net, graph]) {
      const data = unlabeled(PATTERNS);
      await pretrain(model, data, { epochs: { rbm1: 3, rbm2: 2 }, batchSize: 3 });
      data.dispose();
    }
    expect(await values(graph)).toEqual(await values(net));
    net.dispose();
    graph.dispose();
  });

  it('pretrains two RBMs on two branches of one input, leak-free, each on the input it reads', async () => {
    const graph = new ComputationGraph(
      {
        seed: 5,
        inputs: { pixels: 9 },
        defaults: DEFAULTS,
        vertices: [
          { name: 'left', type: 'rbm/rbm', nOut: 4, inputs: ['pixels'] },
          { name: 'right', type: 'rbm/rbm', nOut: 3, inputs: ['pixels'] },
          { name: 'both', type: 'core/merge', inputs: ['left', 'right'] },
          { name: 'top', type: 'rbm/rbm', nOut: 2, inputs: ['both'] },
          { name: 'out', type: 'layers/output', nOut: 2, activation: 'softmax', loss: 'mcxent', inputs: ['top'] },
        ],
        outputs: ['out'],
      } as unknown as GraphConfig,
      { registry },
    ).init();
    const before = await values(graph);
    const data = unlabeled(PATTERNS);
    await pretrain(graph, data, { epochs: 1, batchSize: 4 });
    let scores: Record<string, number[]> = {};
    expect(await leakedTensors(async () => (scores = await pretrain(graph, data, { epochs: 1, batchSize: 4 })))).toBe(0);
    expect(Object.keys(scores)).toEqual(['left', 'right', 'top']);
    const after = await values(graph);
    for (const layer of ['left', 'right', 'top']) expect(after[`${layer}/W`]).not.toEqual(before[`${layer}/W`]);
    expect(graph.numParams('top')).toBe(7 * 2 + 2 + 7);
    data.dispose();
    graph.dispose();
  });
});
