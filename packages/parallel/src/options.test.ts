import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { NetworkConfig } from '@dl4ts/core';
import { ConfigError, ShapeError } from '@dl4ts/core';
import { averageBuffers } from './average';
import { StateLayout } from './flat-state';
import { backendModule, resolveOptions, type ParallelOptions } from './options';
import { ParallelTrainer } from './trainer';
import type { WorkerTransport } from './transport';
import { network } from './test-support';

/** A transport that must never be asked for a worker: validation happens before any starts. */
const noWorkers: WorkerTransport = {
  name: 'none',
  sharedMemory: false,
  defaultWorkers: () => 3,
  spawn: () => {
    throw new Error('no worker may start in these tests');
  },
};

describe('options', () => {
  it('defaults: the transport’s worker count, averaging every 5 minibatches (DL4J), updaters averaged, wasm workers', () => {
    const resolved = resolveOptions({ transport: noWorkers });
    expect(resolved).toMatchObject({ workers: 3, averagingFrequency: 5, averageUpdaters: true, prefetch: 2, backend: 'wasm', onWorkerFailure: 'stop' });
    expect(backendModule('wasm')).toEqual({ module: '@dl4ts/backend-wasm', export: 'wasmBackend' });
    expect(backendModule({ module: 'x', export: 'y' })).toEqual({ module: 'x', export: 'y' });
  });

  const bad: [string, Partial<ParallelOptions>, RegExp][] = [
    ['workers 0', { workers: 0 }, /workers must be an integer >= 1, received 0/],
    ['workers 1.5', { workers: 1.5 }, /workers must be an integer >= 1, received 1.5/],
    ['averagingFrequency 0', { averagingFrequency: 0 }, /averagingFrequency must be an integer >= 1, received 0/],
    ['averagingFrequency 2.5', { averagingFrequency: 2.5 }, /averagingFrequency must be an integer >= 1, received 2.5/],
    ['averagingFrequency "5"', { averagingFrequency: '5' as unknown as number }, /averagingFrequency must be an integer >= 1, received "5"/],
    ['prefetch -1', { prefetch: -1 }, /prefetch must be an integer >= 0, received -1/],
    ['averageUpdaters "yes"', { averageUpdaters: 'yes' as unknown as boolean }, /averageUpdaters must be true or false, received "yes"/],
    ['onWorkerFailure "retry"', { onWorkerFailure: 'retry' as 'stop' }, /onWorkerFailure must be "stop" or "continue", received "retry"/],
    ['backend ""', { backend: '' }, /backend is an empty string/],
    ['backend {}', { backend: {} as { module: string; export: string } }, /backend must be a module specifier or \{ module, export \}, received \{\}/],
    ['plugins [3]', { plugins: [3 as unknown as string] }, /plugins\[0\] must be a module specifier or \{ module, export \}, received 3/],
    ['plugins "x"', { plugins: 'x' as unknown as string[] }, /plugins must be an array of module specifiers, received "x"/],
    ['resolveFrom ""', { resolveFrom: '' }, /resolveFrom must be a non-empty path, received ""/],
  ];
  for (const [name, options, message] of bad) {
    it(`rejects ${name} with a ConfigError`, () => {
      const call = () => resolveOptions({ transport: noWorkers, ...options });
      expect(call).toThrow(ConfigError);
      expect(call).toThrow(message);
    });
  }

  it('requires a transport and an initialised network', () => {
    expect(() => resolveOptions({} as ParallelOptions)).toThrow(/options.transport is required; in Node pass nodeWorkers\(\)/);
    const net = network({ input: 2, layers: [{ type: 'layers/output', nOut: 2, activation: 'softmax', loss: 'mcxent' }] });
    net.dispose();
    expect(() => new ParallelTrainer(net, { transport: noWorkers })).toThrow(/call init\(\)/);
  });
});

describe('averageBuffers', () => {
  it('is the float64 mean rounded once to float32, in a fixed order', () => {
    const a = Float32Array.of(1, 0.1, -3, 1e-8);
    const b = Float32Array.of(2, 0.2, 5, 3e-8);
    const c = Float32Array.of(4, 0.3, 1, -1e-8);
    const expected = Float32Array.from([0, 1, 2, 3].map((i) => ((a[i] as number) + (b[i] as number) + (c[i] as number)) / 3));
    expect(averageBuffers([a, b, c])).toEqual(expected);
    expect(averageBuffers([a])).toEqual(a);
    expect(averageBuffers([a])).not.toBe(a);
  });

  it('weighs by the examples given, in float64; equal weights give the plain mean bit for bit', () => {
    const a = Float32Array.of(1, 0.1, -3);
    const b = Float32Array.of(2, 0.2, 5);
    const expected = Float32Array.from([0, 1, 2].map((i) => (64 * (a[i] as number) + 16 * (b[i] as number)) / 80));
    expect(averageBuffers([a, b], undefined, [64, 16])).toEqual(expected);
    expect(averageBuffers([a, b], undefined, [7, 7])).toEqual(averageBuffers([a, b]));
    expect(() => averageBuffers([a, b], undefined, [1])).toThrow(/expected 2 positive finite weights, received \[1\]/);
    expect(() => averageBuffers([a, b], undefined, [1, 0])).toThrow(ShapeError);
  });

  it('rejects no buffers and unequal lengths', () => {
    expect(() => averageBuffers([])).toThrow(ShapeError);
    expect(() => averageBuffers([new Float32Array(2), new Float32Array(3)])).toThrow(/buffer 1 has 3 values, buffer 0 has 2/);
  });
});

describe('StateLayout', () => {
  it('round-trips parameters and updater state through one flat buffer', async () => {
    const config: NetworkConfig = {
      seed: 4,
      input: 3,
      defaults: { updater: { type: 'updaters/adam' } },
      layers: [
        { type: 'layers/dense', nOut: 4, activation: 'relu' },
        { type: 'layers/output', nOut: 2, activation: 'softmax', loss: 'mcxent' },
      ],
    };
    const source = network(config);
    await source.fit({ features: [[1, 2, 3], [3, 2, 1]], labels: [[1, 0], [0, 1]] }, { epochs: 2 });
    const layout = new StateLayout(source);
    // W 3x4, b 4, W 4x2, b 2 = 26 parameters; Adam keeps m and v for each.
    expect(layout.length(false)).toBe(26);
    expect(layout.length(true)).toBe(78);
    const buffer = await layout.read(source, true);
    const target = network({ ...config, seed: 5 });
    const before = tf.memory().numTensors;
    layout.write(target, buffer, true);
    expect(tf.memory().numTensors).toBe(before);
    expect(await layout.read(target, true)).toEqual(buffer);
    expect(() => layout.write(target, buffer.subarray(1), true)).toThrow(/buffer has 77 values, expected 78/);
    source.dispose();
    target.dispose();
  });
});
