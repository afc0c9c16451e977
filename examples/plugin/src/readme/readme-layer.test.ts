import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

// The custom layer in @dl4ts/core's README ("Writing a plugin") is these two files, character for
// character, and it runs as it stands: trains, saves, loads, and predicts the same bits.
const file = (name: string) => readFileSync(new URL(`./${name}`, import.meta.url), 'utf8');
const readme = readFileSync(new URL('../../../../packages/core/README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('## Writing a plugin'), readme.indexOf('\n## ', readme.indexOf('## Writing a plugin') + 3));
const blocks = [...section.matchAll(/```ts[^\n]*\n([\s\S]*?)```/g)].map((m) => m[1]);

describe("the README's whole custom layer", () => {
  it('is gain-dense.ts and train-gain-dense.ts verbatim', () => {
    expect(blocks[0]).toBe(file('gain-dense.ts'));
    expect(blocks[1]).toBe(file('train-gain-dense.ts'));
  });

  it('trains (the loss falls by more than half), saves, loads and predicts bitwise the same', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'readme-layer-'));
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
    vi.stubEnv('MODEL_DIR', dir);
    try {
      await import('./train-gain-dense');
    } finally {
      log.mockRestore();
      vi.unstubAllEnvs();
    }
    const result = JSON.parse(lines.at(-1) ?? '{}') as { first: number; last: number; path: string; same: boolean };
    expect(result.same).toBe(true);
    expect(result.path.startsWith(dir)).toBe(true);
    expect(result.last).toBeLessThan(result.first / 2);
    rmSync(dir, { recursive: true, force: true });
  });
});
