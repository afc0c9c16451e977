import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIdx } from '../data/idx';
import { DataFormatError } from '../data/errors';
import { ConfigError } from '../errors';
import { loadCsv, loadMnist, readChunks, readDataFile, streamCsv } from './index';

function idx(type: number, dims: number[], payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + payload.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, (type << 8) | dims.length);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(payload, 4 + 4 * dims.length);
  return out;
}

async function classes(labels: tf.Tensor): Promise<number[]> {
  const index = tf.argMax(labels, 1);
  const values = Array.from(await index.data());
  index.dispose();
  return values;
}

const counts = (values: number[], k: number) => values.reduce((c, v) => (c[v]!++, c), new Array<number>(k).fill(0));

describe('node loaders on files written by the test', () => {
  let dir: string;
  // 5 images of 2x3 pixels with values 10*i + j, labels 3 1 4 1 5.
  const pixels = Uint8Array.from({ length: 30 }, (_, k) => 10 * Math.floor(k / 6) + (k % 6));
  const images = idx(0x08, [5, 2, 3], pixels);
  const labels = idx(0x08, [5], new Uint8Array([3, 1, 4, 1, 5]));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dl4ts-loaders-'));
    for (const sub of ['gz', 'raw', 'truncated-gz', 'truncated-raw', 'corrupt-magic', 'damaged', 'empty']) await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, sub)));
    await writeFile(join(dir, 'gz/train-images-idx3-ubyte.gz'), gzipSync(images));
    await writeFile(join(dir, 'gz/train-labels-idx1-ubyte.gz'), gzipSync(labels));
    await writeFile(join(dir, 'raw/t10k-images-idx3-ubyte'), images);
    await writeFile(join(dir, 'raw/t10k-labels-idx1-ubyte'), labels);
    const packed = gzipSync(images);
    await writeFile(join(dir, 'truncated-gz/train-images-idx3-ubyte.gz'), packed.subarray(0, packed.length - 10));
    await writeFile(join(dir, 'truncated-gz/train-labels-idx1-ubyte.gz'), gzipSync(labels));
    await writeFile(join(dir, 'truncated-raw/train-images-idx3-ubyte'), images.subarray(0, images.length - 7));
    await writeFile(join(dir, 'truncated-raw/train-labels-idx1-ubyte'), labels);
    // A labels file where the images belong: valid IDX, wrong magic.
    await writeFile(join(dir, 'corrupt-magic/train-images-idx3-ubyte'), labels);
    await writeFile(join(dir, 'corrupt-magic/train-labels-idx1-ubyte'), labels);
    // An images file whose dimension byte was damaged: the payload no longer matches the header.
    const wrong = images.slice();
    wrong[3] = 2;
    await writeFile(join(dir, 'damaged/train-images-idx3-ubyte'), wrong);
    await writeFile(join(dir, 'damaged/train-labels-idx1-ubyte'), labels);
    await writeFile(join(dir, 'table.csv'), 'rows,cols\n1,2,0\n3,4,2\n5,6,1\n');
    await writeFile(join(dir, 'table.csv.gz'), gzipSync('1;2;0\n3;4;2\n5;6;1\n'));
    await writeFile(join(dir, 'bad.csv'), '1,2,0\n3,four,2\n');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads MNIST-format files gzipped (train) and raw (test), scaled or not, with a limit', async () => {
    const train = await loadMnist(join(dir, 'gz'));
    expect(train.features.shape).toEqual([5, 6]);
    expect(await classes(train.labels)).toEqual([3, 1, 4, 1, 5]);
    expect(Array.from(await train.features.data()).slice(6, 9)).toEqual([10, 11, 12].map((v) => Math.fround(v / 255)));
    train.dispose();
    const test = await loadMnist(join(dir, 'raw'), { split: 'test', limit: 2, scale: false });
    expect(test.labels.shape).toEqual([2, 10]);
    expect(Array.from(await test.features.data())).toEqual(Array.from(pixels.subarray(0, 12)));
    test.dispose();
  });

  it('turns truncated, corrupt and missing files into typed errors naming the file', async () => {
    await expect(loadMnist(join(dir, 'truncated-gz'))).rejects.toThrow(DataFormatError);
    await expect(loadMnist(join(dir, 'truncated-gz'))).rejects.toThrow(/train-images-idx3-ubyte\.gz: gzip stream is corrupt or truncated/);
    await expect(loadMnist(join(dir, 'truncated-raw'))).rejects.toThrow(DataFormatError);
    await expect(loadMnist(join(dir, 'truncated-raw'))).rejects.toThrow(/train-images-idx3-ubyte: header \[5, 2, 3\] of uint8 needs 46 bytes .* found 39; the file is truncated/);
    await expect(loadMnist(join(dir, 'corrupt-magic'))).rejects.toThrow(DataFormatError);
    await expect(loadMnist(join(dir, 'corrupt-magic'))).rejects.toThrow('train-images-idx3-ubyte: magic 0x00000801, shape [5]; expected 0x00000803');
    await expect(loadMnist(join(dir, 'damaged'))).rejects.toThrow('header [5, 2] of uint8 needs 22 bytes (12 header + 10 data), found 46; 24 bytes are left over');
    await expect(loadMnist(join(dir, 'empty'))).rejects.toThrow(ConfigError);
    await expect(loadMnist(join(dir, 'empty'))).rejects.toThrow('none of train-images-idx3-ubyte.gz, train-images-idx3-ubyte, train-images.idx3-ubyte.gz, train-images.idx3-ubyte exists');
    await expect(loadMnist(join(dir, 'gz'), { split: 'test' })).rejects.toThrow('t10k-images-idx3-ubyte.gz');
  });

  it('loads CSV files raw or gzipped, and streams them in small chunks', async () => {
    const a = await loadCsv(join(dir, 'table.csv'), { skipLines: 1, labelColumn: 2, numClasses: 3 });
    const b = await loadCsv(join(dir, 'table.csv.gz'), { delimiter: ';', labelColumn: -1, numClasses: 3 });
    for (const d of [a, b]) {
      expect(await d.features.array()).toEqual([[1, 2], [3, 4], [5, 6]]);
      expect(await classes(d.labels)).toEqual([0, 2, 1]);
      d.dispose();
    }
    await expect(loadCsv(join(dir, 'bad.csv'), { labelColumn: 2 })).rejects.toThrow(/bad\.csv: line 2, column 2: received "four"; expected a finite number$/);
    const source = streamCsv(join(dir, 'table.csv.gz'), { delimiter: ';', labelColumn: 2, numClasses: 3, chunkSize: 4 });
    const seen: number[] = [];
    for await (const batch of source.batches(2)) {
      seen.push(...(await classes(batch.labels)));
      tf.dispose([batch.features, batch.labels]);
    }
    expect(seen).toEqual([0, 2, 1]);
    let total = 0;
    for await (const chunk of readChunks(join(dir, 'table.csv'), 5)) total += chunk.length;
    expect(total).toBe('rows,cols\n1,2,0\n3,4,2\n5,6,1\n'.length);
  });
});

// The reference data lies beside the repository: <repo>/../shared/data (or <repo>/shared/data on a
// copied checkout), or wherever DL4TS_DATA points. This file is <repo>/packages/core/src/node/.
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const dataDir = [process.env.DL4TS_DATA, resolve(repo, '../shared/data'), resolve(repo, 'shared/data')].find((d): d is string => d !== undefined && existsSync(join(d, 'mnist')));
if (dataDir === undefined) {
  console.warn(`Skipping the reference-data tests: no shared/data folder with mnist/ at ${resolve(repo, '../shared/data')} or ${resolve(repo, 'shared/data')}, and DL4TS_DATA is not set.`);
}

describe.skipIf(dataDir === undefined)('node loaders on the reference data sets', () => {
  const data = dataDir as string;

  it('MNIST train: first labels 5 0 4 1 9 2 1 3 1 4, per-class counts as published', { timeout: 180_000 }, async () => {
    const train = await loadMnist(join(data, 'mnist'), { split: 'train', limit: 10 });
    expect(train.features.shape).toEqual([10, 784]);
    expect(await classes(train.labels)).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    train.dispose();
    const labels = parseIdx(await readDataFile(join(data, 'mnist/train-labels-idx1-ubyte.gz')));
    expect(labels.shape).toEqual([60000]);
    expect(counts(Array.from(labels.data), 10)).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
  });

  it('MNIST test: 10,000 images, per-class counts, first labels and mean pixel 33.7912', { timeout: 180_000 }, async () => {
    const test = await loadMnist(join(data, 'mnist'), { split: 'test', scale: false });
    expect(test.features.shape).toEqual([10000, 784]);
    const labels = await classes(test.labels);
    expect(labels.slice(0, 10)).toEqual([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    expect(counts(labels, 10)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    const pixels = (await test.features.data()) as Float32Array;
    let sum = 0;
    for (const v of pixels) sum += v;
    expect(sum / pixels.length).toBeCloseTo(33.7912, 4);
    test.dispose();
  });

  it('iris: 150 x 4, 50 per class, the corrected sample 35', async () => {
    const iris = await loadCsv(join(data, 'iris/iris.csv'), { skipLines: 1, labelColumn: 4, numClasses: 3 });
    expect(iris.features.shape).toEqual([150, 4]);
    expect(counts(await classes(iris.labels), 3)).toEqual([50, 50, 50]);
    const x = (await iris.features.array()) as number[][];
    expect(x[34]![3]).toBeCloseTo(0.2, 6);
    expect(x[37]).toEqual([4.9, 3.6, 1.4, 0.1].map(Math.fround));
    iris.dispose();
  });

  it('digits: 1797 rows of 64 pixels in 0..16, per-class counts as published, loaded and streamed', { timeout: 60_000 }, async () => {
    const path = join(data, 'digits/digits.csv.gz');
    const digits = await loadCsv(path, { labelColumn: -1, numClasses: 10 });
    expect(digits.features.shape).toEqual([1797, 64]);
    const expected = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180];
    expect(counts(await classes(digits.labels), 10)).toEqual(expected);
    const max = tf.max(digits.features);
    expect((await max.data())[0]).toBe(16);
    max.dispose();
    digits.dispose();
    let rows = 0;
    for await (const batch of streamCsv(path, { labelColumn: -1, numClasses: 10, chunkSize: 4096 }).batches(256)) {
      rows += batch.features.shape[0] as number;
      tf.dispose([batch.features, batch.labels]);
    }
    expect(rows).toBe(1797);
  });
});
