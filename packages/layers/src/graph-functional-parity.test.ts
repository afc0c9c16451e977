// A dl4ts ComputationGraph against tfjs-layers' functional API (tf.model({ inputs, outputs })) on
// the same weights: the outputs, and the gradients of the same loss with respect to every weight.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ComputationGraph, Rng } from '@dl4ts/core';
import type { GraphConfig } from '@dl4ts/core';
import { networkTarget } from '@dl4ts/core/testing';
import { describe, expect, it } from 'vitest';
import { registry } from './layer-test-support';

const TOLERANCE = 1e-5;

function normals(seed: number, rows: number, cols: number): tf.Tensor2D {
  const rng = new Rng(seed);
  return tf.tensor2d(Array.from({ length: rows * cols }, () => rng.normal()), [rows, cols]);
}

function oneHotRows(seed: number, rows: number, classes: number): tf.Tensor2D {
  const rng = new Rng(seed);
  return tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(Array.from({ length: rows }, () => Math.floor(rng.uniform() * classes)), 'int32'), classes), 'float32')) as tf.Tensor2D;
}

/** Copies the graph's dense weights into the tfjs-layers layers of the same name. */
function copyWeights(graph: ComputationGraph, model: tfl.LayersModel, names: readonly string[]): void {
  for (const name of names) {
    const [W, b] = [graph.getParam(`${name}/W`), graph.getParam(`${name}/b`)];
    model.getLayer(name).setWeights([W, b]);
    tf.dispose([W, b]);
  }
}

/** The largest |a - b| over two tensors of one shape. */
async function maxDifference(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  expect(a.shape).toEqual(b.shape);
  const d = tf.max(tf.abs(tf.sub(a, b)));
  const value = (await d.data())[0] as number;
  d.dispose();
  return value;
}

/**
 * Compares outputs (graph vs model) and the gradients of `loss(outputs)`: the graph's come from
 * its training target (data loss, no penalty), the model's from tf.variableGrads over its weights.
 */
async function compare(
  graph: ComputationGraph,
  model: tfl.LayersModel,
  features: tf.Tensor[],
  labels: tf.Tensor[],
  loss: (outputs: tf.Tensor[]) => tf.Scalar,
  layerNames: readonly string[],
): Promise<void> {
  copyWeights(graph, model, layerNames);
  const ours = graph.output(features);
  const theirs = model.predict(features) as tf.Tensor | tf.Tensor[];
  const theirList = Array.isArray(theirs) ? theirs : [theirs];
  for (const [k, name] of graph.outputNames.entries()) expect(await maxDifference(ours[name] as tf.Tensor, theirList[k] as tf.Tensor), `output ${name}`).toBeLessThanOrEqual(TOLERANCE);
  const target = networkTarget(graph);
  const { gradients, score } = target.scoreAndGradients({ features, labels }, false, undefined, { penalties: false });
  const { value, grads } = tf.variableGrads(() => {
    const out = model.apply(features, { training: false }) as tf.Tensor | tf.Tensor[];
    return loss(Array.isArray(out) ? out : [out]);
  });
  expect(Math.abs(((await score.data())[0] as number) - ((await value.data())[0] as number))).toBeLessThanOrEqual(TOLERANCE);
  for (const name of layerNames) {
    const [kernel, bias] = model.getLayer(name).trainableWeights as [tfl.LayerVariable, tfl.LayerVariable];
    expect(await maxDifference(gradients.get(`${name}/W`) as tf.Tensor, grads[kernel.name] as tf.Tensor), `${name}/W`).toBeLessThanOrEqual(TOLERANCE);
    expect(await maxDifference(gradients.get(`${name}/b`) as tf.Tensor, grads[bias.name] as tf.Tensor), `${name}/b`).toBeLessThanOrEqual(TOLERANCE);
  }
  tf.dispose([...Object.values(ours), ...theirList, ...gradients.values(), score, value, ...Object.values(grads)]);
}

/** Mean over rows of -sum(y log p): the categorical cross-entropy of softmax outputs. */
const crossEntropy = (p: tf.Tensor, y: tf.Tensor): tf.Scalar => tf.mean(tf.neg(tf.sum(tf.mul(y, tf.log(p)), -1)));
/** Mean over rows of the mean squared error over columns (layer-test/mse). */
const meanSquared = (p: tf.Tensor, y: tf.Tensor): tf.Scalar => tf.mean(tf.mean(tf.square(tf.sub(p, y)), -1));

describe('ComputationGraph against the tfjs-layers functional API, same weights (cpu)', () => {
  it('a residual block: dense, dense, add, softmax output', async () => {
    const config: GraphConfig = {
      seed: 3,
      inputs: { x: 4 },
      defaults: { weightInit: 'xavier', updater: { type: 'layer-test/sgd', learningRate: 0.1 } },
      vertices: [
        { name: 'd1', type: 'layers/dense', nOut: 5, activation: 'relu', inputs: ['x'] },
        { name: 'd2', type: 'layers/dense', nOut: 5, activation: 'tanh', inputs: ['d1'] },
        { name: 'skip', type: 'core/elementwise', op: 'add', inputs: ['d1', 'd2'] },
        { name: 'out', type: 'layers/output', nOut: 3, activation: 'softmax', loss: 'layer-test/mcxent', inputs: ['skip'] },
      ],
      outputs: ['out'],
    };
    const graph = new ComputationGraph(config, { registry }).init();
    const x = tfl.input({ shape: [4], name: 'x' });
    const d1 = tfl.layers.dense({ units: 5, activation: 'relu', name: 'd1' }).apply(x) as tfl.SymbolicTensor;
    const d2 = tfl.layers.dense({ units: 5, activation: 'tanh', name: 'd2' }).apply(d1) as tfl.SymbolicTensor;
    const skip = tfl.layers.add().apply([d1, d2]) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: 3, activation: 'softmax', name: 'out' }).apply(skip) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: x, outputs: out });
    const features = [normals(1, 8, 4)];
    const labels = [oneHotRows(2, 8, 3)];
    await compare(graph, model, features, labels, ([p]) => crossEntropy(p as tf.Tensor, labels[0] as tf.Tensor), ['d1', 'd2', 'out']);
    tf.dispose([...features, ...labels]);
    model.dispose();
    graph.dispose();
  });

  it('two inputs and two outputs: a merge, a shared trunk, weighted losses', async () => {
    const config: GraphConfig = {
      seed: 4,
      inputs: { a: 3, b: 2 },
      defaults: { weightInit: 'xavier', updater: { type: 'layer-test/sgd', learningRate: 0.1 } },
      vertices: [
        { name: 'da', type: 'layers/dense', nOut: 4, activation: 'tanh', inputs: ['a'] },
        { name: 'joined', type: 'core/merge', inputs: ['da', 'b'] },
        { name: 'cls', type: 'layers/output', nOut: 2, activation: 'softmax', loss: 'layer-test/mcxent', inputs: ['joined'] },
        { name: 'reg', type: 'layers/output', nOut: 1, activation: 'identity', loss: 'layer-test/mse', inputs: ['da'] },
      ],
      outputs: ['cls', 'reg'],
      lossWeights: { reg: 0.5 },
    };
    const graph = new ComputationGraph(config, { registry }).init();
    const a = tfl.input({ shape: [3], name: 'a' });
    const b = tfl.input({ shape: [2], name: 'b' });
    const da = tfl.layers.dense({ units: 4, activation: 'tanh', name: 'da' }).apply(a) as tfl.SymbolicTensor;
    const joined = tfl.layers.concatenate().apply([da, b]) as tfl.SymbolicTensor;
    const cls = tfl.layers.dense({ units: 2, activation: 'softmax', name: 'cls' }).apply(joined) as tfl.SymbolicTensor;
    const reg = tfl.layers.dense({ units: 1, name: 'reg' }).apply(da) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: [a, b], outputs: [cls, reg] });
    const features = [normals(5, 6, 3), normals(6, 6, 2)];
    const labels = [oneHotRows(7, 6, 2), normals(8, 6, 1)];
    const loss = ([p1, p2]: tf.Tensor[]) => tf.add(crossEntropy(p1 as tf.Tensor, labels[0] as tf.Tensor), tf.mul(0.5, meanSquared(p2 as tf.Tensor, labels[1] as tf.Tensor))) as tf.Scalar;
    await compare(graph, model, features, labels, loss, ['da', 'cls', 'reg']);
    tf.dispose([...features, ...labels]);
    model.dispose();
    graph.dispose();
  });
});
