// The built playground (dist/, `pnpm build`) served over HTTP on a loopback port and driven in
// headless Chromium: the page names its backend, trains to the stated accuracy, saves the model to
// a file and loads it back with the same outputs. Without a Chromium the test is skipped, unless
// DL4TS_REQUIRE_CHROMIUM=1 (CI sets it), where it fails.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const chromiumPath = process.env.DL4TS_CHROMIUM ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
if (chromiumPath === undefined && process.env.DL4TS_REQUIRE_CHROMIUM === '1') throw new Error('DL4TS_REQUIRE_CHROMIUM=1 but no Chromium: set DL4TS_CHROMIUM or install chromium');
if (!existsSync(join(dist, 'index.html'))) throw new Error(`${dist}/index.html is missing: run \`pnpm build\` in apps/playground first`);
const TYPES: Readonly<Record<string, string>> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' };

/** Serves dist/ as a plain static site (what any web server would do with the build). */
function serve(): Promise<Server> {
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(dist, path.endsWith('/') ? `${path}index.html` : path);
    if (!file.startsWith(dist) || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('the built bundle', () => {
  it('imports no Node-only module (node: builtins or a package\'s node entry)', () => {
    const scripts = readdirSync(join(dist, 'assets')).filter((f) => f.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) {
      const text = readFileSync(join(dist, 'assets', script), 'utf8');
      // ES imports of Node builtins; tfjs-backend-wasm's own worker glue holds a `require("worker_threads")`
      // behind its ENVIRONMENT_IS_NODE check, which a browser never runs.
      expect(text, script).not.toMatch(/(from\s*["']node:|import\(\s*["']node:|from\s*["'](fs|path|os|worker_threads|child_process)["'])/);
    }
    expect(readdirSync(join(dist, 'tfjs-wasm')).sort()).toEqual(['tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm', 'tfjs-backend-wasm.wasm']);
  });
});

describe.skipIf(chromiumPath === undefined)('the playground in headless Chromium', () => {
  let browser: Browser;
  let server: Server;
  const downloads = mkdtempSync(join(tmpdir(), 'dl4ts-playground-'));
  beforeAll(async () => {
    server = await serve();
    browser = await chromium.launch({ executablePath: chromiumPath as string, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    server?.close();
    rmSync(downloads, { recursive: true, force: true });
  });

  it('names its backend, trains to the stated 95% held-out accuracy, and round-trips the model through a file', async () => {
    const page = await browser.newPage({ acceptDownloads: true });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.waitForFunction(() => !(document.getElementById('train') as HTMLButtonElement).disabled, undefined, { timeout: 60_000 });
    const backend = await page.textContent('#backend');
    expect(['webgpu', 'wasm', 'cpu']).toContain(backend);
    // Headless Chromium without a GPU has no WebGPU adapter: the page says why and runs on wasm.
    expect(backend === 'webgpu' || (await page.textContent('#skipped'))?.includes('webgpu')).toBe(true);

    await page.click('#train');
    await page.waitForFunction(() => window.__playground.trained || window.__playground.error !== undefined, undefined, { timeout: 150_000 });
    const trained = await page.evaluate(() => window.__playground);
    expect(trained.error).toBeUndefined();
    expect(trained.epochs).toHaveLength(150);
    expect(trained.losses[149]).toBeLessThan(0.5 * (trained.losses[0] as number)); // it learned
    expect(trained.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(await page.textContent('#status')).toMatch(new RegExp(`on ${backend}: held-out accuracy \\d+\\.\\d% \\(target met`));
    // The live chart held the curve as it grew.
    expect(await page.evaluate(() => document.querySelectorAll('#chart canvas').length)).toBe(1);

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save')]);
    const file = join(downloads, download.suggestedFilename());
    await download.saveAs(file);
    expect(readFileSync(file).length).toBe(await page.evaluate(() => window.__playground.savedBytes));
    await page.setInputFiles('#load', file);
    await page.waitForFunction(() => window.__playground.loadedAccuracy !== undefined || window.__playground.error !== undefined);
    const loaded = await page.evaluate(() => window.__playground);
    expect(loaded.error).toBeUndefined();
    expect(loaded.loadedAccuracy).toBe(trained.accuracy);
    expect(loaded.loadedMaxDifference).toBe(0);
    expect(errors).toEqual([]);
  });
});
