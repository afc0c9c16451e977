// The cross-backend conformance suite of @dl4ts/core/testing, on the cpu backend: cpu against
// itself must agree exactly (every computation is deterministic), and a deliberately wrong kernel
// must be caught, which shows the suite can fail.
import { Registry, type Backend } from '@dl4ts/core';
import { activationInput, DEFAULT_LAYER_CASES, DEFAULT_VERTEX_CASES, runConformance, type ConformanceReport } from '@dl4ts/core/testing';
import { registerCnn } from '@dl4ts/cnn';
import { registerLayers } from '@dl4ts/layers';
import { registerLosses } from '@dl4ts/losses';
import { registerRbm } from '@dl4ts/rbm';
import { registerRnn } from '@dl4ts/rnn';
import { registerUpdaters } from '@dl4ts/updaters';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { cpuBackend } from './cpu-backend';

const registry = new Registry();
for (const register of [registerLayers, registerLosses, registerUpdaters, registerRbm, registerRnn, registerCnn]) register(registry);

const summary = (report: ConformanceReport) => report.failures.map((f) => `${f.kind} ${f.name}: ${f.detail}`);

describe('conformance suite on cpu', () => {
  it('cpu agrees with itself exactly on every activation, loss, layer, vertex and save/load', async () => {
    const exact = { forward: { atol: 0, rtol: 0 }, gradient: { atol: 0, rtol: 0 } };
    const report = await runConformance({ registry, reference: cpuBackend(), target: cpuBackend(), tolerance: exact });
    expect(summary(report)).toEqual([]);
    expect(report.results.filter((r) => r.kind === 'activation')).toHaveLength(registry.keys('activation').length);
    expect(report.results.filter((r) => r.kind === 'loss')).toHaveLength(registry.keys('loss').length);
    expect(report.results.filter((r) => r.kind === 'layer').map((r) => r.name)).toEqual(DEFAULT_LAYER_CASES.map((c) => c.name));
    expect(report.results.filter((r) => r.kind === 'vertex').map((r) => r.name)).toEqual(DEFAULT_VERTEX_CASES.map((c) => c.name));
    expect(report.results.filter((r) => r.kind === 'save-load').map((r) => r.name)).toEqual(['cpu -> cpu', 'cpu -> cpu']);
    expect(report.leakedTensors).toBe(0);
  });

  it('catches a backend whose tanh is off by 1e-3, in the activation and in the layers that use it', async () => {
    await cpuBackend().activate();
    const tanh = tf.getKernel('Tanh', 'cpu')!;
    // tanh(x) + 1e-3 x^2: wrong in value and in gradient, and only slightly, as a real kernel bug would be.
    const skewed: Backend = {
      ...cpuBackend(),
      name: 'skewed-cpu',
      async activate() {
        await cpuBackend().activate();
        tf.unregisterKernel('Tanh', 'cpu');
        tf.registerKernel({
          ...tanh,
          kernelFunc: ({ inputs, backend }) => {
            const x = inputs.x as tf.TensorInfo;
            const out = tanh.kernelFunc({ inputs, backend, attrs: {} }) as tf.TensorInfo;
            const values = (backend as unknown as { readSync(id: object): Float32Array }).readSync(x.dataId);
            const base = (backend as unknown as { readSync(id: object): Float32Array }).readSync(out.dataId);
            const shifted = base.map((v, i) => v + 1e-3 * values[i]! ** 2);
            (backend as unknown as { disposeData(id: object): void }).disposeData(out.dataId);
            return (backend as unknown as { makeTensorInfo(s: number[], d: string, v: Float32Array): tf.TensorInfo }).makeTensorInfo(x.shape, 'float32', shifted);
          },
        });
      },
    };
    try {
      const report = await runConformance({ registry, reference: cpuBackend(), target: skewed, losses: [], saveLoad: false });
      const failed = report.failures.map((f) => f.name);
      expect(failed).toContain('layers/tanh');
      expect(failed).toContain('dense'); // configured with activation tanh
      expect(failed).toContain('lstm');
      expect(failed).not.toContain('layers/sigmoid');
      // The largest shift is 1e-3 max(x^2) over the suite's input grid, computed here independently.
      const largest = 1e-3 * Math.max(...Array.from(activationInput().values, (v) => v * v));
      expect(report.results.find((r) => r.name === 'layers/tanh')!.forwardError).toBeCloseTo(largest, 6);
    } finally {
      tf.unregisterKernel('Tanh', 'cpu');
      tf.registerKernel(tanh);
    }
  });
});
