import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, DataSet, Network, Rng, ShapeError } from '@dl4ts/core';
import type { LayerConfig, NetworkConfig } from '@dl4ts/core';
import { loadModel, saveModel } from '@dl4ts/core/node';
import { describe, expect, it } from 'vitest';
import { pretrain, unlabeled } from './pretrain';
import type { Matrix } from './test-support';
import { addRow, barsAndStripes, matmul, mean64, params64, registry, transpose } from './test-support';
import { unrollAutoencoder } from './unroll';

const output = { type: 'layers/output', name: 'out', nOut: 2, activation: 'softmax', loss: 'mcxent' } as const;

function stack(layers: LayerConfig[], input: number, seed = 5): Network {
  const config: NetworkConfig = { seed, input, defaults: { updater: { type: 'updaters/nesterovs', learningRate: 0.1, momentum: 0.5 } }, layers: [...layers, output] };
  return new Network(config, { registry }).init();
}

/** Random values in [-1, 1) from a seeded stream, so the test does not rely on the initialisers. */
function randomize(net: Network, seed: number): void {
  const rng = new Rng(seed);
  for (const name of net.paramNames()) {
    const t = net.getParam(name);
    const values = Float32Array.from({ length: t.size }, () => 2 * rng.uniform() - 1);
    const next = tf.tensor(values, t.shape);
    net.setParam(name, next);
    tf.dispose([t, next]);
  }
}

async function array(t: tf.Tensor): Promise<Matrix> {
  const values = (await t.array()) as Matrix;
  t.dispose();
  return values;
}

describe('unrollAutoencoder: the forward pass is the RBMs up passes, then their down passes', () => {
  it('6-4-3 (binary, then gaussian code units): encoder, code and reconstruction match a float64 computation', async () => {
    const dbn = stack([{ type: 'rbm/rbm', name: 'r1', nOut: 4 }, { type: 'rbm/rbm', name: 'r2', nOut: 3, hiddenUnit: 'gaussian' }], 6);
    randomize(dbn, 11);
    const before = tf.memory().numTensors;
    const ae = unrollAutoencoder(dbn);
    expect(ae.layers.map((l) => `${l.config.name}:${l.key}`)).toEqual(['encoder1:layers/dense', 'encoder2:layers/dense', 'decoder2:layers/dense', 'decoder1:layers/output']);
    const x: Matrix = [[1, 0, 1, 1, 0, 0], [0, 0.5, 0.25, 1, 1, 0], [0.1, 0.9, 0, 0, 1, 1]];
    const p1 = await params64(dbn, 'r1');
    const p2 = await params64(dbn, 'r2');
    const h1 = mean64('binary', addRow(matmul(x, p1.W), p1.b));
    const code = mean64('gaussian', addRow(matmul(h1, p2.W), p2.b));
    const r1 = mean64('binary', addRow(matmul(code, transpose(p2.W)), p2.vb));
    const r0 = mean64('binary', addRow(matmul(r1, transpose(p1.W)), p1.vb));
    const input = tf.tensor2d(x);
    const outs = ae.feedForward(input);
    const got = await Promise.all(outs.map(array));
    const out = await array(ae.output(input));
    input.dispose();
    const close = (a: Matrix, b: Matrix) => a.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo((b[i] as number[])[j] as number, 5)));
    close(got[0] as Matrix, h1);
    close(got[1] as Matrix, code);
    close(got[2] as Matrix, r1);
    close(got[3] as Matrix, r0);
    close(out, r0);
    // The code units are linear: some of them leave [0, 1], as a sigmoid never would.
    expect(code.flat().some((v) => v < 0 || v > 1)).toBe(true);
    ae.dispose();
    expect(tf.memory().numTensors).toBe(before);
    dbn.dispose();
  });

  it('layers picks a bottom part of the stack; the source is left as it was', async () => {
    const dbn = stack([{ type: 'rbm/rbm', name: 'r1', nOut: 4 }, { type: 'rbm/rbm', name: 'r2', nOut: 3 }], 6);
    const ae = unrollAutoencoder(dbn, { layers: ['r1'], loss: 'mse' });
    expect(ae.layers.map((l) => l.config.name)).toEqual(['encoder1', 'decoder1']);
    const W = await array(ae.getParam('decoder1/W'));
    const source = await params64(dbn, 'r1');
    expect(W).toEqual(transpose(source.W).map((r) => r.map((v) => Math.fround(v))));
    expect(Array.from(await ae.getParam('decoder1/b').data())).toEqual(source.vb);
    ae.dispose();
    dbn.dispose();
  });

  it('stacks RBMs trained in separate networks; the unrolled net saves and loads like any other', async () => {
    const a = stack([{ type: 'rbm/rbm', name: 'rbm', nOut: 5 }], 8, 1);
    const b = stack([{ type: 'rbm/rbm', name: 'rbm', nOut: 3, visibleUnit: 'binary' }], 5, 2);
    const ae = unrollAutoencoder([{ network: a, layer: 'rbm' }, { network: b, layer: 'rbm' }]);
    expect(ae.layers.map((l) => l.config.name)).toEqual(['encoder1', 'encoder2', 'decoder2', 'decoder1']);
    const dir = await mkdtemp(join(tmpdir(), 'dl4ts-unroll-'));
    try {
      await saveModel(ae, join(dir, 'ae'));
      const { network: loaded } = await loadModel(join(dir, 'ae'), { registry });
      const x = tf.tensor2d([[1, 0, 1, 0, 1, 1, 0, 0]]);
      expect(await array(loaded.output(x))).toEqual(await array(ae.output(x)));
      x.dispose();
      loaded.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    [ae, a, b].forEach((n) => n.dispose());
  });
});

describe('unrollAutoencoder: stacks that cannot be unrolled get typed errors', () => {
  it('non-RBM layers, wrong order, unknown names, mismatched shapes', () => {
    const mixed = stack([{ type: 'rbm/rbm', name: 'r1', nOut: 4 }, { type: 'layers/dense', name: 'd', nOut: 4 } as LayerConfig, { type: 'rbm/rbm', name: 'r2', nOut: 3 }], 6);
    expect(() => unrollAutoencoder(mixed, { layers: ['r1', 'd'] })).toThrow(/layer "d" is layers\/dense, expected rbm\/rbm/);
    expect(() => unrollAutoencoder(mixed, { layers: ['r1', 'r2'] })).toThrow(ConfigError);
    expect(() => unrollAutoencoder(mixed, { layers: ['r1', 'r2'] })).toThrow(/"r2" is layer 2/);
    expect(() => unrollAutoencoder(mixed, { layers: ['r9'] })).toThrow(/no layer "r9"/);
    expect(() => unrollAutoencoder(mixed, { layers: [] })).toThrow(ConfigError);
    // Without `layers`, the RBMs below the first other layer.
    const ae = unrollAutoencoder(mixed);
    expect(ae.layers).toHaveLength(2);
    ae.dispose();
    const dense = stack([{ type: 'layers/dense', name: 'd', nOut: 4 } as LayerConfig], 6);
    expect(() => unrollAutoencoder(dense)).toThrow(/first layer "d" is layers\/dense, expected rbm\/rbm/);
    const a = stack([{ type: 'rbm/rbm', name: 'rbm', nOut: 5 }], 8);
    const b = stack([{ type: 'rbm/rbm', name: 'rbm', nOut: 3 }], 4);
    expect(() => unrollAutoencoder([{ network: a, layer: 'rbm' }, { network: b, layer: 'rbm' }])).toThrow(ShapeError);
    expect(() => unrollAutoencoder([{ network: a, layer: 'rbm' }, { network: b, layer: 'rbm' }])).toThrow(/has 4 visible units, expected 5/);
    expect(() => unrollAutoencoder([{ network: a, layer: 'out' }])).toThrow(/layer "out" is layers\/output, expected rbm\/rbm/);
    expect(() => unrollAutoencoder([])).toThrow(ConfigError);
    expect(() => unrollAutoencoder([{ network: a, layer: 'rbm' }], { layers: ['rbm'] })).toThrow(ConfigError);
    [mixed, dense, a, b].forEach((n) => n.dispose());
  });
});

describe('unrollAutoencoder: fine-tuning on reconstruction', () => {
  it('a 9-8-4 deep autoencoder of bars and stripes reconstructs 4x better after fine-tuning than right after unrolling, leaking no tensor', async () => {
    const patterns = barsAndStripes();
    const dbn = stack([{ type: 'rbm/rbm', name: 'r1', nOut: 8 }, { type: 'rbm/rbm', name: 'r2', nOut: 4 }], 9, 3);
    const x = unlabeled(patterns);
    await pretrain(dbn, x, { epochs: 300, batchSize: 7 });
    x.dispose();
    const ae = unrollAutoencoder(dbn, { defaults: { updater: { type: 'updaters/adam', learningRate: 0.05 } } });
    const data = DataSet.from(patterns, patterns);
    const unrolled = await ae.score(data.features, data.labels);
    const tensors: number[] = [];
    const result = await ae.fit(data, { epochs: 150, batchSize: 7, listeners: [{ onEpochEnd: () => void tensors.push(tf.memory().numTensors) }] });
    const tuned = await ae.score(data.features, data.labels);
    // Measured (cpu): binary cross-entropy 1.69 nats per pattern right after unrolling (9 pixels;
    // a model that knows nothing, 9 ln 2 = 6.24), 0.047 after fine-tuning.
    expect(unrolled).toBeLessThan(2.5);
    expect(tuned).toBeLessThan(unrolled / 4);
    expect(result.meanScores[result.meanScores.length - 1]).toBeLessThan(result.meanScores[0] as number);
    expect(new Set(tensors).size).toBe(1);
    // Untied after unrolling: the decoder's weights moved away from the encoder's transpose.
    const enc = await array(ae.getParam('encoder1/W'));
    const dec = await array(ae.getParam('decoder1/W'));
    expect(Math.max(...transpose(enc).flatMap((row, i) => row.map((v, j) => Math.abs(v - ((dec[i] as number[])[j] as number)))))).toBeGreaterThan(1e-3);
    data.dispose();
    ae.dispose();
    dbn.dispose();
  });
});
