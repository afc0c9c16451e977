import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@dl4ts/core';
import { cpuBackend } from '@dl4ts/backend-cpu';
import { wasmBackend } from '@dl4ts/backend-wasm';
import { describe, expect, it } from 'vitest';
import { generateBlobs, trainSoftmaxRegression } from './softmax-regression';

describe('softmax regression end to end (contracts + registry + backends)', () => {
  it('learns the generated blobs on cpu and on wasm, with the same weights from the same seed', async () => {
    await selectBackend('cpu', [cpuBackend()]);
    expect(tf.getBackend()).toBe('cpu');
    const before = tf.memory().numTensors;
    const onCpu = await trainSoftmaxRegression({ seed: 7, epochs: 15 });
    expect(tf.memory().numTensors).toBe(before);

    await selectBackend('wasm', [wasmBackend()]);
    expect(tf.getBackend()).toBe('wasm');
    const onWasm = await trainSoftmaxRegression({ seed: 7, epochs: 15 });

    // Blobs 6 units apart on average with unit spread are nearly separable.
    expect(onCpu.testAccuracy).toBeGreaterThan(0.9);
    expect(onWasm.testAccuracy).toBeGreaterThan(0.9);
    expect(onCpu.meanScores[onCpu.meanScores.length - 1]).toBeLessThan(onCpu.meanScores[0] as number);
    expect(onWasm.weights.length).toBe(12);
    for (let i = 0; i < onCpu.weights.length; i++) expect(Math.abs((onCpu.weights[i] as number) - (onWasm.weights[i] as number))).toBeLessThan(1e-4);
    for (let i = 0; i < onCpu.biases.length; i++) expect(Math.abs((onCpu.biases[i] as number) - (onWasm.biases[i] as number))).toBeLessThan(1e-4);
  });

  it('generates the same data from the same seed, with balanced classes', () => {
    const a = generateBlobs({ n: 30, numFeatures: 2, numClasses: 3, seed: 1 });
    const b = generateBlobs({ n: 30, numFeatures: 2, numClasses: 3, seed: 1 });
    expect(Array.from(a.features)).toEqual(Array.from(b.features));
    const perClass = [0, 1, 2].map((c) => a.labels.filter((v, i) => v === 1 && i % 3 === c).length);
    expect(perClass).toEqual([10, 10, 10]);
  });
});
