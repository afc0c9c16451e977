import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { DataSet } from './data-set';
import { ConfigError } from './errors';
import { Network } from './network';
import type { NetworkConfig } from './network-config';
import { activationLossWarning } from './network-config';
import { X, Y, makeNet, mechanicsRegistry, registry } from './network-test-support';
import type { Batch, TrainingTarget } from './training-strategy';

describe('Network', () => {
  it('takes one full-batch SGD step equal to the closed-form gradient step (float64 reference)', async () => {
    const net = makeNet();
    const data = DataSet.from(X, Y);
    await net.fit(data, { epochs: 1, batchSize: 4, shuffle: false });
    // Reference: W0 = [0.1, 0.2], b0 = -0.05; loss = mean 0.5 (xW + b - y)^2.
    const W0 = [0.1, 0.2];
    const b0 = -0.05;
    const residual = X.map((x, i) => (x[0] as number) * W0[0]! + (x[1] as number) * W0[1]! + b0 - (Y[i]![0] as number));
    const gW = [0, 1].map((j) => residual.reduce((s, r, i) => s + r * (X[i]![j] as number), 0) / X.length);
    const gb = residual.reduce((s, r) => s + r, 0) / X.length;
    const W = await net.getParam('linear-out_0/W').data();
    const b = await net.getParam('linear-out_0/b').data();
    expect(W[0]).toBeCloseTo(W0[0]! - 0.1 * gW[0]!, 6);
    expect(W[1]).toBeCloseTo(W0[1]! - 0.1 * gW[1]!, 6);
    expect(b[0]).toBeCloseTo(b0 - 0.1 * gb, 6);
    expect(net.iteration).toBe(1);
    expect(net.epoch).toBe(1);
    data.dispose();
    net.dispose();
  });

  it('frees every tensor it allocated on dispose, also after re-initialising', () => {
    const before = tf.memory().numTensors;
    const net = makeNet();
    net.init(8);
    expect(tf.memory().numTensors - before).toBe(2); // W and b
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('requires an output layer at the end and unique layer names', () => {
    const reg = registry();
    expect(() => new Network({ input: 2, layers: [{ type: 'test/linear', nOut: 1 }] }, { registry: reg }).init()).toThrow(/has no loss/);
    expect(() =>
      new Network({ input: 2, layers: [{ type: 'test/linear', nOut: 1, name: 'a' } as never, { type: 'test/linear-out', nOut: 1, name: 'a' } as never] }, { registry: reg }).init(),
    ).toThrow(ConfigError);
  });

  it("selects the strategy by DL4J's optimizationAlgo name, through the registry", async () => {
    const reg = registry();
    let steps = 0;
    reg.register({
      kind: 'strategy',
      key: 'test/lbfgs',
      contractVersion: 1,
      create: () => ({
        key: 'test/lbfgs',
        config: { type: 'test/lbfgs' },
        step: (target: TrainingTarget, batch: Batch) => {
          steps++;
          return target.score(batch, true);
        },
      }),
    });
    const make = (extra: Record<string, unknown>) =>
      new Network({ seed: 7, input: 2, defaults: { updater: { type: 'test/sgd', lr: 0.1 } }, layers: [{ type: 'test/linear-out', nOut: 1 }], ...extra }, { registry: reg }).init();
    const lbfgs = make({ optimizationAlgo: 'LBFGS' });
    await lbfgs.fit({ features: X, labels: Y }, { epochs: 1, batchSize: 2 });
    expect(steps).toBe(2);
    lbfgs.dispose();
    const sgd = make({ optimizationAlgo: 'STOCHASTIC_GRADIENT_DESCENT' });
    await sgd.fit({ features: X, labels: Y }, { epochs: 1, batchSize: 2 });
    expect(steps).toBe(2); // backprop, not the registered strategy
    sgd.dispose();
    expect(() => make({ optimizationAlgo: 'LBFGS', strategy: 'test/lbfgs' })).toThrow('set either strategy or optimizationAlgo');
    expect(() => make({ optimizationAlgo: 'HESSIAN_FREE' })).toThrow(/HESSIAN_FREE/);
  });

  it('says that a disposed network was disposed, not that it was never initialised', async () => {
    const config: NetworkConfig = { input: 2, defaults: { updater: 'test/sgd' }, layers: [{ type: 'test/linear-out', nOut: 1 }] };
    const fresh = new Network(config, { registry: registry() });
    expect(() => fresh.output(tf.zeros([1, 2]))).toThrow('Network: call init() before using the network');
    const net = new Network(config, { registry: registry() }).init();
    net.dispose();
    const x = tf.zeros([1, 2]);
    expect(() => net.output(x)).toThrow('Network: this network was disposed');
    await expect(net.fit({ features: X, labels: Y })).rejects.toThrow('this network was disposed');
    expect(() => net.getParam('linear-out_0/W')).toThrow(expect.objectContaining({ code: 'DL4TS_DISPOSED' }));
    // init() builds it again.
    net.init();
    const y = net.output(x);
    expect(y.shape).toEqual([1, 1]);
    tf.dispose([x, y]);
    net.dispose();
  });

  it('prints a summary with shapes and parameter counts', () => {
    const net = new Network({ input: 2, defaults: { updater: 'test/sgd' }, layers: [{ type: 'test/linear', nOut: 3 }, { type: 'test/linear-out', nOut: 1 }] }, { registry: registry() }).init();
    const summary = net.summary();
    expect(summary).toMatch(/linear_0\s+test\/linear\s+\[3\]\s+9/);
    expect(summary).toMatch(/linear-out_1\s+test\/linear-out\s+\[1\]\s+4/);
    expect(summary).toMatch(/total\s+13/);
    net.dispose();
  });

  it('warns about softmax with MSE as about the other mismatched pairs, and not about matched ones', () => {
    expect(activationLossWarning('out', 'layers/softmax', 'losses/mse')).toMatch(/^Output layer "out": softmax with MSE learns slowly .* use MCXENT with softmax for classification, or identity with MSE for regression$/);
    expect(activationLossWarning('out', 'layers/softmax', 'losses/l2')).toContain('softmax with L2');
    expect(activationLossWarning('out', 'layers/softmax', 'losses/xent')).toContain('softmax with XENT');
    expect(activationLossWarning('out', 'layers/softmax', 'losses/mcxent')).toBeUndefined();
    expect(activationLossWarning('out', 'layers/identity', 'losses/mse')).toBeUndefined();
  });

  it('warns about sigmoid with MCXENT', () => {
    const seen: string[] = [];
    const net = new Network({ input: 2, defaults: { updater: 'test/sgd' }, layers: [{ type: 'test/sparse-out', activation: 'layers/sigmoid' }] }, { registry: mechanicsRegistry(), onWarning: (m) => seen.push(m) }).init();
    expect(seen).toEqual(['Output layer "sparse-out_0": sigmoid with MCXENT does not normalise over classes; use softmax with MCXENT, or XENT with sigmoid']);
    expect(net.warnings).toEqual(seen);
    net.dispose();
    seen.length = 0;
    new Network({ input: 2, defaults: { updater: 'test/sgd' }, layers: [{ type: 'test/sparse-out' }] }, { registry: mechanicsRegistry(), onWarning: (m) => seen.push(m) }).init().dispose();
    expect(seen).toEqual([]);
  });
});
