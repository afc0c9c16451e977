import { DataFormatError } from './errors';

/** Element types of the IDX format, by their type byte. */
const IDX_TYPES = {
  0x08: { dtype: 'uint8', size: 1 },
  0x09: { dtype: 'int8', size: 1 },
  0x0b: { dtype: 'int16', size: 2 },
  0x0c: { dtype: 'int32', size: 4 },
  0x0d: { dtype: 'float32', size: 4 },
  0x0e: { dtype: 'float64', size: 8 },
} as const;

/** An IDX element type. */
export type IdxDType = (typeof IDX_TYPES)[keyof typeof IDX_TYPES]['dtype'];

/** A decoded IDX array: its element type, dimensions and values in row-major order. */
export interface IdxArray {
  /** The 32-bit magic number, e.g. 2051 (`0x00000803`) for MNIST images. */
  readonly magic: number;
  readonly dtype: IdxDType;
  readonly shape: number[];
  /** Host-endian values; for `uint8` a view on the input bytes (no copy). */
  readonly data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

/**
 * Decodes an IDX file (the MNIST format): magic `00 00 <type> <ndims>`, then `ndims` big-endian
 * int32 dimensions, then the values, big-endian, row-major. Throws {@link DataFormatError} for a
 * bad magic number (including still-gzipped input), a truncated header or a payload whose size
 * does not match the dimensions.
 *
 * @example
 * ```ts
 * const { shape, data } = parseIdx(await gunzip(bytes)); // shape [60000, 28, 28], data Uint8Array
 * ```
 */
export function parseIdx(bytes: Uint8Array, source = 'IDX data'): IdxArray {
  const fail: (message: string, offset: number) => never = (message, offset) => {
    throw new DataFormatError(`${source}: ${message}`, { source, offset });
  };
  if (bytes.length < 4) fail(`has ${bytes.length} bytes; expected at least the 4-byte magic number`, 0);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const hex = `0x${magic.toString(16).padStart(8, '0')}`;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) fail(`starts with the gzip magic 1f 8b; decompress it first (gunzip)`, 0);
  if (bytes[0] !== 0 || bytes[1] !== 0) fail(`magic number ${hex} does not start with two zero bytes; expected an IDX file (0x0000TTNN)`, 0);
  const type = IDX_TYPES[bytes[2] as keyof typeof IDX_TYPES];
  if (type === undefined) fail(`magic number ${hex} has type byte 0x${(bytes[2] as number).toString(16).padStart(2, '0')}; expected 0x08 (uint8), 0x09, 0x0b, 0x0c, 0x0d or 0x0e`, 2);
  const { dtype, size } = type;
  const ndims = bytes[3] as number;
  if (ndims === 0) fail(`magic number ${hex} declares 0 dimensions; expected at least 1`, 3);
  const header = 4 + 4 * ndims;
  if (bytes.length < header) fail(`has ${bytes.length} bytes; its ${ndims}-dimensional header needs ${header}; the file is truncated`, bytes.length);
  const shape = Array.from({ length: ndims }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const expected = header + count * size;
  if (bytes.length !== expected) {
    const what = bytes.length < expected ? 'the file is truncated' : `${bytes.length - expected} bytes are left over`;
    fail(`header [${shape.join(', ')}] of ${dtype} needs ${expected} bytes (${header} header + ${count * size} data), found ${bytes.length}; ${what}`, Math.min(bytes.length, expected));
  }
  return { magic, dtype, shape, data: decode(view, header, count, dtype, bytes) };
}

function decode(view: DataView, at: number, count: number, dtype: IdxDType, bytes: Uint8Array): IdxArray['data'] {
  switch (dtype) {
    case 'uint8':
      return bytes.subarray(at, at + count);
    case 'int8':
      return new Int8Array(bytes.buffer, bytes.byteOffset + at, count);
    case 'int16':
      return Int16Array.from({ length: count }, (_, i) => view.getInt16(at + 2 * i, false));
    case 'int32':
      return Int32Array.from({ length: count }, (_, i) => view.getInt32(at + 4 * i, false));
    case 'float32':
      return Float32Array.from({ length: count }, (_, i) => view.getFloat32(at + 4 * i, false));
    case 'float64':
      return Float64Array.from({ length: count }, (_, i) => view.getFloat64(at + 8 * i, false));
  }
}
