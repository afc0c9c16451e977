import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allReadmeBlocks, type ReadmeBlock } from './readme-blocks';
import { missingService, readmeServices } from './services';

// Every TypeScript block in a README is a program that compiles under strict settings against the
// built packages and runs to exit 0 as it stands, or is marked `fragment`. The blocks are written
// to a temporary folder whose node_modules is this package's (so that `@dl4ts/*` resolve to the
// workspace's builds), compiled in one tsc run, and each run in a fresh working folder of its own.
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const blocks = allReadmeBlocks(root);
const programs = blocks.filter((b) => b.role !== 'fragment');
const runnable = programs.filter((b) => missingService(b.readme) === undefined);
const services = readmeServices(runnable.map((b) => b.readme));

/** Each README's programs share a folder, so that one block can import another by its `file=` name. */
const nameOf = (b: ReadmeBlock): string => `${b.readme.replace(/\/?README\.md$/, '').replace(/\//g, '-') || 'root'}/${b.file?.replace(/\.ts$/, '') ?? `L${b.line}`}`;

describe('README TypeScript blocks', () => {
  let diagnostics = '';
  const work = mkdtempSync(join(tmpdir(), 'dl4ts-readme-programs-'));
  const runs = join(work, 'runs');
  beforeAll(async () => {
    symlinkSync(join(here, '..', 'node_modules'), join(work, 'node_modules'), 'dir');
    writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'readme-programs', private: true, type: 'module' }));
    // `export {}` makes every block a module, so that blocks without imports do not share a scope.
    for (const b of programs) {
      mkdirSync(dirname(join(work, 'src', nameOf(b))), { recursive: true });
      writeFileSync(join(work, 'src', `${nameOf(b)}.ts`), `${b.code}export {};\n`);
    }
    const compilerOptions = { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noUncheckedIndexedAccess: true, skipLibCheck: true, outDir: 'out', rootDir: 'src', types: ['node'] };
    writeFileSync(join(work, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['src'] }));
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const compiled = spawnSync(process.execPath, [tsc, '-p', '.', '--pretty', 'false'], { cwd: work, encoding: 'utf8' });
    diagnostics = compiled.stdout + compiled.stderr;
    await services.start();
  }, 120_000);
  afterAll(async () => {
    await services.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('has programs to run, and none of them is empty', () => {
    expect(programs.length).toBeGreaterThan(10);
    for (const b of programs) expect(b.code.trim(), `${b.readme}:${b.line}`).not.toBe('');
  });

  const skipped = programs.filter((b) => !runnable.includes(b));
  if (skipped.length > 0) it.skip.each(skipped.map((b) => [`${b.readme}:${b.line}`, missingService(b.readme)] as const))('%s is not run: %s', () => undefined);

  it.each(runnable.map((b) => [`${b.readme}:${b.line}`, b] as const))('%s compiles and runs', (_, block) => {
    const name = nameOf(block);
    // tsc's lines for this block, with the README's line numbers.
    const errors = diagnostics
      .split('\n')
      .filter((l) => l.startsWith(`src/${name}.ts(`))
      .map((l) => l.replace(/^src\/[^(]+\((\d+),(\d+)\)/, (_m, line: string, col: string) => `${block.readme}:${block.line + Number(line) - 1}:${col}`));
    expect(errors).toEqual([]);
    const cwd = join(runs, name);
    mkdirSync(cwd, { recursive: true });
    const run = spawnSync(process.execPath, [join(work, 'out', `${name}.js`)], { cwd, encoding: 'utf8', timeout: 240_000, env: { ...services.env(), NODE_OPTIONS: '' } });
    expect(run.error, run.stderr).toBeUndefined();
    expect(run.status, `${block.readme}:${block.line} exited ${String(run.status)}\n${run.stderr.slice(-4000)}`).toBe(0);
  });
});

