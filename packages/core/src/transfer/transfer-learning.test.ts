import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { DataSet } from '../data-set';
import { ConfigError } from '../errors';
import { ComputationGraph } from '../graph/computation-graph';
import { X, Y, registry } from '../io/artifact-test-support';
import { modelState as values } from '../testing/layer-kit';
import { deserializeGraph, deserializeModel, serializeModel } from '../io/model-artifact';
import { Network } from '../network';
import { GraphTransferLearning } from './graph-transfer-learning';
import { TransferLearning } from './transfer-learning';

const Y3 = Y.map(([a, b]) => [a as number, b as number, (a as number) - (b as number)]);

async function trainedNetwork(): Promise<Network> {
  const net = new Network(
    {
      seed: 2,
      input: 3,
      defaults: { updater: { type: 'ts/momentum', lr: 0.05 } },
      layers: [
        { type: 'ts/dense', name: 'h1', nOut: 4 },
        { type: 'ts/dense', name: 'h2', nOut: 4 },
        { type: 'ts/out', name: 'out', nOut: 2 },
      ] as never,
    },
    { registry: registry() },
  ).init();
  await net.fit({ features: X, labels: Y }, { epochs: 2, batchSize: 8 });
  return net;
}

const pick = (all: Record<string, number[]>, prefix: string) => Object.fromEntries(Object.entries(all).filter(([k]) => k.startsWith(prefix)));

describe('TransferLearning (Network)', () => {
  it('freezes the feature extractor, copies kept layers, re-initialises a replaced output, and applies the fine-tune options', async () => {
    const source = await trainedNetwork();
    const before = await values(source);
    const student = new TransferLearning(source).fineTune({ updater: { type: 'ts/momentum', lr: 0.01 }, seed: 9 }).setFeatureExtractor('h1').nOutReplace('out', 3).build();
    const start = await values(student);
    expect(pick(start, 'h1/')).toEqual(pick(before, 'h1/'));
    expect(pick(start, 'h2/')).toEqual(pick(before, 'h2/'));
    expect(student.numParams('out')).toBe(4 * 3 + 3);
    expect(student.config.layers.map((l) => (l as { frozen?: boolean }).frozen)).toEqual([true, undefined, undefined]);
    expect(student.config.layers[1]).toMatchObject({ updater: { type: 'ts/momentum', lr: 0.01 } });
    // A frozen layer holds no updater state.
    expect([...student.updaterState().keys()].filter((k) => k.startsWith('h1/'))).toEqual([]);
    expect([...student.updaterState().keys()].filter((k) => k.startsWith('h2/'))).toEqual(['h2/W/v', 'h2/b/v']);
    await student.fit({ features: X, labels: Y3 }, { epochs: 2, batchSize: 8 });
    const after = await values(student);
    expect(pick(after, 'h1/')).toEqual(pick(before, 'h1/'));
    expect(after['h2/W']).not.toEqual(before['h2/W']);
    // The source is untouched; the frozen marks survive a save and load, which resumes bitwise.
    expect(await values(source)).toEqual(before);
    const loaded = deserializeModel(await serializeModel(student), { registry: registry() }).network;
    expect((loaded.config.layers[0] as { frozen?: boolean }).frozen).toBe(true);
    expect(await values(loaded)).toEqual(after);
    const data = DataSet.from(X, Y3);
    await loaded.fit(data, { epochs: 1, batchSize: 8 });
    await student.fit(data, { epochs: 1, batchSize: 8 });
    expect(await values(loaded)).toEqual(await values(student));
    data.dispose();
    for (const m of [source, student, loaded]) m.dispose();
  });

  it('removes output layers and adds new ones, freshly initialised', async () => {
    const source = await trainedNetwork();
    const student = new TransferLearning(source).removeLayersFromOutput(2).addLayer({ type: 'ts/out', name: 'head', nOut: 1 } as never).build();
    expect(student.layers.map((l) => l.config.name)).toEqual(['h1', 'head']);
    const [a, b] = [source.getParam('h1/W'), student.getParam('h1/W')];
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([a, b]);
    expect(() => new TransferLearning(source).setFeatureExtractor('nope')).toThrow('no layer named "nope"; layers: h1, h2, out');
    expect(() => new TransferLearning(source).removeLayersFromOutput(3)).toThrow('n must be an integer from 1 to 2');
    expect(() => new TransferLearning(source).removeOutputLayer().nOutReplace('out', 2).build()).toThrow('layer "out" is among the 1 removed from the output');
    expect(() => new TransferLearning(source).fineTune({ learningRate: 0.1 } as never)).toThrow(ConfigError);
    student.dispose();
    source.dispose();
  });
});

describe('GraphTransferLearning', () => {
  it('freezes a vertex and its ancestors, swaps the output, and trains only the rest', async () => {
    const source = new ComputationGraph(
      {
        seed: 4,
        inputs: { x: 3 },
        defaults: { updater: { type: 'ts/momentum', lr: 0.05 } },
        vertices: [
          { name: 'trunk', type: 'ts/dense', nOut: 4, inputs: ['x'] } as never,
          { name: 'branch', type: 'ts/dense', nOut: 4, inputs: ['trunk'] } as never,
          { name: 'side', type: 'ts/dense', nOut: 4, inputs: ['x'] } as never,
          { name: 'skip', type: 'core/elementwise', op: 'add', inputs: ['branch', 'side'] },
          { name: 'out', type: 'ts/out', nOut: 2, inputs: ['skip'] } as never,
        ],
        outputs: ['out'],
      },
      { registry: registry() },
    ).init();
    await source.fit({ features: [X], labels: [Y] }, { epochs: 1, batchSize: 8 });
    const before = await values(source);
    const tuned = new GraphTransferLearning(source)
      .setFeatureExtractor('branch')
      .removeVertexAndConnections('out')
      .addLayer('head', { type: 'ts/out', nOut: 3 } as never, 'skip')
      .setOutputs('head')
      .build();
    expect(tuned.config.vertices.filter((v) => (v as { frozen?: boolean }).frozen === true).map((v) => v.name)).toEqual(['trunk', 'branch']);
    const start = await values(tuned);
    for (const layer of ['trunk/', 'branch/', 'side/']) expect(pick(start, layer)).toEqual(pick(before, layer));
    await tuned.fit({ features: [X], labels: [Y3] }, { epochs: 2, batchSize: 8 });
    const after = await values(tuned);
    expect(pick(after, 'trunk/')).toEqual(pick(before, 'trunk/'));
    expect(pick(after, 'branch/')).toEqual(pick(before, 'branch/'));
    expect(after['side/W']).not.toEqual(before['side/W']);
    const loaded = deserializeGraph(await serializeModel(tuned), { registry: registry() }).graph;
    expect(await values(loaded)).toEqual(after);
    expect(() => new GraphTransferLearning(source).nOutReplace('nope', 2)).toThrow('no vertex named "nope"');
    for (const m of [source, tuned, loaded]) m.dispose();
  });
});
