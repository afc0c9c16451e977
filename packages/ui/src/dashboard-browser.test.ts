// The dashboard in a real headless Chromium (Debian's, driven by playwright-core): live scores as
// training runs, histograms of every layer, a run reopened by `dl4ts ui` from the file of a process
// that has exited, and the bad-input messages. Assertions read the page's own data
// (window.__dl4ts), not pixels. Without a Chromium the browser tests are skipped, unless
// DL4TS_REQUIRE_CHROMIUM=1 (CI sets it after installing one), where they fail.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ParallelTrainer } from '@dl4ts/parallel';
import { nodeWorkers } from '@dl4ts/parallel/node';
import { startUi, UiServerError } from './server';
import type { UiServer } from './server';
import { StatsListener } from './stats-listener';
import { MemoryStatsStorage } from './storage';
import { classifier, data } from './test-support';

const here = dirname(fileURLToPath(import.meta.url));
const chromiumPath = process.env.DL4TS_CHROMIUM ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
const required = process.env.DL4TS_REQUIRE_CHROMIUM === '1';
if (chromiumPath === undefined && required) throw new Error('DL4TS_REQUIRE_CHROMIUM=1 but no Chromium: set DL4TS_CHROMIUM or install chromium');
const dir = mkdtempSync(join(tmpdir(), 'dl4ts-ui-browser-'));

interface PageView {
  runId?: string;
  scores: number[];
  reports: number;
  error: string;
  status: string;
}

// Runs in the page.
function view(): PageView {
  const s = window.__dl4ts;
  const score = s.charts.score;
  return { runId: s.run?.runId, scores: ((score?.data[1] ?? []) as number[]).slice(), reports: s.reports.length, error: document.getElementById('error')?.textContent ?? '', status: document.getElementById('status')?.textContent ?? '' };
}

describe.skipIf(chromiumPath === undefined)('dashboard in headless Chromium', () => {
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: chromiumPath as string, args: ['--no-sandbox'] });
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the score of a run as it trains, live, the chart holding exactly the stored scores', async () => {
    const storage = new MemoryStatsStorage();
    const ui = await startUi({ port: 0, storages: [storage] });
    const net = classifier();
    const train = data();
    const stats = new StatsListener(storage, { runId: 'live', every: 2, histogramEvery: 6 });
    await net.fit(train, { epochs: 1, batchSize: 16, listeners: [stats] });
    await page.goto(ui.url);
    await page.waitForFunction(() => window.__dl4ts.charts.score !== undefined && (window.__dl4ts.charts.score.data[1] ?? []).length === 3);
    expect((await page.evaluate(view)).runId).toBe('live');
    // More training while the page is open: the new reports arrive over the stream.
    await net.fit(train, { epochs: 3, batchSize: 16, listeners: [stats] });
    await page.waitForFunction(() => (window.__dl4ts.charts.score?.data[1] ?? []).length === 12, undefined, { timeout: 20_000 });
    const seen = await page.evaluate(view);
    expect(seen.scores).toEqual(storage.reports('live').map((r) => r.score));
    expect(seen.status).toMatch(/iteration 24 · live/);
    train.dispose();
    net.dispose();
    await ui.close();
  });

  it('draws the histograms of every layer\'s parameters, updates and gradients, holding every value', async () => {
    const storage = new MemoryStatsStorage();
    const ui = await startUi({ port: 0, storages: [storage] });
    const net = classifier();
    const train = data();
    await net.fit(train, { epochs: 2, batchSize: 16, listeners: [new StatsListener(storage, { runId: 'h', every: 3, histogramEvery: 6, probe: train.features })] });
    await page.goto(`${ui.url}?run=h`);
    await page.waitForFunction(() => window.__dl4ts.run !== undefined);
    await page.click('#tabs button[data-tab="layers"]');
    for (const layer of storage.run('h').layers) {
      await page.selectOption('#layer', layer.name);
      const counts = await page.evaluate((names) => names.map((n) => [n, ...['histogram', 'update-histogram', 'gradient-histogram'].map((kind) => ((window.__dl4ts.charts[`${kind}:${n}`]?.data[1] ?? []) as number[]).reduce((a, b) => a + b, 0))]), layer.params.map((p) => p.name));
      expect(counts).toEqual(layer.params.map((p) => [p.name, p.count, p.count, p.count]));
      const activation = await page.evaluate((name) => ((window.__dl4ts.charts[`activation-histogram:${name}`]?.data[1] ?? []) as number[]).reduce((a, b) => a + b, 0), layer.name);
      expect(activation).toBe(96 * (layer.name === 'hidden' ? 8 : 3)); // the probe's 96 rows times the layer's outputs
    }
    train.dispose();
    net.dispose();
    await ui.close();
  });

  it('reopens with `dl4ts ui` a run whose training process has exited, from its file, beside a file that is not a stats file', async () => {
    const file = join(dir, 'exited.stats.jsonl');
    const out = execFileSync('node', [join(here, '..', 'test', 'fixtures', 'train-to-file.mjs'), file, 'exited'], { encoding: 'utf8' });
    const written = JSON.parse(out.trim().split('\n').pop() as string) as { reports: number };
    // A second file that is not a stats file costs only its own runs, with a message saying why.
    const notStats = join(dir, 'notes.csv');
    writeFileSync(notStats, 'a,b\n1,2\n');
    const cli = spawn('node', [join(here, '..', 'dist', 'cli', 'dl4ts.js'), 'ui', '--port', '0', '--file', notStats, '--file', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let errors = '';
    cli.stderr.on('data', (chunk: Buffer) => void (errors += chunk.toString()));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let text = '';
        const timer = setTimeout(() => reject(new Error(`dl4ts ui printed no URL in 20 s: ${text}`)), 20_000);
        cli.stdout.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          const m = /dashboard at (http:\/\/\S+)/.exec(text);
          if (m !== null) {
            clearTimeout(timer);
            resolve(m[1] as string);
          }
        });
        cli.once('exit', (code) => reject(new Error(`dl4ts ui exited with ${code}: ${text}`)));
      });
      await page.goto(url);
      await page.waitForFunction((n) => window.__dl4ts.reports.length === n, written.reports);
      const seen = await page.evaluate(view);
      expect(seen.runId).toBe('exited');
      expect(seen.scores).toHaveLength(written.reports);
      expect(seen.status).toMatch(/^from another process · Network · 67 parameters/);
      expect(errors).toContain(`dl4ts ui: ${notStats}: is not a dl4ts stats file: line 1 is "a,b"`);
      expect(errors).toContain('its runs are not shown');
    } finally {
      cli.kill('SIGTERM');
    }
  });

  it('shows the ParallelTrainer\'s workers: a row per worker with its round time and heartbeat age', async () => {
    const storage = new MemoryStatsStorage();
    const ui = await startUi({ port: 0, storages: [storage] });
    const net = classifier();
    const train = data();
    // 96 examples in minibatches of 8 dealt to 2 workers: 6 rounds, averaged every 2.
    const trainer = new ParallelTrainer(net, { transport: nodeWorkers(), workers: 2, averagingFrequency: 2, backend: 'cpu' });
    try {
      await trainer.fit(train, { epochs: 1, batchSize: 8, listeners: [new StatsListener(storage, { runId: 'parallel', every: 2 })] });
    } finally {
      await trainer.close();
    }
    const reports = storage.reports('parallel');
    expect(reports.map((r) => r.iteration)).toEqual([2, 4, 6]);
    for (const r of reports) {
      expect(r.workers?.map((w) => [w.worker, w.examples])).toEqual([[0, 16], [1, 16]]);
      for (const w of r.workers ?? []) expect(w.roundMs).toBeLessThanOrEqual(r.windowMs as number);
    }
    await page.goto(`${ui.url}?run=parallel`);
    await page.waitForFunction(() => window.__dl4ts.run !== undefined);
    await page.click('#tabs button[data-tab="system"]');
    const rows = await page.$$eval('#workers tr', (trs) => trs.slice(1).map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent)));
    expect(rows.map((r) => r.slice(0, 2))).toEqual([['0', '16'], ['1', '16']]);
    train.dispose();
    net.dispose();
    await ui.close();
  });

  it('says which run ids exist for an unknown one, and refuses a port in use', async () => {
    const storage = new MemoryStatsStorage();
    const ui = await startUi({ port: 0, storages: [storage] });
    const net = classifier();
    const train = data();
    await net.fit(train, { epochs: 1, batchSize: 32, listeners: [new StatsListener(storage, { runId: 'known' })] });
    await page.goto(`${ui.url}?run=nope`);
    await page.waitForFunction(() => (document.getElementById('error')?.textContent ?? '') !== '');
    expect((await page.evaluate(view)).error).toBe('Unknown run id "nope"; the storage holds "known"');
    const response = await fetch(`${ui.url}api/runs/nope/reports`);
    expect(response.status).toBe(404);
    await expect(startUi({ port: ui.port })).rejects.toThrow(UiServerError);
    await expect(startUi({ port: ui.port })).rejects.toThrow(`port ${ui.port} on 127.0.0.1 is in use`);
    train.dispose();
    net.dispose();
    await ui.close();
  });
});

describe('startUi without a browser', () => {
  let ui: UiServer | undefined;
  afterAll(async () => ui?.close());
  it('binds to 127.0.0.1 by default and serves the runs as JSON', async () => {
    const storage = new MemoryStatsStorage();
    ui = await startUi({ port: 0, storages: [storage] });
    expect(ui.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(await (await fetch(`${ui.url}api/runs`)).json()).toEqual([]);
    expect((await fetch(`${ui.url}api/runs/x/reports`)).status).toBe(404);
    await storage.putRun({ runId: 'r', startedAt: '', title: 'r', modelKind: 'Network', layers: [], totalParams: 0, config: {}, backend: 'cpu', host: { hostname: 'h', pid: 1, node: 'v20' } });
    const bad = await fetch(`${ui.url}api/runs/r/reports?after=abc`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'after must be an iteration number, received "abc"' });
    await expect(startUi({ port: 70_000 })).rejects.toThrow('startUi: port must be an integer from 0 to 65535, received 70000');
  });
});
