// The cross-backend conformance suite of @dl4ts/core/testing on the WebGPU engine (Dawn; in
// software through Mesa where there is no GPU) against cpu: every activation, loss and layer
// (dense, batch norm, RBM, LSTM), forward and gradients, and models saved on one backend and
// loaded on the other. cpuForward: false, or tfjs would run these small tensors on its CPU kernels. DL4TS_CONFORMANCE_REPORT=1 prints the largest differences.
import { cpuBackend } from '@dl4ts/backend-cpu';
import { Registry } from '@dl4ts/core';
import { DEFAULT_LAYER_CASES, DEFAULT_VERTEX_CASES, runConformance } from '@dl4ts/core/testing';
import { registerCnn } from '@dl4ts/cnn';
import { registerLayers } from '@dl4ts/layers';
import { registerLosses } from '@dl4ts/losses';
import { registerRbm } from '@dl4ts/rbm';
import { registerRnn } from '@dl4ts/rnn';
import { registerUpdaters } from '@dl4ts/updaters';
import { expect, it } from 'vitest';
import { webgpuBackend } from './webgpu-backend';
import { webgpuAvailable } from './webgpu-test-env';

it.runIf(webgpuAvailable)('webgpu matches cpu on every activation, loss, layer, vertex and save/load, within the documented tolerance', async () => {
  const registry = new Registry();
  for (const register of [registerLayers, registerLosses, registerUpdaters, registerRbm, registerRnn, registerCnn]) register(registry);
  const report = await runConformance({ registry, reference: cpuBackend(), target: webgpuBackend({ cpuForward: false }) });
  if (process.env.DL4TS_CONFORMANCE_REPORT === '1') console.table(report.results.map(({ kind, name, forwardError, gradientError }) => ({ kind, name, forwardError, gradientError })));
  expect(report.failures.map((f) => `${f.kind} ${f.name}: ${f.detail}`)).toEqual([]);
  expect(report.results.map((r) => r.name)).toContain('webgpu -> cpu');
  // Shaders, not tfjs's CPU shortcut for small tensors: exp, log and tanh differ from cpu's somewhere.
  expect(Math.max(...report.results.map((r) => r.forwardError))).toBeGreaterThan(0);
  expect(report.results.length).toBe(registry.keys('activation').length + registry.keys('loss').length + DEFAULT_LAYER_CASES.length + DEFAULT_VERTEX_CASES.length + 2);
  expect(report.leakedTensors).toBe(0);
});
