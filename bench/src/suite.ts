// `pnpm bench`: runs every benchmark case in its own process (so one case's wasm heap, caches and
// leaks cannot colour the next), collects their JSON results and writes bench/RESULTS.md.
//
//   pnpm bench [-- --cases mlp,lstm] [--quick] [--out FILE] [--timeout SECONDS]
//
// Data: DL4TS_DATA (the folder holding mnist/ and tinyshakespeare/), else ../shared/data beside the
// repository; without it the cases measure speed on generated data and say so.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readCpuFeatures } from '@dl4ts/backend-native';
import { BEST_SUFFIX, bestBlasCore, blasModeEnv } from './blas-mode';
import type { CaseResult, ContenderResult } from './harness';

const here = dirname(fileURLToPath(import.meta.url));

/** Every case, in the order they run; each is `dist/cases/<file>.js`, run under its own name. */
export const CASES = [
  'mlp',
  'mlp-threads',
  'mlp-latency',
  'rbm-cd1',
  'lstm',
  'lstm-stock',
  'lstm-memory',
  'mlp-native',
  'mlp-native-best',
  'mlp-latency-native',
  'mlp-latency-native-best',
  'rbm-native',
  'rbm-native-best',
  'lstm-native',
  'lstm-native-best',
  'lenet',
  'ui-overhead',
  'csv-load',
] as const;

/**
 * `<case>-best`: the case's file run with every contender on the best OpenBLAS kernel for this CPU;
 * `<case>`: OpenBLAS as the machine has it (../blas-mode.ts).
 */
function caseFile(name: string): { file: string; env: NodeJS.ProcessEnv } {
  const best = name.endsWith(BEST_SUFFIX);
  return { file: best ? name.slice(0, -BEST_SUFFIX.length) : name, env: blasModeEnv(best ? 'best' : 'machine', process.env) };
}

// `pnpm bench -- --cases x` hands the script a literal `--`; it separates nothing here.
const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    cases: { type: 'string' },
    quick: { type: 'boolean', default: false },
    out: { type: 'string', default: join(here, '..', 'RESULTS.md') },
    timeout: { type: 'string', default: '300' },
  },
});

const selected = values.cases === undefined ? [...CASES] : values.cases.split(',').map((s) => s.trim());
for (const name of selected) {
  const { file } = caseFile(name);
  if (!existsSync(join(here, 'cases', `${file}.js`))) {
    console.error(`bench: no case "${name}" (dist/cases/${file}.js); cases: ${CASES.join(', ')}. Run \`pnpm build\` first.`);
    process.exit(2);
  }
}

/** Runs one case's process, its output prefixed, and reads the result it wrote. */
async function runOne(name: string, dir: string): Promise<CaseResult | { case: string; error: string }> {
  const json = join(dir, `${name}.json`);
  const { file, env } = caseFile(name);
  const args = [join(here, 'cases', `${file}.js`), '--json', json, '--name', name, ...(values.quick ? ['--quick'] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let tail = '';
  const relay = (chunk: Buffer) => {
    const text = chunk.toString();
    tail = (tail + text).slice(-2000);
    for (const line of text.split('\n')) if (line.length > 0 && !line.startsWith('DL4TS_BENCH_RESULT')) console.log(`  [${name}] ${line}`);
  };
  child.stdout.on('data', relay);
  child.stderr.on('data', relay);
  const limit = Number(values.timeout) * 1000;
  const timer = setTimeout(() => child.kill('SIGKILL'), limit);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  if (code !== 0) return { case: name, error: `exit ${code ?? 'killed after ' + values.timeout + ' s'}; last output: ${tail.trim().split('\n').slice(-3).join(' / ')}` };
  return JSON.parse(await readFile(json, 'utf8')) as CaseResult;
}

const fmt = (x: number, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');

function render(results: (CaseResult | { case: string; error: string })[], seconds: number): string {
  const out: string[] = [];
  out.push('# Benchmark results', '');
  out.push(`\`pnpm bench${values.quick ? ' -- --quick' : ''}\`, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${fmt(seconds)} s in all.`);
  const cpu = readCpuFeatures();
  if (cpu !== undefined) {
    const simd = ['avx2', 'fma', 'avx512f', 'avx512bw', 'avx512dq', 'avx512vl', 'avx512_bf16'].filter((f) => cpu.flags.has(f));
    out.push(`CPU: **${cpu.model}** (${cpu.vendor}; ${simd.join(' ')}). OpenBLAS settings of the machine: ${['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'].map((k) => `${k}=${process.env[k] ?? '(unset)'}`).join(' ')}; the \`*-best\` cases run every contender on ${bestBlasCore() ?? "OpenBLAS's own choice"}, the kernel dl4ts's native backend chooses for this CPU.`, '');
  }
  out.push('Each case ran in its own process; contenders took turns within it, and each figure is the median of its timed rounds. Ratios are against the anchor of the same case, measured in the same process.', '');
  out.push('| case | dl4ts | anchor | ratio to anchor | ratio to the fastest other contender | dl4ts GFLOP/s | peak RSS | tensors leaked |', '| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of results) {
    if ('error' in r) {
      out.push(`| ${r.case} | failed: ${r.error.replace(/\|/g, '/')} | | | | | | |`);
      continue;
    }
    const anchor = r.rows.find((row) => row.anchor);
    const ours = r.rows.find((row) => !row.anchor && row.name.startsWith('dl4ts'));
    // The strongest rival in the case (tfjs-layers on dl4ts's kernel fixes, where the anchor is stock).
    const rival = r.rows.filter((row) => !row.name.startsWith('dl4ts')).reduce<ContenderResult | undefined>((best, row) => (best === undefined || row.perSecond > best.perSecond ? row : best), undefined);
    const versusRival = ours === undefined || rival === undefined ? 'n/a' : `${fmt(ours.perSecond / rival.perSecond, 2)}x (${rival.name})`;
    const value = (row: typeof ours) => (row === undefined ? 'n/a' : `${fmt(row.perSecond, row.perSecond < 100 ? 1 : 0)} ${r.unit}`);
    out.push(`| ${r.case} | ${value(ours)} | ${value(anchor)} | ${ours === undefined ? 'n/a' : `**${fmt(ours.ratio, 2)}x**`} | ${versusRival} | ${ours?.gflops === undefined ? '' : fmt(ours.gflops, 1)} | ${fmt(r.peakRssMiB)} MiB | ${r.tensorsLeaked} |`);
  }
  for (const r of results) {
    out.push('', `## ${r.case}${'error' in r ? '' : `: ${r.title}`}`, '');
    if ('error' in r) {
      out.push(`Failed: ${r.error}`);
      continue;
    }
    out.push(`| contender | ${r.unit} (median) | ratio | GFLOP/s | rounds (${r.unit}) |`, '| --- | --- | --- | --- | --- |');
    for (const row of r.rows) {
      out.push(`| ${row.name} | ${fmt(row.perSecond, row.perSecond < 100 ? 1 : 0)} | ${fmt(row.ratio, 2)}x | ${row.gflops === undefined ? '' : fmt(row.gflops, 1)} | ${row.rounds.map((x) => fmt(x, x < 100 ? 1 : 0)).join(', ')} |`);
    }
    out.push('', `Backend ${r.backend}; ${fmt(r.seconds)} s; peak RSS ${fmt(r.peakRssMiB)} MiB; tensors leaked ${r.tensorsLeaked}.`);
    for (const [key, value] of Object.entries(r.metrics ?? {})) out.push(`- ${key}: ${value}`);
    for (const note of r.notes) out.push(`- ${note}`);
  }
  return out.join('\n') + '\n';
}

const started = performance.now();
const dir = await mkdtemp(join(tmpdir(), 'dl4ts-bench-'));
const results: (CaseResult | { case: string; error: string })[] = [];
try {
  for (const name of selected) {
    console.log(`bench: ${name}`);
    const result = await runOne(name, dir);
    results.push(result);
    if ('error' in result) console.error(`bench: ${name} failed: ${result.error}`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
await writeFile(values.out, render(results, (performance.now() - started) / 1000));
console.log(`bench: wrote ${values.out}`);
if (results.some((r) => 'error' in r || r.tensorsLeaked !== 0)) process.exitCode = 1;
