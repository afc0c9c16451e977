import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { DataSet } from '../data-set';
import { ConfigError, ShapeError, UnknownKeyError } from '../errors';
import { Network } from '../network';
import { X, Y, registry } from '../network-test-support';
import { checkGradients } from '../testing/gradient-check';
import { leakedTensors } from '../testing/memory';
import { networkTarget } from '../testing/network-target';
import { ComputationGraph } from './computation-graph';
import type { GraphConfig } from './graph-config';
import { graphConfig, linear, linearOut } from './graph-test-support';
import { MultiDataSet } from './multi-data-set';
import { deserializeGraph, serializeModel } from '../io/model-artifact';
import { Registry } from '../registry';
import type { Vertex } from './vertex';

const reg = registry();
const make = (config: GraphConfig) => new ComputationGraph(config, { registry: reg }).init();

/** test/ramp: W[i][j] = 0.1 (i nOut + j + 1), b[j] = -0.05 (j + 1). */
function rampLayer(nIn: number, nOut: number): (x: number[]) => number[] {
  return (x) => Array.from({ length: nOut }, (_, j) => x.reduce((s, xi, i) => s + xi * 0.1 * (i * nOut + j + 1), 0) - 0.05 * (j + 1));
}

// Two inputs, two outputs: a = linear(x); out1 reads merge(a, z); out2 reads a + z; out2 weighs 0.5.
const twoByTwo = graphConfig({
  inputs: { x: 2, z: 3 },
  vertices: [
    linear('a', 3, ['x']),
    { name: 'joined', type: 'core/merge', inputs: ['a', 'z'] },
    { name: 'sum', type: 'core/elementwise', op: 'add', inputs: ['a', 'z'] },
    linearOut('out1', 1, ['joined']),
    linearOut('out2', 2, ['sum']),
  ],
  outputs: ['out1', 'out2'],
  lossWeights: { out2: 0.5 },
});
const Z = [
  [0.5, -1, 2],
  [1, 0, -0.5],
  [-1, 1, 1],
  [0.25, 0.5, -2],
];
const Y2 = [
  [1, 0],
  [0, 1],
  [-1, 2],
  [0.5, 0.5],
];

describe('ComputationGraph', () => {
  it('scores two inputs and two outputs as the weighted sum of their mean losses (float64 reference)', async () => {
    const graph = make(twoByTwo);
    const [fa, f1, f2] = [rampLayer(2, 3), rampLayer(6, 1), rampLayer(3, 2)];
    const half = (p: number[], y: number[]) => 0.5 * p.reduce((s, v, j) => s + (v - (y[j] as number)) ** 2, 0);
    let l1 = 0;
    let l2 = 0;
    X.forEach((x, n) => {
      const a = fa(x);
      const z = Z[n] as number[];
      l1 += half(f1([...a, ...z]), Y[n] as number[]);
      l2 += half(f2(a.map((v, j) => v + (z[j] as number))), Y2[n] as number[]);
    });
    const expected = l1 / 4 + 0.5 * (l2 / 4);
    const batch = { features: [tf.tensor2d(X), tf.tensor2d(Z)], labels: [tf.tensor2d(Y), tf.tensor2d(Y2)] };
    const score = await graph.score(batch);
    expect(Math.abs(score - expected)).toBeLessThanOrEqual(1e-6 * Math.abs(expected));
    const outputs = graph.output({ x: batch.features[0] as tf.Tensor, z: batch.features[1] as tf.Tensor });
    expect(Object.keys(outputs)).toEqual(['out1', 'out2']);
    expect((outputs.out2 as tf.Tensor).shape).toEqual([4, 2]);
    tf.dispose([...batch.features, ...batch.labels, ...Object.values(outputs)]);
    graph.dispose();
  });

  it('differentiates through merge and element-wise vertices (finite differences of the whole score)', async () => {
    const graph = make(twoByTwo);
    const target = networkTarget(graph);
    const batch = { features: [tf.tensor2d(X), tf.tensor2d(Z)], labels: [tf.tensor2d(Y), tf.tensor2d(Y2)] };
    const names = [...target.trainableParams().keys()];
    const params = names.map((n) => target.trainableParams().get(n) as tf.Tensor);
    const result = await checkGradients((ps) => target.score(batch, true, new Map(names.map((n, i) => [n, ps[i] as tf.Tensor]))), params, { absoluteTolerance: 1e-3 });
    expect(result.failures).toEqual([]);
    expect(result.checked).toBe(2 * 3 + 3 + (6 + 1) + (3 * 2 + 2));
    tf.dispose([...batch.features, ...batch.labels]);
    graph.dispose();
  });

  it('trains a chain to bitwise the parameters of the equivalent Network from the same seed', async () => {
    const layers = [
      { type: 'test/linear', nOut: 3, dropout: 0.8 },
      { type: 'test/linear-out', nOut: 1 },
    ];
    const net = new Network({ seed: 3, input: 2, defaults: { updater: { type: 'test/sgd', lr: 0.1 } }, layers: layers as never }, { registry: reg }).init();
    const graph = make(
      graphConfig({
        seed: 3,
        inputs: { input: 2 },
        vertices: [linear('linear_0', 3, ['input'], { dropout: 0.8 }), linearOut('linear-out_1', 1, ['linear_0'])],
        outputs: ['linear-out_1'],
      }),
    );
    const data = DataSet.from(X, Y);
    await net.fit(data, { epochs: 3, batchSize: 2 });
    await graph.fit(data, { epochs: 3, batchSize: 2 });
    for (const name of net.paramNames()) {
      const [a, b] = [net.getParam(name), graph.getParam(name)];
      expect(Array.from(b.dataSync()), name).toEqual(Array.from(a.dataSync()));
      tf.dispose([a, b]);
    }
    expect(graph.iteration).toBe(6);
    data.dispose();
    net.dispose();
    graph.dispose();
  });

  it('fits a MultiDataSet leak-free, lowering the score, and evaluates every output', async () => {
    const graph = make(twoByTwo);
    const data = MultiDataSet.from({ features: [X, Z], labels: [Y, Y2] });
    const first = await graph.fit(data, { epochs: 1, batchSize: 2 });
    expect(await leakedTensors(() => graph.fit(data, { epochs: 2, batchSize: 2 }))).toBe(0);
    const last = await graph.fit(data, { epochs: 1, batchSize: 2 });
    expect(last.meanScores[0]).toBeLessThan(first.meanScores[0] as number);
    const evaluations = await graph.evaluateRegression(data);
    expect(Object.keys(evaluations)).toEqual(['out1', 'out2']);
    expect(evaluations.out2?.meanSquaredError(0)).toBeGreaterThanOrEqual(0);
    data.dispose();
    graph.dispose();
  });

  it('names the arrays a batch lacks or has too many of', async () => {
    const graph = make(twoByTwo);
    const data = MultiDataSet.from({ features: [X], labels: [Y, Y2] });
    await expect(graph.fit(data)).rejects.toThrow('Minibatch has 1 features arrays; the model expects 2, one for each of its inputs "x", "z"');
    const single = DataSet.from(X, Y);
    await expect(graph.fit(single)).rejects.toThrow(ShapeError);
    const x = tf.tensor2d(X);
    expect(() => graph.output([x])).toThrow('received 1 inputs for 2 inputs (x, z); missing z');
    expect(() => graph.output({ x, q: x })).toThrow('inputs name "q", which is not an input; inputs: x, z');
    expect(() => graph.output({ x, z: x })).toThrow('Input "z": input has 2 features, expected 3');
    tf.dispose(x);
    data.dispose();
    single.dispose();
    graph.dispose();
  });

  it('rejects unknown inputs, cycles, unused inputs, dead vertices and mismatched shapes, naming them', () => {
    const graph = (vertices: GraphConfig['vertices'], extra: Partial<GraphConfig> = {}) => () => make(graphConfig({ inputs: { x: 2 }, vertices, outputs: ['out'], ...extra }));
    expect(graph([linear('hidden', 2, ['x']), linearOut('out', 1, ['hiden'])])).toThrow('vertex "out" names input "hiden", which is neither a graph input nor a vertex; did you mean "hidden"?');
    expect(graph([linear('a', 2, ['c']), linear('b', 2, ['a']), linear('c', 2, ['b', 'x']), linearOut('out', 1, ['b'])])).toThrow('the vertices form a cycle, "a" -> "b" -> "c" -> "a"');
    expect(graph([linear('a', 2, ['x']), linearOut('out', 1, ['a'])], { inputs: { x: 2, y: 3 } })).toThrow('input "y" is not read by any vertex on the way to an output');
    expect(graph([linear('a', 2, ['x']), linear('dead', 2, ['a']), linearOut('out', 1, ['a'])])).toThrow('vertex "dead" reaches no output');
    expect(graph([linear('a', 2, ['x']), linear('b', 3, ['x']), { name: 'sum', type: 'core/elementwise', op: 'add', inputs: ['a', 'b'] }, linearOut('out', 1, ['sum'])])).toThrow(
      'Vertex "sum" (core/elementwise): input "b" has shape [3], but input "a" has [2]',
    );
    expect(graph([linear('a', 2, ['x']), linearOut('out', 1, ['a', 'x'])])).toThrow('a layer takes one input, received 2 (a, x); combine them first');
    expect(graph([linear('a', 2, ['x'])], { outputs: ['a'] })).toThrow('output "a" (test/linear) has no loss');
    expect(graph([linear('x', 2, ['x']), linearOut('out', 1, ['x'])])).toThrow('"x" names an input too');
    expect(graph([{ name: 'q', type: 'core/nope', inputs: ['x'] } as never, linearOut('out', 1, ['q'])])).toThrow(UnknownKeyError);
    expect(graph([{ name: 's', type: 'core/scale', scale: 2, scael: 3, inputs: ['x'] } as never, linearOut('out', 1, ['s'])])).toThrow(ConfigError);
    expect(graph([linear('a', 2, ['x']), linearOut('out', 1, ['a'])], { lossWeights: { a: 1 } })).toThrow('lossWeights names "a", which is not an output');
    expect(graph([linear('a', 2, ['x']), linearOut('out', 1, ['a'])], { layers: [] } as never)).toThrow(ConfigError);
  });

  it('summarises each vertex with its inputs, output shape and parameter count', () => {
    const graph = make(twoByTwo);
    const summary = graph.summary();
    expect(summary).toContain('input "x" [2], input "z" [3]');
    expect(summary).toMatch(/joined\s+core\/merge\s+a, z\s+\[6\]\s+0/);
    expect(summary).toMatch(/out2\s+test\/linear-out\s+sum\s+\[2\]\s+8/);
    expect(summary).toMatch(/total\s+24/);
    graph.dispose();
  });

  it('takes a vertex from a plugin, typed by VertexConfigMap, saved and loaded like a built-in, and named when missing', async () => {
    // A plugin's vertex: the square of its input.
    const plugin = {
      name: 'square-plugin',
      definitions: [
        {
          kind: 'vertex' as const,
          key: 'sq/square',
          contractVersion: 1,
          provider: '@acme/square',
          options: [],
          create: (config: Record<string, unknown>): Vertex => ({ key: 'sq/square', config: config as Vertex['config'], build: (shapes) => shapes[0] as number[], forward: (inputs) => tf.square(inputs[0] as tf.Tensor) }),
        },
      ],
    };
    const withPlugin = () => {
      const r = registry();
      r.use(plugin);
      return r;
    };
    const config = graphConfig({ inputs: { x: 2 }, vertices: [{ name: 'sq', type: 'sq/square', inputs: ['x'] } as never, linearOut('out', 1, ['sq'])], outputs: ['out'] });
    const graph = new ComputationGraph(config, { registry: withPlugin() }).init();
    const x = tf.tensor2d([[1, -2]]);
    const out = graph.output(x).out as tf.Tensor;
    // out = 0.1 * 1 + 0.2 * 4 - 0.05 (test/ramp weights).
    expect((await out.data())[0]).toBeCloseTo(0.1 + 0.8 - 0.05, 6);
    const bytes = await serializeModel(graph);
    const loaded = deserializeGraph(bytes, { registry: withPlugin() }).graph;
    expect(loaded.summary()).toContain('sq/square');
    loaded.dispose();
    expect(() => deserializeGraph(bytes, { registry: registry() })).toThrow('the registry lacks vertex sq/square (1 missing). @acme/square provides: vertex sq/square');
    expect(() => new Registry().register({ ...plugin.definitions[0], contractVersion: 2 } as never)).toThrow('vertex contract version 2');
    tf.dispose([x, out]);
    graph.dispose();
  });
});
