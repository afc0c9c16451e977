import { describe, expect, it } from 'vitest';
import { ArtifactError } from '../errors';
import { crc32 } from './crc32';
import { encodeSafetensors, readSafetensorsData, readSafetensorsHeader } from './safetensors';
import type { SafetensorsTensor } from './safetensors';

const tensors = new Map<string, SafetensorsTensor>([
  ['a', { dtype: 'F32', shape: [2, 3], data: Float32Array.from([1, -2.5, 3, 4, 5e-8, -6e7]) }],
  ['b', { dtype: 'I32', shape: [3], data: Int32Array.from([7, -8, 2 ** 30]) }],
  ['c', { dtype: 'U8', shape: [0], data: new Uint8Array(0) }],
]);

describe('safetensors container', () => {
  it('follows the published layout: u64 LE header length, JSON header, contiguous LE data', () => {
    const bytes = encodeSafetensors(tensors, { note: 'hi' });
    const view = new DataView(bytes.buffer);
    const n = view.getUint32(0, true);
    expect(view.getUint32(4, true)).toBe(0);
    expect((8 + n) % 8).toBe(0); // data section aligned
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header).toEqual({
      __metadata__: { note: 'hi' },
      a: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] },
      b: { dtype: 'I32', shape: [3], data_offsets: [24, 36] },
      c: { dtype: 'U8', shape: [0], data_offsets: [36, 36] },
    });
    // The first float is 1.0f = 0x3f800000, stored little-endian.
    expect(Array.from(bytes.subarray(8 + n, 8 + n + 4))).toEqual([0x00, 0x00, 0x80, 0x3f]);
    expect(bytes.length).toBe(8 + n + 36);
  });

  it('round-trips values exactly', () => {
    const bytes = encodeSafetensors(tensors, { note: 'hi' });
    const header = readSafetensorsHeader(bytes);
    expect(header.metadata).toEqual({ note: 'hi' });
    for (const [name, t] of tensors) {
      const back = readSafetensorsData(bytes, header, name);
      expect(back.dtype).toBe(t.dtype);
      expect(back.shape).toEqual(t.shape);
      expect(Array.from(back.data)).toEqual(Array.from(t.data));
    }
  });

  it('reads a container written by hand from the specification', () => {
    const json = '{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
    const head = new TextEncoder().encode(json);
    const bytes = new Uint8Array(8 + head.length + 8);
    new DataView(bytes.buffer).setUint32(0, head.length, true);
    bytes.set(head, 8);
    new DataView(bytes.buffer).setFloat32(8 + head.length, 0.5, true);
    new DataView(bytes.buffer).setFloat32(8 + head.length + 4, -3, true);
    const header = readSafetensorsHeader(bytes);
    expect(Array.from(readSafetensorsData(bytes, header, 'x').data)).toEqual([0.5, -3]);
  });

  const hostile: [string, () => Uint8Array, RegExp][] = [
    ['too short', () => new Uint8Array(5), /too short/],
    ['a header claiming terabytes', () => withHeaderLength(2 ** 40), /header length 1099511627776 bytes exceeds the limit/],
    ['a header longer than the file', () => withHeaderLength(1000), /only .* follow; the file is truncated/],
    ['not JSON', () => raw('{"a":'), /not valid UTF-8 JSON/],
    ['a JSON array', () => raw('[1,2]'), /must be a JSON object/],
    ['an unknown dtype', () => raw('{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}', 8), /dtype "F64" is not supported/],
    ['a negative dimension', () => raw('{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', 4), /shape \[-1\] must be/],
    ['a shape claiming terabytes', () => raw('{"a":{"dtype":"F32","shape":[1000000,1000000],"data_offsets":[0,4]}}', 4), /needs more bytes than the 4 data bytes present/],
    ['offsets past the end', () => raw('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', 2), /fall outside the 2 data bytes/],
    ['a size mismatch', () => raw('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}', 8), /is 8 bytes but data_offsets span 4/],
    ['overlapping tensors', () => raw('{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}}', 3), /starts at data byte 1, expected 2/],
    ['trailing bytes', () => raw('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', 5), /cover 1 data bytes but the file holds 5/],
    ['non-string metadata', () => raw('{"__metadata__":{"a":1}}'), /__metadata__\.a is number/],
  ];
  for (const [name, make, message] of hostile) {
    it(`rejects ${name} with an ArtifactError`, () => {
      expect(() => readSafetensorsHeader(make())).toThrow(ArtifactError);
      expect(() => readSafetensorsHeader(make())).toThrow(message);
    });
  }
});

describe('crc32', () => {
  it('gives the standard check value for "123456789" and for the empty input', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});

function withHeaderLength(n: number): Uint8Array {
  const bytes = new Uint8Array(64);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, n % 2 ** 32, true);
  view.setUint32(4, Math.floor(n / 2 ** 32), true);
  return bytes;
}

function raw(json: string, dataBytes = 0): Uint8Array {
  const head = new TextEncoder().encode(json);
  const bytes = new Uint8Array(8 + head.length + dataBytes);
  new DataView(bytes.buffer).setUint32(0, head.length, true);
  bytes.set(head, 8);
  return bytes;
}
