import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installLine, readmeBlocks } from './readme-blocks';
import { missingService, readmeServices } from './services';
import { emptyProject, npmInstall, publishedPackages, root, tarballPacker, tfjsCore, withDependencies } from './tarballs';

// Each published package as a new user meets it: an empty npm project, exactly the packages its
// README's install line names (ours as packed tarballs, tfjs-core at the tested version, nothing
// else but @types/node), and its README's example compiled under strict settings and run.
const skip = process.env.DL4TS_SKIP_PACK === '1';
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compilerOptions = { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noUncheckedIndexedAccess: true, skipLibCheck: true, outDir: 'out', rootDir: 'src', types: ['node'] };

/**
 * The packages a README installs, as npm specifiers: ours as tarballs, with the `@dl4ts/*`
 * packages they depend on (which the registry would bring; these are not on it), and tfjs-core
 * at the tested version. Peers come only from the install line.
 */
function specifiers(words: readonly string[], tarballsOf: (names: readonly string[]) => string[]): string[] {
  const ours = words.filter((word) => word.startsWith('@dl4ts/')).map((word) => word.slice('@dl4ts/'.length));
  const unknown = ours.filter((name) => !publishedPackages.includes(name));
  if (unknown.length > 0) throw new Error(`the install line names ${unknown.map((n) => `@dl4ts/${n}`).join(', ')}, not published packages`);
  const others = words.filter((word) => !word.startsWith('@dl4ts/')).map((word) => (word === '@tensorflow/tfjs-core' ? tfjsCore : word));
  return [...tarballsOf(withDependencies(ours)), ...others];
}

describe.skipIf(skip)("each published package's README example, installed as its README says", () => {
  const work = mkdtempSync(join(tmpdir(), 'dl4ts-readme-alone-'));
  const services = readmeServices(publishedPackages.map((name) => `packages/${name}/README.md`));
  beforeAll(() => services.start());
  afterAll(async () => {
    await services.stop();
    rmSync(work, { recursive: true, force: true });
  });
  const tarballsOf = tarballPacker(join(work, 'tarballs'));

  it('covers every published package', () => {
    expect(publishedPackages.length).toBeGreaterThanOrEqual(13);
  });

  const runnable = publishedPackages.filter((name) => missingService(`packages/${name}/README.md`) === undefined);
  const skipped = publishedPackages.filter((name) => !runnable.includes(name));
  if (skipped.length > 0) it.skip.each(skipped.map((name) => [name, missingService(`packages/${name}/README.md`)] as const))('@dl4ts/%s is not run: %s', () => undefined);

  it.each(runnable)('@dl4ts/%s', (name) => {
    const readme = `packages/${name}/README.md`;
    const markdown = readFileSync(join(root, readme), 'utf8');
    const examples = readmeBlocks(markdown, readme).filter((b) => b.role === 'example');
    expect(examples.map((b) => `${readme}:${b.line}`), `${readme} must mark exactly one block 'ts example'`).toHaveLength(1);
    const words = installLine(markdown, readme);
    expect(words, `${readme}'s install line must name the package`).toContain(`@dl4ts/${name}`);

    const app = emptyProject(join(work, name), `readme-${name}`);
    // backend-auto depends on backend-native, whose install builds an addon (about 30 s); the
    // backend-native case builds it, so here the build is skipped and auto falls back, saying why.
    const env = name === 'backend-auto' ? { ...process.env, DL4TS_NATIVE_SKIP_BUILD: '1' } : process.env;
    npmInstall(app, [...specifiers(words, tarballsOf), '@types/node@20'], env);
    mkdirSync(join(app, 'src'));
    writeFileSync(join(app, 'src', 'example.ts'), `${(examples[0] as { code: string }).code}export {};\n`);
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['src'] }));
    const compiled = spawnSync(process.execPath, [tsc, '-p', '.', '--pretty', 'false'], { cwd: app, encoding: 'utf8' });
    expect(compiled.stdout + compiled.stderr).toBe('');
    const run = spawnSync(process.execPath, ['out/example.js'], { cwd: app, encoding: 'utf8', timeout: 240_000, env: services.env() });
    expect(run.status, `${readme}'s example exited ${String(run.status)}\n${run.stderr.slice(-4000)}`).toBe(0);
  }, 600_000);
});
