// Loading a big numeric CSV (issue 31): 35 million rows of `0,0,0` (214 MB; 0.9 MB gzipped), read
// by `loadCsv` into a data set, plain and gzipped, beside pandas.read_csv (float32) on the same
// files where Debian's Python has pandas. Each load runs in a fresh process, so its peak resident
// set is its own; the figures are MB of CSV text per second and the peak growth over the file's
// (uncompressed) size. The budget: under a minute and within 4x the file's size.
import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, openSync, rmSync, statSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import { type ContenderResult, median, runCase } from '../harness';

const here = dirname(fileURLToPath(import.meta.url));
const PYTHON = '/usr/bin/python3';
const PANDAS = `
import json, os, resource, sys, time
import numpy as np, pandas as pd
rss = int(open('/proc/self/statm').read().split()[1]) * os.sysconf('SC_PAGE_SIZE')
t = time.perf_counter()
frame = pd.read_csv(sys.argv[1], header=None, dtype=np.float32)
x = frame.iloc[:, :-1].to_numpy()
y = frame.iloc[:, -1].to_numpy()
seconds = time.perf_counter() - t
print(json.dumps({'seconds': seconds, 'rows': int(x.shape[0]), 'rssBefore': rss, 'rssPeak': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
`;

interface Load {
  readonly seconds: number;
  readonly rows: number;
  readonly rssBefore: number;
  readonly rssPeak: number;
  readonly progressCalls?: number;
}

function writeCsv(path: string, rows: number): void {
  const block = Buffer.from('0,0,0\n'.repeat(1 << 16));
  const fd = openSync(path, 'w');
  for (let left = rows; left > 0; left -= 1 << 16) writeSync(fd, left >= 1 << 16 ? block : block.subarray(0, left * 6));
  closeSync(fd);
}

function hasPandas(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import pandas'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : `pandas anchor skipped: ${PYTHON} cannot import pandas (Debian: apt-get install python3-pandas)`;
}

await runCase('csv-load', async ({ quick, rounds, log }) => {
  const rows = quick ? 1_000_000 : 35_000_000;
  const dir = mkdtempSync(join(tmpdir(), 'dl4ts-csv-bench-'));
  const plain = join(dir, 'big.csv');
  const gzipped = join(dir, 'big.csv.gz');
  writeCsv(plain, rows);
  await pipeline(createReadStream(plain), createGzip({ level: 1 }), createWriteStream(gzipped));
  const size = statSync(plain).size;
  log(`${rows} rows, ${(size / 1e6).toFixed(1)} MB plain, ${(statSync(gzipped).size / 1e6).toFixed(2)} MB gzipped`);
  const child = join(here, '..', 'csv', 'load-child.js');
  const missingPandas = hasPandas();
  const contenders: { name: string; command: string; args: string[] }[] = [
    ...(missingPandas === undefined
      ? [
          { name: 'pandas.read_csv, float32 (anchor)', command: PYTHON, args: ['-c', PANDAS, plain] },
          { name: 'pandas.read_csv, gzipped', command: PYTHON, args: ['-c', PANDAS, gzipped] },
        ]
      : []),
    { name: 'dl4ts loadCsv, raw label column', command: process.execPath, args: [child, plain] },
    { name: 'dl4ts loadCsv, gzipped, labels one-hot (2 classes)', command: process.execPath, args: [child, gzipped, '2'] },
  ];
  // The rate is the load's own time as the child measured it, without process start-up; the
  // first round of each is a warm-up (page cache, Python imports).
  const loads = new Map<string, Load[]>();
  try {
    for (let round = 0; round <= rounds(3); round++) {
      for (const { name, command, args } of contenders) {
        const out = execFileSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
        const load = JSON.parse(out.trim().split('\n').at(-1) as string) as Load;
        if (load.rows !== rows) throw new Error(`${name}: read ${load.rows} rows; expected ${rows}`);
        log(`  round ${round}${round === 0 ? ' (warm-up)' : ''}: ${name}: ${load.seconds.toFixed(2)} s`);
        if (round > 0) loads.set(name, [...(loads.get(name) ?? []), load]);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const rates = contenders.map(({ name }) => (loads.get(name) ?? []).map((load) => size / 1e6 / load.seconds));
  const anchorRate = median(rates[0] as number[]);
  const results: ContenderResult[] = contenders.map(({ name }, i) => ({ name, anchor: i === 0, perSecond: median(rates[i] as number[]), rounds: rates[i] as number[], ratio: median(rates[i] as number[]) / anchorRate }));
  const metrics: Record<string, string> = {};
  for (const [name, runs] of loads) {
    const worst = runs.reduce((a, b) => (b.rssPeak - b.rssBefore > a.rssPeak - a.rssBefore ? b : a));
    const slowest = Math.max(...runs.map((r) => r.seconds));
    const calls = worst.progressCalls === undefined ? '' : `, ${worst.progressCalls} progress calls`;
    metrics[name] = `slowest ${slowest.toFixed(1)} s; peak resident growth ${((worst.rssPeak - worst.rssBefore) / 1e6).toFixed(0)} MB = ${((worst.rssPeak - worst.rssBefore) / size).toFixed(2)}x the CSV's ${(size / 1e6).toFixed(0)} MB${calls}`;
  }
  return {
    title: `Loading a ${(size / 1e6).toFixed(0)} MB numeric CSV (${rows.toLocaleString('en')} rows of 0,0,0) into memory`,
    unit: 'MB/s',
    rows: results,
    notes: [
      'Each load runs in a fresh process; MB/s of CSV text (uncompressed size, also for the gzipped file); peak resident growth is the process\'s maxRSS less its resident set before the load.',
      ...(missingPandas === undefined ? [] : [missingPandas]),
    ],
    metrics,
  };
});
