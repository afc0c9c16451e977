import { Network, Registry, selectBackend } from '@dl4ts/core';
import { registerLayers } from '@dl4ts/layers';
import { registerLosses } from '@dl4ts/losses';
import { registerUpdaters } from '@dl4ts/updaters';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { wasmBackend } from './wasm-backend';

// tfjs-backend-wasm 4.22 has no UnsortedSegmentSum kernel, which the gradient of gather needs:
// without the kernel the adapter adds, an embedding cannot train on wasm at all.
describe('an embedding trains on wasm', () => {
  it('learns token -> class with the gather gradient, its tensor count flat across epochs', async () => {
    await selectBackend('wasm', [wasmBackend()]);
    const registry = new Registry();
    registerLayers(registry);
    registerLosses(registry);
    registerUpdaters(registry);
    const net = new Network(
      {
        seed: 4,
        input: 1,
        defaults: { updater: { type: 'updaters/adam', learningRate: 0.05 } },
        layers: [
          { type: 'layers/embedding', nIn: 12, nOut: 6 },
          { type: 'layers/output', nOut: 3, activation: 'softmax', loss: 'mcxent' },
        ],
      },
      { registry },
    ).init();
    // Token t belongs to class t % 3: only a trained embedding separates them.
    const tokens = Array.from({ length: 48 }, (_, i) => [i % 12]);
    const labels = tokens.map(([t]) => [0, 1, 2].map((c) => (c === t! % 3 ? 1 : 0)));
    const counts: number[] = [];
    await net.fit({ features: tokens, labels }, { epochs: 30, batchSize: 16, listeners: [{ onEpochEnd: () => void counts.push(tf.memory().numTensors) }] });
    expect(new Set(counts.slice(1)).size).toBe(1);
    const out = net.output(tf.tensor2d(tokens.slice(0, 12)));
    const predicted = (await tf.argMax(out, 1).array()) as number[];
    expect(predicted).toEqual(Array.from({ length: 12 }, (_, t) => t % 3));
    out.dispose();
    net.dispose();
  });
});
