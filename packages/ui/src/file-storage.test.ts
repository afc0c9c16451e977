import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileStatsStorage, StatsFileError } from './file-storage';
import type { RunInfo, StatsReport } from './stats';
import { StatsListener } from './stats-listener';
import { MemoryStatsStorage, UnknownRunError } from './storage';
import { classifier, data } from './test-support';

const dir = mkdtempSync(join(tmpdir(), 'dl4ts-ui-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const fresh = (): string => join(dir, `stats-${++files}.jsonl`);

/** Trains a few epochs into `storage` as run `runId`. */
async function train(storage: MemoryStatsStorage, runId: string, epochs = 2): Promise<void> {
  const net = classifier();
  const set = data();
  await net.fit(set, { epochs, batchSize: 16, listeners: [new StatsListener(storage, { runId, every: 2, histogramEvery: 4 })] });
  set.dispose();
  net.dispose();
}

const run = (runId: string): RunInfo => ({ runId, startedAt: '2026-12-07T00:00:00.000Z', title: runId, modelKind: 'Network', layers: [], totalParams: 0, config: {}, backend: 'cpu', host: { hostname: 'h', pid: 1, node: 'v20' } });
const report = (runId: string, iteration: number): StatsReport => ({ runId, iteration, epoch: 0, time: 0, score: 1 / iteration, params: {}, memory: { rssBytes: 0, heapUsedBytes: 0, tensors: 0, tensorBytes: 0 } });

describe('FileStatsStorage', () => {
  it('reopens, read-only, exactly what a closed writer stored: runs, reports, histograms', async () => {
    const path = fresh();
    const writer = await FileStatsStorage.open(path);
    await train(writer, 'a');
    await train(writer, 'b', 1);
    await writer.close();
    const reader = await FileStatsStorage.open(path, { readOnly: true });
    expect(reader.warnings).toEqual([]);
    expect(reader.runs().map((r) => r.runId)).toEqual(['a', 'b']);
    expect(reader.reports('a')).toEqual(writer.reports('a'));
    expect(reader.reports('a').map((r) => r.iteration)).toEqual([2, 4, 6, 8, 10, 12]);
    expect(reader.reports('a', { afterIteration: 8 }).map((r) => r.iteration)).toEqual([10, 12]);
    expect(reader.reports('a')[1]?.params['hidden/W']?.histogram?.counts).toHaveLength(20);
    await expect(reader.putReport(report('a', 99))).rejects.toThrow(StatsFileError);
    await reader.close();
  });

  it('appends a resumed run to the same file: the same id gets more reports, not a second run', async () => {
    const path = fresh();
    const first = await FileStatsStorage.open(path);
    await train(first, 'r', 1);
    await first.close();
    const second = await FileStatsStorage.open(path);
    await second.putRun(run('r')); // what a resumed StatsListener does: a no-op
    await second.putReport(report('r', 100));
    await second.close();
    const reader = await FileStatsStorage.open(path, { readOnly: true });
    expect(reader.runs()).toHaveLength(1);
    expect(reader.reports('r').map((r) => r.iteration)).toEqual([2, 4, 6, 100]);
  });

  it('drops a record cut off by a crash, says so, and cuts it from the file before appending', async () => {
    const path = fresh();
    const writer = await FileStatsStorage.open(path);
    await writer.putRun(run('c'));
    await writer.putReport(report('c', 1));
    await writer.close();
    const whole = readFileSync(path, 'utf8');
    appendFileSync(path, JSON.stringify({ report: report('c', 2) }).slice(0, 37)); // the writer died mid-line
    const reader = await FileStatsStorage.open(path, { readOnly: true });
    expect(reader.warnings).toEqual([expect.stringMatching(/^line 4 was cut off \(37 bytes without an end of line/)]);
    expect(reader.reports('c').map((r) => r.iteration)).toEqual([1]);
    expect(readFileSync(path, 'utf8')).not.toBe(whole); // read-only: left as it was
    const resumed = await FileStatsStorage.open(path);
    await resumed.putReport(report('c', 3));
    await resumed.close();
    expect(readFileSync(path, 'utf8')).toBe(`${whole}${JSON.stringify({ report: report('c', 3) })}\n`);
  });

  it('skips a malformed line or a report of an undescribed run with a warning naming the line, keeping every other record', async () => {
    const path = fresh();
    const lines = ['{"format":"dl4ts-stats","version":1}', JSON.stringify({ run: run('x') }), JSON.stringify({ report: report('x', 1) }), '{"report": {"runId": "x", "iter', JSON.stringify({ report: report('ghost', 5) }), '[1, 2]', JSON.stringify({ report: report('x', 2) })];
    writeFileSync(path, `${lines.join('\n')}\n`);
    const reader = await FileStatsStorage.open(path, { readOnly: true });
    expect(reader.warnings).toEqual([
      expect.stringMatching(/^line 4 is not JSON/),
      'line 5 is a report of run "ghost", which the file does not describe; skipped',
      'line 6 is neither a run nor a report record; skipped',
    ]);
    expect(reader.reports('x').map((r) => r.iteration)).toEqual([1, 2]);
  });

  it('refuses a missing file read-only, a file that is not a stats file, and a newer format, with StatsFileError naming the path', async () => {
    const missing = join(dir, 'missing.jsonl');
    await expect(FileStatsStorage.open(missing, { readOnly: true })).rejects.toThrow(`${missing}: no such stats file`);
    const csv = fresh();
    writeFileSync(csv, 'a,b,c\n1,2,3\n');
    await expect(FileStatsStorage.open(csv)).rejects.toThrow(/is not a dl4ts stats file: line 1 is "a,b,c", expected \{"format":"dl4ts-stats","version":1\}/);
    expect(readFileSync(csv, 'utf8')).toBe('a,b,c\n1,2,3\n'); // nothing written to a file that is not ours
    const newer = fresh();
    writeFileSync(newer, '{"format":"dl4ts-stats","version":7}\n');
    await expect(FileStatsStorage.open(newer)).rejects.toThrow(/has stats format version 7; this @dl4ts\/ui reads version 1/);
    await expect(FileStatsStorage.open(dir)).rejects.toThrow(StatsFileError); // a directory
  });

  it('refuses a report of an unknown run with UnknownRunError naming the known ones, and writes nothing for it', async () => {
    const path = fresh();
    const storage = await FileStatsStorage.open(path);
    await storage.putRun(run('known'));
    await expect(storage.putReport(report('other', 1))).rejects.toThrow(UnknownRunError);
    expect(() => storage.run('other')).toThrow('Unknown run id "other"; the storage holds "known"');
    await storage.close();
    expect(readFileSync(path, 'utf8').split('\n').filter((l) => l !== '')).toHaveLength(2);
  });
});

describe('FileStatsStorage following another writer', () => {
  it('delivers what another storage appends to the file, whole lines only, to its subscribers', async () => {
    const path = fresh();
    const writer = await FileStatsStorage.open(path);
    await writer.putRun(run('f'));
    const follower = await FileStatsStorage.open(path, { follow: true, followIntervalMs: 20 });
    expect(follower.runs().map((r) => r.runId)).toEqual(['f']);
    const heard: number[] = [];
    follower.subscribe((e) => void (e.type === 'report' && heard.push(e.report.iteration)));
    appendFileSync(path, JSON.stringify({ report: report('f', 1) }).slice(0, 20)); // a line being written
    await new Promise((r) => setTimeout(r, 100));
    expect(heard).toEqual([]);
    appendFileSync(path, `${JSON.stringify({ report: report('f', 1) }).slice(20)}\n`);
    await writer.putReport(report('f', 2));
    await writer.close();
    const deadline = Date.now() + 5000;
    while (heard.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(heard).toEqual([1, 2]);
    expect(follower.warnings).toEqual([]);
    await expect(follower.putReport(report('f', 3))).rejects.toThrow(/read-only/);
    expect(follower.reports('f')).toHaveLength(2); // refused before it was recorded
    await follower.close();
  });

  it('refuses to follow a file that does not exist', async () => {
    await expect(FileStatsStorage.open(join(dir, 'not-yet.jsonl'), { follow: true })).rejects.toThrow(/no such stats file/);
  });
});

describe('MemoryStatsStorage', () => {
  it('tells subscribers of every run and report as they arrive, until they unsubscribe', async () => {
    const storage = new MemoryStatsStorage();
    const seen: string[] = [];
    const off = storage.subscribe((e) => seen.push(e.type === 'run' ? `run ${e.run.runId}` : `report ${e.report.iteration}`));
    await storage.putRun(run('m'));
    await storage.putReport(report('m', 1));
    off();
    await storage.putReport(report('m', 2));
    expect(seen).toEqual(['run m', 'report 1']);
    expect(storage.reports('m')).toHaveLength(2);
  });
});
