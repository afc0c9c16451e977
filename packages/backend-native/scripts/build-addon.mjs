// Builds the native addon (node-gyp over binding.gyp) at install time. It never fails the install:
// where the build is impossible (another platform, no C++ compiler, no OpenBLAS, a compile error)
// it writes the exact reason and the command that fixes it to build/status.json, which the
// backend reads to report itself unavailable, and exits 0. `--force` rebuilds even when the
// sources are unchanged; DL4TS_NATIVE_REQUIRED=1 makes a failed build fail the install (CI on a
// machine that has the toolchain, so a broken build cannot hide behind a skip).
//
// Options through the environment: CXX (the compiler), DL4TS_NATIVE_SKIP_BUILD=1 (do not build).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const buildDir = join(packageDir, 'build');
const statusFile = join(buildDir, 'status.json');
const addonFile = join(buildDir, 'Release', 'dl4ts_native.node');
const force = process.argv.includes('--force');
const required = process.env.DL4TS_NATIVE_REQUIRED === '1';
const rebuildHint = 'pnpm --filter @dl4ts/backend-native run build:addon (in a dl4ts checkout) or npm rebuild @dl4ts/backend-native';
const debianFix = `apt-get install build-essential libopenblas-dev, then ${rebuildHint}`;

/** Hash of everything the binary is built from, so an unchanged tree is not rebuilt on every install. */
function sourceHash() {
  const hash = createHash('sha256');
  hash.update(readFileSync(join(packageDir, 'binding.gyp')));
  for (const name of readdirSync(join(packageDir, 'native')).sort()) hash.update(name).update(readFileSync(join(packageDir, 'native', name)));
  hash.update(process.version.split('.')[0] ?? '').update(process.arch).update(process.platform);
  return hash.digest('hex');
}

function writeStatus(status) {
  mkdirSync(buildDir, { recursive: true });
  writeFileSync(statusFile, JSON.stringify({ ...status, at: new Date().toISOString() }, null, 2) + '\n');
}

function fail(reason, fix, log) {
  writeStatus({ built: false, reason, fix, ...(log === undefined ? {} : { log }) });
  const message = `@dl4ts/backend-native: the native addon was not built: ${reason}. Fix: ${fix}. The backend will report itself unavailable; @dl4ts/backend-auto falls back to wasm.`;
  console.warn(message);
  process.exit(required ? 1 : 0);
}

const tail = (text, lines = 30) => text.trimEnd().split('\n').slice(-lines).join('\n');

function run(command, args, options = {}) {
  return spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
}

if (process.env.DL4TS_NATIVE_SKIP_BUILD === '1') fail('the build was skipped (DL4TS_NATIVE_SKIP_BUILD=1)', `unset DL4TS_NATIVE_SKIP_BUILD, then ${rebuildHint}`);
if (process.platform !== 'linux' || process.arch !== 'x64') {
  fail(
    `no build for ${process.platform}-${process.arch} yet: the addon is built and tested on linux-x64 only`,
    'use @dl4ts/backend-wasm on this platform (backend-auto does so by itself)',
  );
}

const hash = sourceHash();
if (!force && existsSync(addonFile) && existsSync(statusFile)) {
  try {
    const previous = JSON.parse(readFileSync(statusFile, 'utf8'));
    if (previous.built === true && previous.sourceHash === hash) {
      console.log('@dl4ts/backend-native: the native addon is up to date');
      process.exit(0);
    }
  } catch {
    // An unreadable status file: build again.
  }
}

// 1. A C++ compiler, and OpenBLAS's cblas.h and library: one tiny program compiled and linked,
// which tells the two apart in the message.
const cxx = process.env.CXX || 'c++';
const probeDir = join(tmpdir(), `dl4ts-native-probe-${process.pid}`);
mkdirSync(probeDir, { recursive: true });
try {
  const version = run(cxx, ['--version']);
  if (version.error !== undefined || version.status !== 0) {
    fail(`no C++ compiler: \`${cxx} --version\` ${version.error !== undefined ? `could not run (${version.error.code ?? version.error.message})` : `exited with ${String(version.status)}`}`, debianFix);
  }
  const source = join(probeDir, 'probe.cc');
  writeFileSync(source, '#include <cblas.h>\nint main() { float a = 1, b = 1, c = 0; cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 1, 1, 1, 1.0f, &a, 1, &b, 1, 0.0f, &c, 1); return c == 1.0f ? 0 : 1; }\n');
  const header = run(cxx, ['-fsyntax-only', source]);
  if (header.status !== 0) fail(`OpenBLAS's header cblas.h was not found by ${cxx} (${tail(header.stderr, 1).trim()})`, debianFix);
  const link = run(cxx, [source, '-o', join(probeDir, 'probe'), '-lopenblas']);
  if (link.status !== 0) fail(`OpenBLAS's library did not link (-lopenblas: ${tail(link.stderr, 1).trim()})`, debianFix);
} finally {
  rmSync(probeDir, { recursive: true, force: true });
}

// 2. node-gyp: the package's own (a devDependency here), else the one npm or pnpm hands to install
// scripts, else one on PATH.
let gyp;
try {
  gyp = [process.execPath, createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js')];
} catch {
  const fromManager = process.env.npm_config_node_gyp;
  gyp = fromManager !== undefined && existsSync(fromManager) ? [process.execPath, fromManager] : ['node-gyp'];
}
// Node's own headers where the Node install has them (Debian's nodejs, the official tarballs:
// <prefix>/include/node), so node-gyp needs no download; npm's `nodedir` setting wins.
const prefix = dirname(dirname(process.execPath));
const nodedir = process.env.npm_config_nodedir || (existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined);
const started = Date.now();
const built = run(gyp[0], [...gyp.slice(1), 'rebuild', '--release', ...(nodedir === undefined ? [] : [`--nodedir=${nodedir}`])], { cwd: packageDir, env: { ...process.env, CXX: cxx } });
const output = `${built.stdout ?? ''}\n${built.stderr ?? ''}`;
if (built.error !== undefined || built.status !== 0 || !existsSync(addonFile)) {
  const offline = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED/.test(output) && /headers/.test(output);
  const why =
    built.error !== undefined
      ? `node-gyp could not run (${built.error.message})`
      : offline
        ? "node-gyp could not download Node's headers (no network, and no <prefix>/include/node beside this Node)"
        : `node-gyp rebuild failed (exit ${String(built.status)})`;
  fail(why, `read build/status.json's log, then ${rebuildHint}`, tail(output));
}

// 3. The binary loads and multiplies: a build that links but cannot load is no build.
const check = run(process.execPath, ['-e', `const a = require(${JSON.stringify(addonFile)}); const out = new Float32Array(1); a.matMul(new Float32Array([2]), new Float32Array([3]), out, 1, 1, 1, 1, 1, false, false, null, 0, 0, 0); if (out[0] !== 6) process.exit(3);`]);
if (check.status !== 0) fail(`the built addon does not load or compute (${tail(check.stderr, 3).trim() || `exit ${String(check.status)}`})`, rebuildHint);

writeStatus({ built: true, sourceHash: hash, seconds: (Date.now() - started) / 1000, compiler: tail(run(cxx, ['--version']).stdout, 100).split('\n')[0] });
console.log(`@dl4ts/backend-native: built the native addon in ${((Date.now() - started) / 1000).toFixed(1)} s`);
