import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSet } from '../data-set';
import { ArtifactError } from '../errors';
import { X, Y, registry, signed } from '../io/artifact-test-support';
import { modelState as values } from '../testing/layer-kit';
import { deserializeGraph, deserializeModel, serializeModel } from '../io/model-artifact';
import { readSafetensorsData, readSafetensorsHeader } from '../io/safetensors';
import { Network } from '../network';
import { CheckpointListener, listCheckpoints } from '../node/checkpoint-listener';
import { loadGraph, saveModel } from '../node/model-files';
import { ComputationGraph } from './computation-graph';
import type { GraphConfig } from './graph-config';

// A frozen trunk, a trainable branch and a skip connection, trained with a momentum updater.
const CONFIG: GraphConfig = {
  seed: 5,
  inputs: { x: 3 },
  defaults: { updater: { type: 'ts/momentum', lr: 0.05 } },
  vertices: [
    { name: 'trunk', type: 'ts/dense', nOut: 4, frozen: true, inputs: ['x'] } as never,
    { name: 'branch', type: 'ts/dense', nOut: 4, inputs: ['trunk'] } as never,
    { name: 'skip', type: 'core/elementwise', op: 'add', inputs: ['trunk', 'branch'] },
    { name: 'out', type: 'ts/out', nOut: 2, inputs: ['skip'] } as never,
  ],
  outputs: ['out'],
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dl4ts-graph-io-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('graph artifacts', () => {
  it('resume bitwise: one epoch, save, load, one epoch equals two epochs; frozen vertices stay frozen', async () => {
    const data = DataSet.from(X, Y);
    const whole = new ComputationGraph(CONFIG, { registry: registry() }).init();
    const trunkBefore = await values(whole);
    await whole.fit(data, { epochs: 2, batchSize: 8 });
    const first = new ComputationGraph(CONFIG, { registry: registry() }).init();
    await first.fit(data, { epochs: 1, batchSize: 8 });
    const path = join(dir, 'graph.safetensors');
    await saveModel(first, path);
    first.dispose();
    const { graph } = await loadGraph(path, { registry: registry() });
    expect(graph.iteration).toBe(3);
    await graph.fit(data, { epochs: 1, batchSize: 8 });
    const [a, b] = [await values(whole), await values(graph)];
    expect(b).toEqual(a);
    expect(a['trunk/W']).toEqual(trunkBefore['trunk/W']);
    data.dispose();
    whole.dispose();
    graph.dispose();
  });

  it('refuses a graph artifact with a cycle or a missing vertex, and the wrong loader, with ArtifactError', async () => {
    const graph = new ComputationGraph(CONFIG, { registry: registry() }).init();
    const bytes = await serializeModel(graph);
    const header = readSafetensorsHeader(bytes);
    const tensors = new Map(header.entries.map((e) => [e.name, readSafetensorsData(bytes, header, e.name)]));
    const { checksum: _checksum, ...meta } = header.metadata;
    const withVertices = (vertices: unknown[]) => signed(tensors, { ...meta, config: JSON.stringify({ ...CONFIG, vertices }) });
    const [trunk, branch, skip, out] = CONFIG.vertices;
    const cycle = withVertices([{ ...trunk, inputs: ['x', 'skip'] }, branch, skip, out]);
    expect(() => deserializeGraph(cycle, { registry: registry() })).toThrow(ArtifactError);
    expect(() => deserializeGraph(cycle, { registry: registry() })).toThrow('the vertices form a cycle');
    const missing = withVertices([trunk, skip, out]);
    expect(() => deserializeGraph(missing, { registry: registry() })).toThrow('vertex "skip" names input "branch", which is neither a graph input nor a vertex');
    expect(() => deserializeModel(bytes, { registry: registry() })).toThrow('the file holds a ComputationGraph; load it with deserializeGraph');
    const net = new Network({ input: 3, layers: [{ type: 'ts/out', nOut: 2 } as never] }, { registry: registry() }).init();
    const netBytes = await serializeModel(net);
    expect(() => deserializeGraph(netBytes, { registry: registry() })).toThrow('the file holds a Network; load it with deserializeModel');
    const loaded = deserializeGraph(bytes, { registry: registry() }).graph;
    expect(await values(loaded)).toEqual(await values(graph));
    for (const m of [graph, net, loaded]) m.dispose();
  });

  it('checkpoints a graph every epoch; the newest checkpoint loads as the graph it was', async () => {
    const data = DataSet.from(X, Y);
    const graph = new ComputationGraph(CONFIG, { registry: registry() }).init();
    const directory = join(dir, 'checkpoints');
    await graph.fit(data, { epochs: 2, batchSize: 8, listeners: [new CheckpointListener({ directory, everyEpochs: 1, keepLast: 2 })] });
    const saved = await listCheckpoints(directory);
    expect(saved.map((c) => c.epoch)).toEqual([1, 2]);
    const { graph: loaded } = await loadGraph((saved.at(-1) as { path: string }).path, { registry: registry() });
    expect(await values(loaded)).toEqual(await values(graph));
    data.dispose();
    graph.dispose();
    loaded.dispose();
  });
});
