// The screenshots in packages/ui/README.md: trains the MNIST MLP (784-500-250-10, native backend)
// for two epochs with a StatsListener (probe: 256 test images, validation: the test set), serves
// the dashboard, and photographs its overview and per-layer tabs in headless Chromium.
//
//   node bench/dist/ui-screenshots.js [--out packages/ui/docs] [--epochs 2]
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { chromium } from 'playwright-core';
import { MemoryStatsStorage, StatsListener, startUi } from '@dl4ts/ui';
import { activate, mnistSplits } from './quality/common';
import { mlpNetwork } from './mlp-models';

declare global {
  interface Window {
    /** The dashboard page's state (packages/ui/src/client/dashboard.ts). */
    __dl4ts: { charts: Record<string, unknown> };
  }
}

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({ options: { out: { type: 'string', default: resolve(here, '../../packages/ui/docs') }, epochs: { type: 'string', default: '2' } } });
const out = values.out as string;
mkdirSync(out, { recursive: true });
console.log(`backend ${await activate('native')}`);
const data = await mnistSplits();
const probe = tf.slice(data.test.features, [0, 0], [256, -1]);
const storage = new MemoryStatsStorage();
const ui = await startUi({ port: 0, storages: [storage] });
const net = mlpNetwork(1);
await net.fit(data.train, { epochs: Number(values.epochs), batchSize: 128, listeners: [new StatsListener(storage, { runId: 'mnist-mlp', title: 'MNIST MLP 784-500-250-10, Nesterov 0.02, L2 1e-4', probe, validation: data.validation })] });
const browser = await chromium.launch({ executablePath: process.env.DL4TS_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
await page.goto(`${ui.url}?run=mnist-mlp`);
await page.waitForFunction(() => window.__dl4ts.charts.score !== undefined);
await page.screenshot({ path: join(out, 'overview.png'), fullPage: true });
await page.click('#tabs button[data-tab="layers"]');
await page.selectOption('#layer', net.layers[0]?.config.name as string);
await page.waitForFunction(() => Object.keys(window.__dl4ts.charts).some((k) => k.startsWith('histogram:')));
await page.screenshot({ path: join(out, 'layers.png'), fullPage: true });
await browser.close();
await ui.close();
net.dispose();
probe.dispose();
data.dispose();
console.log(`wrote ${join(out, 'overview.png')} and ${join(out, 'layers.png')}`);
