// The install-time build never fails an install where the toolchain is missing: it writes the
// exact reason to build/status.json, which the backend then reports. Run on a copy of the
// package's build inputs, with the compiler or OpenBLAS taken away.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { nativeBackend } from './native-backend';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** A copy of the build inputs in a temporary folder; runs its build script with `env`. */
function build(env: Record<string, string>): { status: number | null; output: string; dir: string; report: { built: boolean; reason: string; fix: string } } {
  const dir = mkdtempSync(join(tmpdir(), 'dl4ts-native-build-'));
  for (const entry of ['binding.gyp', 'native', 'scripts']) cpSync(join(packageDir, entry), join(dir, entry), { recursive: true });
  const run = spawnSync(process.execPath, [join(dir, 'scripts', 'build-addon.mjs')], { encoding: 'utf8', env: { ...process.env, DL4TS_NATIVE_REQUIRED: '', DL4TS_NATIVE_SKIP_BUILD: '', ...env } });
  return { status: run.status, output: `${run.stdout}${run.stderr}`, dir, report: JSON.parse(readFileSync(join(dir, 'build', 'status.json'), 'utf8')) };
}

/** A compiler wrapper: `g++` with extra flags first. */
function wrapper(flags: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'dl4ts-cxx-')), 'cxx');
  writeFileSync(file, `#!/bin/sh\nexec g++ ${flags} "$@"\n`);
  chmodSync(file, 0o755);
  return file;
}

const haveGpp = spawnSync('g++', ['--version']).status === 0;

describe('the install-time build of the addon', () => {
  it('without a C++ compiler: exits 0, and the backend says which compiler was missing and how to fix it', async () => {
    const { status, output, dir, report } = build({ CXX: '/nonexistent/bin/c++' });
    expect(status).toBe(0);
    expect(output).toMatch(/the native addon was not built: no C\+\+ compiler/);
    expect(report).toMatchObject({ built: false, reason: expect.stringMatching(/^no C\+\+ compiler: `\/nonexistent\/bin\/c\+\+ --version` could not run \(ENOENT\)/), fix: expect.stringMatching(/apt-get install build-essential libopenblas-dev/) });
    const availability = await nativeBackend({ buildDir: join(dir, 'build') }).availability();
    expect((availability as { reason: string }).reason).toMatch(/was not built at install: no C\+\+ compiler.*fix: apt-get install build-essential libopenblas-dev/);
  });

  it.runIf(haveGpp)("without OpenBLAS's header: names cblas.h", () => {
    const { status, report } = build({ CXX: wrapper('-nostdinc') });
    expect(status).toBe(0);
    expect(report.reason).toMatch(/^OpenBLAS's header cblas\.h was not found/);
  });

  it.runIf(haveGpp)("without OpenBLAS's library: names -lopenblas", () => {
    // A compiler that finds the header but fails any link asking for -lopenblas.
    const cxx = join(mkdtempSync(join(tmpdir(), 'dl4ts-cxx-')), 'cxx');
    writeFileSync(cxx, '#!/bin/sh\nfor a in "$@"; do [ "$a" = -lopenblas ] && { echo "cannot find -lopenblas" >&2; exit 1; }; done\nexec g++ "$@"\n');
    chmodSync(cxx, 0o755);
    const { status, report } = build({ CXX: cxx });
    expect(status).toBe(0);
    expect(report.reason).toMatch(/^OpenBLAS's library did not link \(-lopenblas: cannot find -lopenblas\)/);
  });

  it('DL4TS_NATIVE_SKIP_BUILD=1 skips and says so; DL4TS_NATIVE_REQUIRED=1 turns a failed build into a failed install', () => {
    expect(build({ DL4TS_NATIVE_SKIP_BUILD: '1' }).report.reason).toBe('the build was skipped (DL4TS_NATIVE_SKIP_BUILD=1)');
    const required = build({ CXX: '/nonexistent/bin/c++', DL4TS_NATIVE_REQUIRED: '1' });
    expect(required.status).toBe(1);
    expect(required.report.built).toBe(false);
  });
});
