import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ConfigError, ValueError } from '../errors';
import { csvDataSet, csvSource } from './csv-data-set';
import { csvRows, parseCsv } from './csv';
import { DataFormatError } from './errors';
import { gunzip, isGzip, maybeGunzip, maybeGunzipStream } from './gzip';
import { parseIdx } from './idx';
import { mnistDataSet } from './mnist';

/** An IDX file: magic 00 00 type ndims, big-endian dims, payload. */
function idx(type: number, dims: number[], payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + payload.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, (type << 8) | dims.length);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(payload, 4 + 4 * dims.length);
  return out;
}

const bytes = (text: string) => new TextEncoder().encode(text);
const gz = (data: Uint8Array) => new Uint8Array(gzipSync(data));

async function* chunked(data: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

describe('gzip', () => {
  it('detects the magic number and round-trips, whole or streamed', async () => {
    const raw = bytes('hello dl4ts\n'.repeat(500));
    const packed = gz(raw);
    expect(isGzip(packed)).toBe(true);
    expect(isGzip(raw)).toBe(false);
    expect(await gunzip(packed)).toEqual(raw);
    expect(await maybeGunzip(raw)).toBe(raw);
    const parts: Uint8Array[] = [];
    for await (const p of maybeGunzipStream(chunked(packed, 1))) parts.push(p);
    expect(new TextDecoder().decode(Buffer.concat(parts))).toBe('hello dl4ts\n'.repeat(500));
  });

  it('turns truncated or corrupt streams into DataFormatError naming the source', async () => {
    const packed = gz(bytes('some text '.repeat(200)));
    await expect(gunzip(packed.subarray(0, packed.length - 6), 'a.gz')).rejects.toThrow(DataFormatError);
    await expect(gunzip(packed.subarray(0, 20), 'a.gz')).rejects.toThrow(/^a\.gz: gzip stream is corrupt or truncated after \d+ decompressed bytes/);
    const corrupt = packed.slice();
    corrupt[15] = (corrupt[15] as number) ^ 0xff;
    corrupt[16] = (corrupt[16] as number) ^ 0xff;
    await expect(gunzip(corrupt)).rejects.toThrow(DataFormatError);
  });
});

describe('parseIdx', () => {
  it('decodes uint8 without copying and multi-byte types big-endian', () => {
    const u8 = parseIdx(idx(0x08, [2, 3], new Uint8Array([1, 2, 3, 4, 5, 6])));
    expect(u8).toMatchObject({ magic: 0x0802, dtype: 'uint8', shape: [2, 3] });
    expect(Array.from(u8.data)).toEqual([1, 2, 3, 4, 5, 6]);
    const payload = new Uint8Array(8);
    new DataView(payload.buffer).setInt32(0, -2);
    new DataView(payload.buffer).setFloat32(4, 1.5);
    expect(Array.from(parseIdx(idx(0x0c, [2], payload)).data)).toEqual([-2, 1069547520]);
    expect(Array.from(parseIdx(idx(0x0d, [1], payload.subarray(4))).data)).toEqual([1.5]);
    const i16 = new Uint8Array([0xff, 0xfe, 0x01, 0x00]);
    expect(Array.from(parseIdx(idx(0x0b, [2], i16)).data)).toEqual([-2, 256]);
  });

  it('rejects bad magic, gzip input, unknown types, truncated headers and wrong payload sizes', () => {
    const good = idx(0x08, [2, 2], new Uint8Array(4));
    const cases: [Uint8Array, string][] = [
      [new Uint8Array([0, 0, 8]), 'x: has 3 bytes; expected at least the 4-byte magic number'],
      [gz(good), 'x: starts with the gzip magic 1f 8b; decompress it first'],
      [new Uint8Array([1, 0, 8, 1, 0, 0, 0, 0]), 'x: magic number 0x01000801 does not start with two zero bytes'],
      [new Uint8Array([0, 0, 7, 1, 0, 0, 0, 0]), 'x: magic number 0x00000701 has type byte 0x07'],
      [good.subarray(0, 9), 'x: has 9 bytes; its 2-dimensional header needs 12; the file is truncated'],
      [good.subarray(0, 15), 'x: header [2, 2] of uint8 needs 16 bytes (12 header + 4 data), found 15; the file is truncated'],
      [idx(0x08, [2, 2], new Uint8Array(6)), 'found 18; 2 bytes are left over'],
    ];
    for (const [input, message] of cases) {
      expect(() => parseIdx(input, 'x')).toThrow(DataFormatError);
      expect(() => parseIdx(input, 'x')).toThrow(message);
    }
  });
});

describe('parseCsv', () => {
  const text = 'n,d\n1, 2,0\n3,4,1\r\n\n5,6e-1,2\n';

  it('parses numbers, skips header and blank lines, and splits off the label column', () => {
    const table = parseCsv(text, { skipLines: 1, labelColumn: -1 });
    expect(table.rows).toBe(3);
    expect(table.columns).toBe(2);
    expect(Array.from(table.features)).toEqual([1, 2, 3, 4, 5, Math.fround(0.6)]);
    expect(Array.from(table.labels!)).toEqual([0, 1, 2]);
    expect(table.skipped).toEqual(['n,d']);
    expect(parseCsv('1;2\n3;4', { delimiter: ';' })).toMatchObject({ rows: 2, columns: 2, labels: undefined });
  });

  it('names the line and column of a bad cell, a ragged row or an out-of-range label', () => {
    const check = (input: string, options: object, message: string) => {
      expect(() => parseCsv(input, { source: 'f.csv', ...options })).toThrow(DataFormatError);
      expect(() => parseCsv(input, { source: 'f.csv', ...options })).toThrow(message);
    };
    check('1,2\n3,x\n', {}, 'f.csv: line 2, column 2: received "x"; expected a finite number');
    check('h\n1,2\n3,\n', { skipLines: 1 }, 'f.csv: line 3, column 2: received ""; expected a finite number');
    check('1,2\n3,NaN\n', {}, 'line 2, column 2: received "NaN"');
    check('1,2\n3,4,5\n', {}, 'f.csv: line 2 has 3 fields; expected 2 like line 1');
    check('1,2\n3,3\n', { labelColumn: 1, numClasses: 3 }, 'f.csv: line 2, column 2: label 3 is not a class index; expected an integer in [0, 2] (numClasses 3)');
    try {
      parseCsv('1,2\n3,x\n');
    } catch (error) {
      expect((error as DataFormatError).location).toEqual({ source: 'CSV', line: 2, column: 2 });
    }
    expect(() => parseCsv('1,2', { labelColumn: 2 })).toThrow("labelColumn 2 is outside line 1's 2 fields");
    expect(() => parseCsv('1,2', { numClasses: 2 })).toThrow(ConfigError);
  });

  it('refuses cells that Number would misread: hex, binary, underscores, and values float32 stores as Infinity', () => {
    const check = (cell: string, expected: string) => expect(() => parseCsv(`1,2\n3,${cell}\n`, { source: 'f.csv' })).toThrow(new DataFormatError(`f.csv: line 2, column 2: received ${JSON.stringify(cell)}; ${expected}`, { source: 'f.csv', line: 2, column: 2 }));
    for (const cell of ['0x10', '0b1', '1_000', 'Infinity', '١']) check(cell, 'expected a finite number');
    for (const cell of ['1e39', '-3.5e38']) check(cell, 'expected a finite number that float32 holds (|x| <= 3.4028235e+38); it would be stored as Infinity');
    // The largest float32 and values that round down to it are kept; tiny ones underflow as in float32.
    expect(Array.from(parseCsv('3.4028235e38,-3.40282356e38,1e-50').features)).toEqual([3.4028234663852886e38, -3.4028234663852886e38, 0]);
  });

  it('splits on any delimiter, multi-byte and non-ASCII too, with chunks cut inside it and inside CRLF', async () => {
    for (const delimiter of [';', '\t', '::', '→']) {
      const text = `a${delimiter}b\r\n1${delimiter}2\r\n\r\n-3${delimiter} 4.5 \r\n`;
      expect(parseCsv(text, { delimiter, skipLines: 1 })).toMatchObject({ rows: 2, columns: 2, features: Float32Array.from([1, 2, -3, 4.5]), skipped: ['a' + delimiter + 'b'] });
      for (const size of [1, 2, 3]) {
        const rows = [];
        for await (const chunk of csvRows(chunked(bytes(text), size), { delimiter, skipLines: 1, labelColumn: 0 })) rows.push(...chunk);
        expect(rows.map((r) => [r.label, ...r.features])).toEqual([[1, 2], [-3, 4.5]]);
      }
    }
    expect(() => parseCsv('1,2', { delimiter: '' })).toThrow(ConfigError);
    expect(() => parseCsv('1,2', { delimiter: '\n' })).toThrow('delimiter "\\n" holds a line break');
    expect(() => parseCsv('1,2', { labelColumn: 0.5 })).toThrow('labelColumn must be an integer, received 0.5');
  });

  it('streams rows from byte chunks split anywhere, with the same line numbers', async () => {
    const rows = [];
    for await (const chunk of csvRows(chunked(bytes(text), 2), { skipLines: 1, labelColumn: 2 })) rows.push(...chunk);
    expect(rows.map((r) => [...r.features, r.label])).toEqual([[1, 2, 0], [3, 4, 1], [5, Math.fround(0.6), 2]]);
    const bad = async () => {
      for await (const _ of csvRows(chunked(bytes('1,2\n3,4\n5,?\n'), 3))) void _;
    };
    await expect(bad()).rejects.toThrow('line 3, column 2: received "?"');
  });

  it('builds data sets with one-hot or raw labels, in memory or streamed from gzip', async () => {
    const data = csvDataSet(text, { skipLines: 1, labelColumn: 2, numClasses: 3 });
    expect(data.features.shape).toEqual([3, 2]);
    expect(await data.labels.array()).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    data.dispose();
    const regression = csvDataSet('1,2.5\n2,3.5', { labelColumn: 1 });
    expect(await regression.labels.array()).toEqual([[2.5], [3.5]]);
    regression.dispose();
    expect(() => csvDataSet('h\n', { skipLines: 1, labelColumn: 0 })).toThrow('no data lines after skipping 1');

    const source = csvSource(() => chunked(gz(bytes(text)), 7), { skipLines: 1, labelColumn: 2, numClasses: 3 });
    const labels: number[][] = [];
    for await (const batch of source.batches(2)) {
      labels.push(...((await batch.labels.array()) as number[][]));
      batch.features.dispose();
      batch.labels.dispose();
    }
    expect(labels).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
  });
});

describe('mnistDataSet', () => {
  const images = idx(0x08, [3, 2, 2], new Uint8Array([0, 255, 51, 102, 1, 2, 3, 4, 5, 6, 7, 8]));
  const labels = idx(0x08, [3], new Uint8Array([7, 0, 9]));

  it('builds flattened, scaled images with one-hot labels, from gzipped or raw IDX, with a limit', async () => {
    const data = await mnistDataSet(gz(images), labels, { limit: 2 });
    expect(data.features.shape).toEqual([2, 4]);
    expect(Array.from(await data.features.data()).slice(0, 4)).toEqual([0, 1, 0.2, 0.4].map(Math.fround));
    expect((await data.labels.array()).map((r) => r.indexOf(1))).toEqual([7, 0]);
    data.dispose();
    const raw = await mnistDataSet(images, gz(labels), { scale: false });
    expect(Array.from(await raw.features.data())).toEqual([0, 255, 51, 102, 1, 2, 3, 4, 5, 6, 7, 8]);
    raw.dispose();
  });

  it('checks magic numbers, matching counts and digit labels', async () => {
    await expect(mnistDataSet(labels, labels)).rejects.toThrow('MNIST images: magic 0x00000801, shape [3]; expected 0x00000803');
    await expect(mnistDataSet(images, images)).rejects.toThrow('MNIST labels: magic 0x00000803; expected 0x00000801');
    await expect(mnistDataSet(images, idx(0x08, [2], new Uint8Array([1, 2])))).rejects.toThrow('2 labels for 3 images');
    await expect(mnistDataSet(images, idx(0x08, [3], new Uint8Array([1, 12, 2])))).rejects.toThrow(ValueError);
    await expect(mnistDataSet(images, idx(0x08, [3], new Uint8Array([1, 12, 2])))).rejects.toThrow('value 12 at index 1 is not a class index; expected an integer in [0, 9]');
    await expect(mnistDataSet(images.subarray(0, 20), labels)).rejects.toThrow('the file is truncated');
  });
});
