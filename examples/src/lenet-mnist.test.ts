import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The LeNet example as a user runs it (the built script, in its own process), on a slice of MNIST:
// it trains, writes a checkpoint per epoch, and a second run resumes from the newest one. The full
// run (12 epochs, 99.26%) is in packages/cnn/README.md; it takes minutes, not a test's seconds.
const script = fileURLToPath(new URL('../dist/lenet-mnist.js', import.meta.url));
const data = process.env.DL4TS_DATA === undefined ? fileURLToPath(new URL('../../../shared/data/mnist', import.meta.url)) : join(process.env.DL4TS_DATA, 'mnist');
const missing = !existsSync(data) ? `MNIST not found at ${data} (set DL4TS_DATA)` : !existsSync(script) ? 'examples not built (pnpm --filter @dl4ts/examples build)' : undefined;
if (missing !== undefined) console.warn(`Skipping the LeNet example test: ${missing}`);

describe.skipIf(missing !== undefined)('examples/lenet-mnist.ts', () => {
  it('trains on 1,024 images, checkpoints, and resumes from its checkpoint', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lenet-'));
    try {
      const run = (epochs: number) => spawnSync(process.execPath, [script, '--backend', 'wasm', '--data', data, '--limit', '1024', '--epochs', String(epochs), '--checkpoints', dir], { encoding: 'utf8', timeout: 240_000 });
      const first = run(1);
      expect(first.status, first.stderr).toBe(0);
      expect(first.stdout).toMatch(/epoch 1\/1: loss [\d.]+/);
      const accuracy = Number(/test accuracy ([\d.]+)% after 1 epochs/.exec(first.stdout)?.[1]);
      expect(accuracy).toBeGreaterThan(70); // 79.1% here: 16 Adam steps, far above chance (10%)
      expect(readdirSync(dir).filter((f) => f.endsWith('.safetensors'))).toEqual(['checkpoint-i16-e1.safetensors']);
      const second = run(2);
      expect(second.status, second.stderr).toBe(0);
      expect(second.stdout).toContain('resumed from');
      expect(second.stdout).toMatch(/epoch 2\/2:/);
      expect(second.stdout).not.toMatch(/epoch 1\/2:/);
      expect(second.stdout).toMatch(/after 2 epochs/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
