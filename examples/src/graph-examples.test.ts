import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The graph and transfer-learning examples as a user runs them (the built scripts, each in its own
// process), on slices of MNIST. Their full runs and figures are in packages/core/README.md.
const dist = (name: string) => fileURLToPath(new URL(`../dist/${name}.js`, import.meta.url));
const data = process.env.DL4TS_DATA === undefined ? fileURLToPath(new URL('../../../shared/data/mnist', import.meta.url)) : join(process.env.DL4TS_DATA, 'mnist');
const scripts = ['graph-residual-mnist', 'graph-multitask-mnist', 'transfer-mnist'];
const missing = !existsSync(data) ? `MNIST not found at ${data} (set DL4TS_DATA)` : scripts.some((s) => !existsSync(dist(s))) ? 'examples not built (pnpm --filter @dl4ts/examples build)' : undefined;
if (missing !== undefined) console.warn(`Skipping the graph example tests: ${missing}`);

function run(name: string, args: string[]): string {
  const result = spawnSync(process.execPath, [dist(name), '--backend', 'wasm', '--data', data, ...args], { encoding: 'utf8', timeout: 240_000 });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout;
}

const number = (pattern: RegExp, text: string): number => Number(pattern.exec(text)?.[1]);

describe.skipIf(missing !== undefined)('graph examples on slices of MNIST (wasm)', () => {
  it('the residual MLP trains one epoch on 2,048 images', () => {
    const out = run('graph-residual-mnist', ['--limit', '2048', '--epochs', '1']);
    expect(out).toMatch(/block1sum\s+core\/elementwise\s+stem, block1b\s+\[256\]\s+0/);
    // 85.7% on native: 32 Adam steps, far above chance (10%).
    expect(number(/test accuracy ([\d.]+)% after 1 epochs/, out)).toBeGreaterThan(70);
  });

  it('the multi-task network reports both heads', () => {
    const out = run('graph-multitask-mnist', ['--limit', '2048', '--epochs', '1']);
    expect(number(/digit accuracy ([\d.]+)%, odd\/even accuracy [\d.]+% after 1 epochs/, out)).toBeGreaterThan(70);
    // Odd or even is a two-class task: chance is 50%.
    expect(number(/odd\/even accuracy ([\d.]+)% after 1 epochs/, out)).toBeGreaterThan(70);
  });

  it('the transfer example trains the base, then the transferred and the scratch network', () => {
    const out = run('transfer-mnist', ['--limit', '3000', '--epochs', '1', '--few', '200', '--few-epochs', '3']);
    expect(number(/base network on digits 0-4 \(\d+ images, 1 epochs\): test accuracy ([\d.]+)%/, out)).toBeGreaterThan(80);
    expect(out).toMatch(/transferred \(frozen features, new output layer\): 200 images of digits 5-9, 3 epochs: test accuracy on digits 5-9 [\d.]+%/);
    expect(out).toMatch(/from scratch: 200 images of digits 5-9, 3 epochs: test accuracy on digits 5-9 [\d.]+%/);
  });
});
