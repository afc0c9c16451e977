import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '@dl4ts/core';
import type { IterationInfo, Model } from '@dl4ts/core';
import { describe, expect, it } from 'vitest';
import { StatsListener } from './stats-listener';
import { MemoryStatsStorage, UnknownRunError } from './storage';
import { LR, classifier, data, snapshot, tensorsNow } from './test-support';

/** Records every iteration's parameters, to check the listener's figures against. */
function recorder(): { listener: { onIterationEnd(info: IterationInfo<Model>): Promise<void> }; at: Map<number, Map<string, Float32Array>> } {
  const at = new Map<number, Map<string, Float32Array>>();
  return { at, listener: { onIterationEnd: async (info) => void at.set(info.iteration, await snapshot(info.network as never)) } };
}

describe('StatsListener', () => {
  it('reports every N iterations the magnitudes, updates and update:parameter ratios of the iteration just run', async () => {
    const net = classifier();
    const train = data();
    const storage = new MemoryStatsStorage();
    const stats = new StatsListener(storage, { runId: 'r1', every: 3, histogramEvery: 6, bins: 5 });
    const { listener, at } = recorder();
    // 96 examples in batches of 16: 6 iterations per epoch, 12 in all.
    await net.fit(train, { epochs: 2, batchSize: 16, listeners: [listener, stats] });
    const reports = storage.reports('r1');
    expect(reports.map((r) => r.iteration)).toEqual([3, 6, 9, 12]);
    for (const report of reports) {
      const now = at.get(report.iteration) as Map<string, Float32Array>;
      const before = at.get(report.iteration - 1) as Map<string, Float32Array>;
      expect(Object.keys(report.params)).toEqual(['hidden/W', 'hidden/b', 'out/W', 'out/b']);
      for (const [name, p] of Object.entries(report.params)) {
        const w = now.get(name) as Float32Array;
        const dw = w.map((v, i) => v - (before.get(name) as Float32Array)[i]!);
        const rms = (v: Float32Array) => Math.sqrt(v.reduce((a, b) => a + b * b, 0) / v.length); // float64
        const expectedW = rms(w);
        const expectedDw = rms(dw);
        // The listener sums squares in float32 on the device: a sum of n terms is off by at most
        // about n u of the sum (u = 2^-24), so its square root by n u / 2 relatively; each float32 Δw
        // by u |w|. The bounds below allow twice that.
        const bound = (magnitude: number) => w.length * 2 ** -24 * magnitude;
        expect(Math.abs(p.meanMagnitude - expectedW)).toBeLessThanOrEqual(bound(expectedW));
        expect(Math.abs((p.updateMeanMagnitude as number) - expectedDw)).toBeLessThanOrEqual(bound(expectedDw + expectedW));
        if (expectedDw > 0) expect(p.log10UpdateRatio).toBeCloseTo(Math.log10((p.updateMeanMagnitude as number) / p.meanMagnitude), 10);
        // Plain SGD without penalties: the update is -LR times the gradient the listener heard.
        expect(Math.abs(LR * (p.gradientMeanMagnitude as number) - expectedDw)).toBeLessThanOrEqual(bound(expectedDw + expectedW));
        expect(p.learningRate).toBe(LR);
        expect(p.finite).toBe(true);
        if (report.iteration % 6 === 0) {
          expect(p.histogram?.counts.reduce((a, b) => a + b, 0)).toBe(w.length);
          expect(p.histogram?.min).toBe(Math.min(...w));
          expect(p.updateHistogram?.counts.reduce((a, b) => a + b, 0)).toBe(w.length);
          expect(p.gradientHistogram?.counts.reduce((a, b) => a + b, 0)).toBe(w.length);
          expect(p.nonFinite).toBe(0);
        } else {
          expect(p.histogram).toBeUndefined();
          expect(p.gradientHistogram).toBeUndefined();
        }
      }
      expect(report.score).toBeGreaterThan(0);
      expect(report.memory.tensors).toBeGreaterThan(0);
      expect(report.memory.rssBytes).toBeGreaterThan(report.memory.heapUsedBytes);
    }
    // The weights moved: a ratio well inside (-6, 0) for SGD at 0.05 on this net.
    expect(reports[0]?.params['out/W']?.log10UpdateRatio).toBeGreaterThan(-6);
    expect(reports[0]?.params['out/W']?.log10UpdateRatio).toBeLessThan(0);
    expect(reports[0]?.examplesPerSecond).toBeUndefined();
    expect(reports[1]?.examplesPerSecond).toBeGreaterThan(0);
    train.dispose();
    net.dispose();
  });

  it('describes the run once: layers, parameter shapes and counts, config, backend', async () => {
    const net = classifier();
    const train = data();
    const storage = new MemoryStatsStorage();
    const stats = new StatsListener(storage, { runId: 'r2', title: 'blobs' });
    await net.fit(train, { epochs: 1, batchSize: 32, listeners: [stats] });
    await net.fit(train, { epochs: 1, batchSize: 32, listeners: [stats] });
    expect(storage.runs()).toHaveLength(1);
    const run = storage.run('r2');
    expect(run.title).toBe('blobs');
    expect(run.modelKind).toBe('Network');
    expect(run.backend).toBe(tf.getBackend());
    expect(run.totalParams).toBe(4 * 8 + 8 + 8 * 3 + 3);
    expect(run.layers).toEqual([
      { name: 'hidden', type: 'layers/dense', params: [{ name: 'hidden/W', shape: [4, 8], count: 32 }, { name: 'hidden/b', shape: [8], count: 8 }] },
      { name: 'out', type: 'layers/output', params: [{ name: 'out/W', shape: [8, 3], count: 24 }, { name: 'out/b', shape: [3], count: 3 }] },
    ]);
    expect((run.config as { layers: unknown[] }).layers).toHaveLength(2);
    train.dispose();
    net.dispose();
  });

  it('gives activation statistics of every layer on the probe batch, and the epoch figures with validation', async () => {
    const net = classifier();
    const train = data();
    const probe = tf.slice(train.features, [0, 0], [32, 4]);
    const storage = new MemoryStatsStorage();
    const stats = new StatsListener(storage, { runId: 'r3', every: 2, histogramEvery: 6, probe, validation: train });
    await net.fit(train, { epochs: 1, batchSize: 16, listeners: [stats] });
    const reports = storage.reports('r3');
    const withActivations = reports.filter((r) => r.activations !== undefined);
    expect(withActivations.map((r) => r.iteration)).toEqual([6]);
    const outputs = net.feedForward(probe);
    const hidden = (await outputs[0]!.data()) as Float32Array;
    const zeros = hidden.filter((v) => v === 0).length / hidden.length;
    expect(withActivations[0]?.activations?.hidden?.zeroFraction).toBe(zeros); // the probe's outputs after iteration 6 = the final ones
    const probabilities = (await outputs[1]!.data()) as Float32Array;
    expect(withActivations[0]?.activations?.out?.mean).toBeCloseTo(probabilities.reduce((a, b) => a + b, 0) / probabilities.length, 6); // 1/3: rows sum to 1
    tf.dispose(outputs);
    const last = reports.at(-1);
    expect(last?.epochEnd?.meanScore).toBeGreaterThan(0);
    expect(last?.epochEnd?.validationScore).toBeCloseTo(await net.score(train.features, train.labels), 5);
    probe.dispose();
    train.dispose();
    net.dispose();
  });

  it('leaves the tensor count flat across epochs (every copy it takes is freed)', async () => {
    const net = classifier();
    const train = data();
    const probe = tf.slice(train.features, [0, 0], [16, 4]);
    const stats = new StatsListener(new MemoryStatsStorage(), { every: 1, histogramEvery: 2, probe, validation: train });
    const counts: number[] = [];
    await net.fit(train, { epochs: 4, batchSize: 16, listeners: [stats, { onEpochEnd: async () => { await stats.flush(); counts.push(tensorsNow()); } }] });
    expect(new Set(counts).size).toBe(1);
    probe.dispose();
    train.dispose();
    net.dispose();
  });

  it('refuses bad options with a ConfigError naming the value, and reports a failing storage from fit', async () => {
    const storage = new MemoryStatsStorage();
    expect(() => new StatsListener(storage, { every: 0 })).toThrow(ConfigError);
    expect(() => new StatsListener(storage, { every: 2.5 })).toThrow(/every must be a positive integer, received 2.5/);
    expect(() => new StatsListener(storage, { every: 4, histogramEvery: 6 })).toThrow(/histogramEvery must be a multiple of every \(4\), received 6/);
    expect(() => new StatsListener({} as never)).toThrow(/expected a StatsStorage/);
    expect(() => storage.reports('nope')).toThrow(UnknownRunError);

    const net = classifier();
    const train = data();
    const failing = new MemoryStatsStorage();
    failing.putReport = () => Promise.reject(new Error('disk full'));
    const before = tensorsNow();
    await expect(net.fit(train, { epochs: 1, batchSize: 16, listeners: [new StatsListener(failing, { every: 1 })] })).rejects.toThrow('disk full');
    expect(tensorsNow()).toBe(before);
    train.dispose();
    net.dispose();
  });
});
