// `pnpm start -- --ui`: the main job serves the dashboard at the URL it prints, with its run, and
// stays up after training until Ctrl-C (SIGINT), then exits cleanly. Runs the built dist/main.js.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'main.js');

describe('pnpm start -- --ui', () => {
  it('prints the dashboard URL, serves the run there after training, and exits on SIGINT', async () => {
    const child = spawn('node', [main, '--ui', '--ui-port', '0', '--epochs', '1', '--limit', '3000', '--backend', 'cpu', '--hidden', '32'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => void (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => void (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 120_000;
      while (!/the dashboard stays at (http:\/\/\S+)/.test(out) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
      const url = /the dashboard stays at (http:\/\/\S+)/.exec(out)?.[1];
      expect(url, out).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(out).toContain(`dashboard: ${url}`); // printed before training started
      const runs = (await (await fetch(`${url}api/runs`)).json()) as { title: string; reports: number }[];
      expect(runs).toHaveLength(1);
      expect(runs[0]?.title).toBe('dl4ts MNIST MLP (32)');
      expect(runs[0]?.reports).toBeGreaterThan(0); // 24 iterations: one report, and the epoch's with the test score
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
