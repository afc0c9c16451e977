import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, Network } from '@dl4ts/core';
import { describe, expect, it } from 'vitest';
import { meanFreeEnergy, pseudoLogLikelihood, reconstructionError } from './monitors';
import { unlabeled } from './pretrain';
import type { Matrix, Rbm64 } from './test-support';
import { addRow, matmul, mean64, params64, registry, softplus64, transpose } from './test-support';

// The monitors read the RBM named "rbm2", whose input is rbm1's hidden means: the reference
// computes that input in float64 too.
const net = (): Network =>
  new Network(
    {
      seed: 5,
      input: 5,
      layers: [
        { type: 'rbm/rbm', name: 'rbm1', nOut: 4, weightInit: { type: 'layers/distribution', distribution: { type: 'normal', std: 0.8 } } },
        { type: 'rbm/rbm', name: 'rbm2', nOut: 3, weightInit: { type: 'layers/distribution', distribution: { type: 'normal', std: 0.8 } }, biasInit: 0.1, visibleBiasInit: -0.2 },
        { type: 'layers/output', nOut: 2, activation: 'softmax', loss: 'mcxent' },
      ],
    },
    { registry },
  ).init();

const X: Matrix = [
  [1, 0, 1, 1, 0],
  [0, 1, 0, 1, 1],
  [1, 1, 0, 0, 0],
  [0, 0, 1, 0, 1],
  [1, 0, 0, 1, 1],
];

const free64 = (v: number[], p: Rbm64) => -v.reduce((s, x, i) => s + x * (p.vb[i] as number), 0) - p.b.reduce((s, c, j) => s + softplus64(v.reduce((t, x, i) => t + x * ((p.W[i] as number[])[j] as number), c)), 0);

describe('RBM monitors on a layer of a network', () => {
  it('reconstruction error, free energy and pseudo-log-likelihood equal the float64 formulas, on tensors and batch sources', async () => {
    const n = net();
    const p1 = await params64(n, 'rbm1');
    const p2 = await params64(n, 'rbm2');
    const v = mean64('binary', addRow(matmul(X, p1.W), p1.b)); // rbm2's input
    const r = mean64('binary', addRow(matmul(mean64('binary', addRow(matmul(v, p2.W), p2.b)), transpose(p2.W)), p2.vb));
    const rec = v.reduce((s, row, k) => s + row.reduce((t, x, i) => t + (x - ((r[k] as number[])[i] as number)) ** 2, 0), 0) / X.length;
    const fe = v.reduce((s, row) => s + free64(row, p2), 0) / X.length;
    // PLL of rbm1 on binary data: sum_i log sigmoid(F(v~i) - F(v)).
    const pll = X.reduce((s, row) => s + row.reduce((t, x, i) => {
      const flipped = row.map((y, j) => (j === i ? 1 - y : y));
      return t - softplus64(-(free64(flipped, p1) - free64(row, p1)));
    }, 0), 0) / X.length;

    const x = tf.tensor2d(X);
    const data = unlabeled(X);
    expect(await reconstructionError(n, 'rbm2', x, { batchSize: 2 })).toBeCloseTo(rec, 5);
    expect(await reconstructionError(n, 'rbm2', data)).toBeCloseTo(rec, 5);
    expect(await meanFreeEnergy(n, 'rbm2', x, { batchSize: 3 })).toBeCloseTo(fe, 5);
    expect(await pseudoLogLikelihood(n, 'rbm1', x, { batchSize: 2 })).toBeCloseTo(pll, 5);
    expect(await pseudoLogLikelihood(n, 'rbm1', data)).toBeCloseTo(pll, 5);
    const before = tf.memory().numTensors;
    await pseudoLogLikelihood(n, 'rbm1', x);
    await reconstructionError(n, 'rbm2', data);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(x);
    data.dispose();
    n.dispose();
  });

  it('names the layer and what was expected when it is not an RBM, or the units do not fit', async () => {
    const n = net();
    const x = tf.tensor2d(X);
    await expect(reconstructionError(n, 'nope', x)).rejects.toThrow('RBM monitor: no layer named "nope"; layers: rbm1, rbm2, output_2');
    await expect(meanFreeEnergy(n, 'output_2', x)).rejects.toThrow('RBM monitor: layer "output_2" is layers/output, expected an rbm/rbm layer');
    const g = new Network({ input: 5, layers: [{ type: 'rbm/rbm', name: 'g', nOut: 3, visibleUnit: 'gaussian' }, { type: 'layers/output', nOut: 2, activation: 'softmax', loss: 'mcxent' }] }, { registry }).init();
    expect(() => pseudoLogLikelihood(g, 'g', x)).toThrow(ConfigError);
    expect(() => pseudoLogLikelihood(g, 'g', x)).toThrow('pseudoLogLikelihood: layer "g" has gaussian visible and binary hidden units; expected binary visible and binary hidden units');
    tf.dispose(x);
    g.dispose();
    n.dispose();
  });
});
