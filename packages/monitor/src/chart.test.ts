import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError } from '@dl4ts/core';
import type { Network } from '@dl4ts/core';
import { afterAll, describe, expect, it } from 'vitest';
import { ChartListener, writeFileAtomic } from './chart';
import type { ChartData } from './chart-html';
import { renderChartHtml } from './chart-html';
import { evaluateHeldOut } from './held-out';
import { blobs, makeClassifier, recorder } from './test-support';

const dir = mkdtempSync(join(tmpdir(), 'dl4ts-monitor-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Accuracy by hand: arg-max of the output against arg-max of the one-hot labels. */
async function accuracyOf(net: Network, features: tf.Tensor, labels: tf.Tensor): Promise<number> {
  const [p, a] = tf.tidy(() => [tf.argMax(net.output(features), 1), tf.argMax(labels, 1)]);
  const [predicted, actual] = (await Promise.all([p.data(), a.data()])).map((d) => Array.from(d as Int32Array)) as [number[], number[]];
  tf.dispose([p, a]);
  return predicted.filter((c, i) => c === actual[i]).length / predicted.length;
}

const jsonOf = (html: string): unknown => JSON.parse(/<script type="application\/json" id="dl4ts-data">([^<]*)<\/script>/.exec(html)?.[1] as string);

describe('ChartListener', () => {
  it('collects what an independent listener sees, validates every epoch and writes the page each time', async () => {
    const net = makeClassifier();
    const train = blobs(20, 1);
    const validation = blobs(12, 99);
    const path = join(dir, 'run', 'chart.html'); // the directory does not exist yet
    const chart = new ChartListener({ path, title: 'blobs <2-8-3>', scoreEvery: 4, validation, validationBatchSize: 7 });
    const witnessed = { losses: [] as number[], accuracies: [] as number[], pages: [] as string[], files: [] as string[][] };
    const witness = recorder(4, async (n) => {
      witnessed.losses.push(await n.score(validation.features, validation.labels));
      witnessed.accuracies.push(await accuracyOf(n, validation.features, validation.labels));
      witnessed.pages.push(readFileSync(path, 'utf8'));
      witnessed.files.push(readdirSync(join(dir, 'run')));
    });
    const before = tf.memory().numTensors;
    const result = await net.fit(train, { epochs: 3, batchSize: 8, listeners: [chart, witness] });

    const data = chart.data;
    expect(data.iterations).toEqual(witness.recording.reads.map((r) => r.iteration));
    expect(data.iterations).toEqual([1, 5, 9, 13, 17, 21]);
    expect(data.losses).toEqual(witness.recording.reads.map((r) => r.score));
    expect(data.epochs).toEqual([1, 2, 3]);
    expect(data.epochIterations).toEqual([8, 16, 24]);
    expect(data.epochLosses).toEqual(result.meanScores);
    data.validationLosses.forEach((loss, i) => expect(loss).toBeCloseTo(witnessed.losses[i] as number, 5));
    expect(data.validationAccuracies).toEqual(witnessed.accuracies);
    expect(witnessed.accuracies.at(-1)).toBeGreaterThan(0.6); // it learnt something: the chart is not of noise
    expect(data.finished).toBe(true);
    expect(witness.recording.tensorsAtEpochEnd).toEqual([before, before, before]);

    // Written at every epoch end, whole, with no temporary file left beside it.
    expect(witnessed.pages.map((p) => (jsonOf(p) as ChartData).epochs.length)).toEqual([1, 2, 3]);
    for (const page of witnessed.pages) expect(page.trimEnd().endsWith('</html>')).toBe(true);
    expect(witnessed.files).toEqual([['chart.html'], ['chart.html'], ['chart.html']]);
    expect(readdirSync(join(dir, 'run'))).toEqual(['chart.html']);
    const html = readFileSync(path, 'utf8');
    expect(jsonOf(html)).toEqual({ ...data, updated: (jsonOf(html) as ChartData).updated });
    expect((jsonOf(html) as ChartData).finished).toBe(true);

    // Self-contained: no external script or stylesheet, uPlot inlined, the title escaped.
    expect(html).not.toMatch(/<script[^>]*\ssrc=|<link\b|@import|url\(\s*['"]?(https?:)?\/\//i);
    expect(html).toContain('var uPlot=');
    expect(html).toContain('<title>blobs &lt;2-8-3&gt;</title>');
    expect(html).toContain('"title":"blobs \\u003c2-8-3\\u003e"');
    tf.dispose([train.features, train.labels, validation.features, validation.labels]);
    net.dispose();
  });

  it('computes accuracy for softmax outputs only, unless asked; class-index labels work too', async () => {
    const data = blobs(10, 5);
    const sparse = blobs(10, 5, true);
    const softmax = makeClassifier();
    const logits = makeClassifier({ logits: true }); // same seed: same weights, outputs before softmax
    const indexed = makeClassifier({ sparse: true });
    const reference = await accuracyOf(softmax, data.features, data.labels);
    const auto = await evaluateHeldOut(softmax, data, { batchSize: 4 });
    expect(auto.accuracy).toBe(reference);
    expect(auto.loss).toBeCloseTo(await softmax.score(data.features, data.labels), 5);
    expect((await evaluateHeldOut(logits, data)).accuracy).toBeUndefined();
    expect((await evaluateHeldOut(logits, data, { accuracy: true })).accuracy).toBe(reference);
    expect((await evaluateHeldOut(softmax, data, { accuracy: false })).accuracy).toBeUndefined();
    expect((await evaluateHeldOut(indexed, sparse)).accuracy).toBe(reference);
    const regression = { features: data.features, labels: tf.zeros([30, 2]) };
    await expect(evaluateHeldOut(logits, regression, { accuracy: true })).rejects.toThrow(ShapeError);
    await expect(evaluateHeldOut(logits, regression, { accuracy: true })).rejects.toThrow('accuracy needs a classifier: labels have shape [30, 2], expected [n, 3] (one-hot) or [n, 1] (class indices)');
    tf.dispose([data.features, data.labels, sparse.features, sparse.labels, regression.labels]);
    [softmax, logits, indexed].forEach((n) => n.dispose());
  });

  it('rejects bad options with what it received', () => {
    expect(() => new ChartListener({ path: '' })).toThrow(ConfigError);
    expect(() => new ChartListener({ path: 'a.html', scoreEvery: -1 })).toThrow('ChartListener: scoreEvery must be a positive integer, received -1');
    const features = tf.zeros([3, 2]);
    const labels = tf.zeros([4, 3]);
    expect(() => new ChartListener({ path: 'a.html', validation: { features, labels } })).toThrow('validation features have shape [3, 2] and labels [4, 3]');
    tf.dispose([features, labels]);
  });
});

describe('writeFileAtomic', () => {
  it('replaces the file by a rename (a new inode) and cleans up when the rename fails', async () => {
    const path = join(dir, 'atomic.html');
    writeFileSync(path, 'old');
    const before = statSync(path).ino;
    await writeFileAtomic(path, 'new');
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(statSync(path).ino).not.toBe(before); // not rewritten in place, where a reader could see a part
    const blocked = join(dir, 'blocked');
    mkdirSync(join(blocked, 'page.html'), { recursive: true }); // a directory where the file should go
    await expect(writeFileAtomic(join(blocked, 'page.html'), 'x')).rejects.toThrow();
    expect(readdirSync(blocked)).toEqual(['page.html']);
  });
});

describe('renderChartHtml', () => {
  const data: ChartData = {
    title: `</script><script>alert("x")</script> & 'q'`,
    iterations: [1, 11],
    losses: [1.5, Number.NaN],
    epochs: [1],
    epochIterations: [12],
    epochLosses: [1.2],
    validationLosses: [],
    validationAccuracies: [],
    finished: false,
    updated: '2026-01-01T00:00:00.000Z',
  };
  const assets = { script: 'var uPlot = function () { return "</script>"; };', style: '.u-legend { color: red }' };

  it('escapes the title for HTML and the JSON for a script element', () => {
    const html = renderChartHtml(data, assets);
    expect(html).toContain('<title>&lt;/script&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;</title>');
    expect(html.match(/<\/script>/g)?.length).toBe(3); // the data, uPlot and the page script: no more
    expect(jsonOf(html)).toEqual({ ...data, losses: [1.5, null] }); // NaN becomes a gap
    expect(html).toContain('return "<\\/script>"');
  });

  it('asks the browser to refresh only while training runs', () => {
    expect(renderChartHtml(data, assets, { refreshSeconds: 5 })).toContain('<meta http-equiv="refresh" content="5">');
    expect(renderChartHtml({ ...data, finished: true }, assets, { refreshSeconds: 5 })).not.toContain('http-equiv');
    expect(renderChartHtml(data, assets)).not.toContain('http-equiv');
  });
});
