// Opens the written chart in a real headless Chromium (Debian's, driven by playwright-core) and
// checks on the canvas that the data points were drawn. Without a Chromium the test is skipped,
// unless DL4TS_REQUIRE_CHROMIUM=1 (CI sets it after installing one), where it fails.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { ChartListener } from './chart';
import { blobs, makeClassifier } from './test-support';

/** DL4TS_CHROMIUM, else /usr/bin/chromium, else `chromium` on PATH; undefined when none runs. */
function findChromium(): string | undefined {
  const fromEnv = process.env.DL4TS_CHROMIUM;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv; // trusted as given: a wrong path must fail loudly
  try {
    accessSync('/usr/bin/chromium', constants.X_OK);
    return '/usr/bin/chromium';
  } catch {
    try {
      return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim() || undefined;
    } catch {
      return undefined;
    }
  }
}

interface SeriesReport {
  chart: string;
  label: string;
  points: number;
  /** Points whose canvas neighbourhood holds the series colour. */
  drawn: number;
  checked: number;
  /** Share of the plot area in the series colour: a chart painted all over would pass `drawn`. */
  coverage: number;
}

// Runs in the page: for every series, the canvas pixels around each of its (up to 8) points.
function inspectCharts(): { charts: number; series: SeriesReport[]; title: string; xss: unknown } {
  type U = {
    data: (number | null)[][];
    series: { label: string; scale?: string; stroke: string | ((u: U, i: number) => string) }[];
    bbox: { left: number; top: number; width: number; height: number };
    ctx: CanvasRenderingContext2D;
    root: HTMLElement;
    valToPos(value: number, scale: string, canvasPixels: boolean): number;
  };
  const w = window as unknown as { __dl4tsCharts: U[]; __xss?: unknown };
  const series: SeriesReport[] = [];
  for (const u of w.__dl4tsCharts) {
    const area = u.ctx.getImageData(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height).data;
    for (let s = 1; s < u.series.length; s++) {
      const spec = u.series[s] as U['series'][number];
      const stroke = typeof spec.stroke === 'function' ? spec.stroke(u, s) : spec.stroke;
      const rgb = [1, 3, 5].map((i) => parseInt(stroke.slice(i, i + 2), 16));
      const near = (d: Uint8ClampedArray, i: number) => rgb.every((c, k) => Math.abs((d[i + k] as number) - c) <= 12) && (d[i + 3] as number) > 200;
      const xs = u.data[0] as number[];
      const ys = u.data[s] as (number | null)[];
      const present = ys.map((y, i) => [xs[i], y] as const).filter((p): p is readonly [number, number] => p[1] !== null);
      const step = Math.max(1, Math.floor(present.length / 8));
      let drawn = 0;
      let checked = 0;
      for (let i = 0; i < present.length; i += step) {
        const [x, y] = present[i] as readonly [number, number];
        // With canvasPixels true, valToPos already includes the plot area's offset on the canvas.
        const cx = Math.round(u.valToPos(x, 'x', true));
        const cy = Math.round(u.valToPos(y, spec.scale ?? 'y', true));
        const patch = u.ctx.getImageData(cx - 2, cy - 2, 5, 5).data;
        let hit = false;
        for (let p = 0; p < patch.length; p += 4) hit ||= near(patch, p);
        if (hit) drawn++;
        checked++;
      }
      let coloured = 0;
      for (let p = 0; p < area.length; p += 4) if (near(area, p)) coloured++;
      series.push({ chart: u.root.querySelector('.u-title')?.textContent ?? '', label: spec.label, points: present.length, drawn, checked, coverage: coloured / (area.length / 4) });
    }
  }
  return { charts: w.__dl4tsCharts.length, series, title: document.querySelector('h1')?.textContent ?? '', xss: w.__xss };
}

const dir = mkdtempSync(join(tmpdir(), 'dl4ts-monitor-browser-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('chart page in headless Chromium', () => {
  // Starting Chromium takes seconds, and much longer on a busy machine.
  it('draws every series with its data points, offline and without errors', { timeout: 180_000 }, async (ctx) => {
    const executablePath = findChromium();
    if (executablePath === undefined) {
      const why = 'no Chromium found (checked DL4TS_CHROMIUM, /usr/bin/chromium and `chromium` on PATH)';
      if (process.env.DL4TS_REQUIRE_CHROMIUM === '1') throw new Error(`DL4TS_REQUIRE_CHROMIUM=1 but ${why}`);
      const note = `${why}; install it with \`apt-get install chromium\` or point DL4TS_CHROMIUM at one`;
      console.warn(`chart-browser.test.ts skipped: ${note}`); // the default reporter does not show skip notes
      ctx.skip(note);
    }
    const net = makeClassifier();
    const train = blobs(10, 1); // 30 examples: 3 batches of 10 per epoch
    const validation = blobs(5, 2);
    const title = '<img src=x onerror="window.__xss=1"> run & "test"';
    const chart = new ChartListener({ path: join(dir, 'chart.html'), title, scoreEvery: 2, validation });
    await net.fit(train, { epochs: 3, batchSize: 10, listeners: [chart] });
    const data = chart.data;
    train.dispose();
    validation.dispose();
    net.dispose();

    const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 1200 }, deviceScaleFactor: 1 });
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('console', (message) => void (message.type() === 'error' && problems.push(`console error: ${message.text()}`)));
      page.on('request', (request) => void (!request.url().startsWith('file:') && problems.push(`request: ${request.url()}`)));
      await page.goto(pathToFileURL(chart.path).href, { waitUntil: 'load' });
      await page.waitForFunction(() => (window as unknown as { __dl4tsCharts?: unknown[] }).__dl4tsCharts?.length === 3);
      await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
      const report = await page.evaluate(inspectCharts);

      expect(problems).toEqual([]);
      expect(report.title).toBe(title); // shown as text, not parsed as markup
      expect(report.xss).toBeUndefined();
      expect(report.charts).toBe(3);
      const counts = report.series.map((s) => [s.chart, s.label, s.points]);
      expect(counts).toEqual([
        ['Training loss per iteration', 'minibatch loss', data.losses.length],
        ['Training loss per iteration', 'epoch mean', data.epochs.length],
        ['Loss per epoch', 'training (epoch mean)', data.epochs.length],
        ['Loss per epoch', 'validation', data.validationLosses.length],
        ['Validation accuracy per epoch', 'validation accuracy', data.validationAccuracies.length],
      ]);
      expect(data.losses.length).toBe(5); // 9 iterations, read at 1, 3, 5, 7, 9
      for (const s of report.series) {
        expect([s.label, s.drawn]).toEqual([s.label, s.checked]);
        expect(s.checked).toBeGreaterThanOrEqual(Math.min(4, s.points));
        expect(s.coverage).toBeGreaterThan(0);
        expect(s.coverage).toBeLessThan(0.2);
      }
    } finally {
      await browser.close();
    }
  });
});
