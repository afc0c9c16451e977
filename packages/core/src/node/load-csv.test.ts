import * as tf from '@tensorflow/tfjs-core';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CsvProgress } from '../data/csv-columns';
import { DataFormatError, DataTooLargeError } from '../data/errors';
import { Dl4tsError, ValueError } from '../errors';
import { Rng } from '../random';
import { loadCsv, streamCsv } from './index';

// Files made by the test: 200,000 rows of four random decimals (up to 7 significant digits, some
// with exponents and signs) and a class label in 0..4, plain and gzipped.
const ROWS = 200_000;
const COLUMNS = 4;
const CLASSES = 5;

describe('loadCsv on a generated 7 MB file', () => {
  let dir: string;
  let plain: string;
  let gzipped: string;
  let expected: Float32Array;
  let labels: Int32Array;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dl4ts-load-csv-'));
    const rng = new Rng(31);
    expected = new Float32Array(ROWS * COLUMNS);
    labels = new Int32Array(ROWS);
    const lines: string[] = ['a,b,c,d,label'];
    for (let i = 0; i < ROWS; i++) {
      const cells: string[] = [];
      for (let j = 0; j < COLUMNS; j++) {
        const mantissa = (rng.uniform() * 2 - 1).toPrecision(1 + Math.floor(rng.uniform() * 7));
        const cell = rng.uniform() < 0.2 ? `${mantissa}e${Math.floor(rng.uniform() * 20) - 10}` : mantissa;
        cells.push(cell);
        expected[i * COLUMNS + j] = Number(cell);
      }
      labels[i] = Math.floor(rng.uniform() * CLASSES);
      lines.push(`${cells.join(',')},${labels[i]}`);
    }
    const text = `${lines.join('\n')}\n`;
    plain = join(dir, 'table.csv');
    gzipped = join(dir, 'table.csv.gz');
    await writeFile(plain, text);
    await writeFile(gzipped, gzipSync(text));
    await mkdir(join(dir, 'folder.csv'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads every value as Number then float32 would, plain and gzipped, labels one-hot, with progress for both passes', async () => {
    for (const path of [plain, gzipped]) {
      const progress: CsvProgress[] = [];
      let heapPeak = 0;
      const heapBefore = process.memoryUsage().heapUsed;
      const data = await loadCsv(path, {
        skipLines: 1,
        labelColumn: -1,
        numClasses: CLASSES,
        onProgress: (p) => {
          progress.push(p);
          heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed - heapBefore);
        },
      });
      expect(data.features.shape).toEqual([ROWS, COLUMNS]);
      const x = data.features.dataSync();
      const y = data.labels.dataSync();
      let wrong = 0;
      for (let i = 0; i < x.length; i++) if (!Object.is(x[i], expected[i])) wrong++;
      for (let i = 0; i < ROWS; i++) for (let c = 0; c < CLASSES; c++) if (y[i * CLASSES + c] !== (labels[i] === c ? 1 : 0)) wrong++;
      expect(wrong).toBe(0);
      data.dispose();
      // Progress: counting then parsing, bytes of the file as stored, ending at its size.
      const size = (await stat(path)).size;
      const stages = progress.map((p) => p.stage);
      expect(stages.indexOf('parsing')).toBeGreaterThan(stages.lastIndexOf('counting'));
      for (const stage of ['counting', 'parsing'] as const) {
        const seen = progress.filter((p) => p.stage === stage);
        expect(seen.at(-1)).toEqual({ stage, bytes: size, totalBytes: size, rows: stage === 'counting' ? 0 : ROWS });
        expect(seen.every((p, i) => i === 0 || p.bytes >= (seen[i - 1] as CsvProgress).bytes)).toBe(true);
      }
      // No string per cell: a string for each of the 1.2 million cells and 200,000 lines takes
      // over 40 MB of JS heap; here the values go straight into typed arrays, off the heap.
      expect(heapPeak).toBeLessThan(16e6);
    }
  });

  it('refuses, before allocating, a file whose values would need more than maxBytes, naming both sizes', async () => {
    const tensors = tf.memory().numTensors;
    const need = ROWS * (COLUMNS + CLASSES) * 4;
    const refused = loadCsv(plain, { skipLines: 1, labelColumn: -1, numClasses: CLASSES, maxBytes: need - 1 });
    await expect(refused).rejects.toThrow(DataTooLargeError);
    await expect(refused).rejects.toThrow(`${plain}: up to 200,000 rows of 4 features and 5 label values need 7.2 MB as float32, more than maxBytes 7.2 MB; raise maxBytes`);
    await expect(refused).rejects.toMatchObject({ code: 'DL4TS_TOO_LARGE', bytes: need, limit: need - 1 });
    const fits = await loadCsv(gzipped, { skipLines: 1, labelColumn: -1, numClasses: CLASSES, maxBytes: need });
    expect(fits.size).toBe(ROWS);
    fits.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('names a missing file, a folder, bad options and a bad cell deep in the file, leaving no tensor', async () => {
    const tensors = tf.memory().numTensors;
    await expect(loadCsv(join(dir, 'none.csv'), { labelColumn: 0 })).rejects.toThrow(new Dl4tsError('DL4TS_IO', `loadCsv: ${join(dir, 'none.csv')} does not exist`));
    await expect(loadCsv(join(dir, 'folder.csv'), { labelColumn: 0 })).rejects.toThrow(`loadCsv: ${join(dir, 'folder.csv')} is a directory; expected a data file`);
    const stream = async () => {
      for await (const batch of streamCsv(join(dir, 'none.csv'), { labelColumn: 0 }).batches(4)) tf.dispose([batch.features, batch.labels]);
    };
    await expect(stream()).rejects.toThrow(`readChunks: ${join(dir, 'none.csv')} does not exist`);
    await expect(loadCsv(plain, { labelColumn: 0, maxBytes: -1 })).rejects.toThrow(new ValueError(`${plain}: maxBytes must be a positive number of bytes, received -1`));
    await expect(loadCsv(plain, { labelColumn: 0, onProgress: 'yes' as never })).rejects.toThrow('onProgress must be a function, received string');
    await expect(loadCsv(plain, { labelColumn: -1 })).rejects.toThrow(new DataFormatError(`${plain}: line 1, column 1: received "a"; expected a finite number`, { source: plain, line: 1, column: 1 }));
    const late = join(dir, 'late.csv');
    await writeFile(late, `${'1,2,0\n'.repeat(100_000)}1,0x10,0\n`);
    await expect(loadCsv(late, { labelColumn: -1, numClasses: 2 })).rejects.toThrow(`${late}: line 100001, column 2: received "0x10"; expected a finite number`);
    expect(tf.memory().numTensors).toBe(tensors);
  });
});
