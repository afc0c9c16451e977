import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = join(dirname(fileURLToPath(import.meta.url)), '..');

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = await Promise.all(
    entries.map((e) => {
      const path = join(dir, e.name);
      if (e.isDirectory()) return relative(src, path) === 'node' ? [] : sources(path);
      return /\.ts$/.test(e.name) && !/\.test(-d)?\.ts$/.test(e.name) ? [path] : [];
    }),
  );
  return files.flat();
}

describe('platform neutrality', () => {
  it('keeps Node built-ins (imports, Buffer, process) inside src/node', async () => {
    const offenders: string[] = [];
    for (const file of await sources(src)) {
      const text = await readFile(file, 'utf8');
      if (/from ['"](node:|fs|path|zlib|os)['"/]|\bBuffer\.|\bprocess\./.test(text)) offenders.push(relative(src, file));
    }
    expect(offenders).toEqual([]);
  });
});
