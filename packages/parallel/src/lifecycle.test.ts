import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('worker lifecycle', () => {
  it('idle workers do not keep the process alive: a script that forgets close() exits by itself', () => {
    const script = fileURLToPath(new URL('./forgotten-close.fixture.ts', import.meta.url));
    const hooks = new URL('./node/register-source-hooks.mjs', import.meta.url).href;
    const child = spawnSync(process.execPath, ['--import', hooks, script], { encoding: 'utf8', timeout: 30_000 });
    expect(child.error).toBeUndefined(); // a timeout would be an error here
    expect(child.stdout).toContain('trained 2 epochs on 2 workers');
    expect(child.status).toBe(0);
  });
});
