import { ArtifactError } from '../errors';

/**
 * The safetensors container (https://huggingface.co/docs/safetensors): an 8-byte little-endian
 * header length N, N bytes of JSON header, then the raw little-endian tensor bytes. The header
 * maps each tensor name to `{ dtype, shape, data_offsets: [begin, end] }` (offsets relative to the
 * start of the data section) and may hold `__metadata__`, a map of strings. Reading it executes no
 * code; this module validates every declared size against the bytes actually present before it
 * allocates anything.
 */

/** The dtypes dl4ts writes and reads. */
export type SafetensorsDtype = 'F32' | 'I32' | 'U8';

/** A tensor's values as stored. */
export type SafetensorsData = Float32Array | Int32Array | Uint8Array;

/** One named tensor in a safetensors container. */
export interface SafetensorsTensor {
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly data: SafetensorsData;
}

/** Limits a reader enforces; the defaults suit model artifacts. */
export interface SafetensorsLimits {
  /** Largest header accepted, in bytes. Default 16 MiB. */
  readonly maxHeaderBytes?: number;
  /** Largest number of tensors accepted. Default 100,000. */
  readonly maxTensors?: number;
  /** Largest rank accepted. Default 8. */
  readonly maxRank?: number;
}

const BYTES: Record<SafetensorsDtype, number> = { F32: 4, I32: 4, U8: 1 };
const METADATA = '__metadata__';

/** Encodes tensors and string metadata; tensors are laid out in the order given, 8-byte aligned data start. */
export function encodeSafetensors(tensors: ReadonlyMap<string, SafetensorsTensor>, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header[METADATA] = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    if (name === METADATA) throw new ArtifactError(`safetensors: "${METADATA}" is reserved and cannot name a tensor`);
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== size) throw new ArtifactError(`safetensors: tensor "${name}" has ${t.data.length} values but shape [${t.shape.join(', ')}] needs ${size}`);
    const bytes = size * BYTES[t.dtype];
    header[name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  // Pad the header with spaces (valid JSON whitespace) so the data starts on an 8-byte boundary.
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const withSpaces = new Uint8Array(padded).fill(0x20);
    withSpaces.set(json);
    json = withSpaces;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, json.length, true);
  view.setUint32(4, 0, true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const t of tensors.values()) {
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    if (isLittleEndian() || t.dtype === 'U8') out.set(bytes, at);
    else writeSwapped(bytes, out, at, BYTES[t.dtype]);
    at += t.data.byteLength;
  }
  return out;
}

/** The parsed header: tensor entries in file order and the metadata. Nothing is allocated for tensor data. */
export interface SafetensorsHeader {
  readonly metadata: Readonly<Record<string, string>>;
  readonly entries: readonly { readonly name: string; readonly dtype: SafetensorsDtype; readonly shape: readonly number[]; readonly begin: number; readonly end: number }[];
  /** Byte offset of the data section in the container. */
  readonly dataStart: number;
  /** The raw header JSON text. */
  readonly headerText: string;
}

/**
 * Parses and validates the header of a safetensors container: lengths, JSON, dtypes, shapes,
 * offsets (contiguous, in bounds, sized to shape x dtype, covering the data section exactly).
 * Throws {@link ArtifactError} naming what is wrong.
 */
export function readSafetensorsHeader(bytes: Uint8Array, limits: SafetensorsLimits = {}): SafetensorsHeader {
  const maxHeader = limits.maxHeaderBytes ?? 16 * 1024 * 1024;
  const maxTensors = limits.maxTensors ?? 100_000;
  const maxRank = limits.maxRank ?? 8;
  if (bytes.length < 8) throw new ArtifactError(`safetensors: ${bytes.length} bytes is too short for the 8-byte header length; the file is truncated or not safetensors`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const low = view.getUint32(0, true);
  const high = view.getUint32(4, true);
  if (high !== 0 || low > maxHeader) {
    throw new ArtifactError(`safetensors: header length ${high * 2 ** 32 + low} bytes exceeds the limit of ${maxHeader}; the file is corrupt or not safetensors`);
  }
  if (8 + low > bytes.length) throw new ArtifactError(`safetensors: header declares ${low} bytes but only ${bytes.length - 8} follow; the file is truncated`);
  let headerText: string;
  let parsed: unknown;
  try {
    headerText = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + low));
    parsed = JSON.parse(headerText);
  } catch (error) {
    throw new ArtifactError(`safetensors: the header is not valid UTF-8 JSON (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ArtifactError('safetensors: the header must be a JSON object');
  const dataStart = 8 + low;
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: { name: string; dtype: SafetensorsDtype; shape: number[]; begin: number; end: number }[] = [];
  const names = Object.keys(parsed);
  if (names.length > maxTensors + 1) throw new ArtifactError(`safetensors: header lists ${names.length} entries, more than the limit of ${maxTensors}`);
  for (const name of names) {
    const value = (parsed as Record<string, unknown>)[name];
    if (name === METADATA) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ArtifactError(`safetensors: ${METADATA} must be an object of strings`);
      for (const [k, v] of Object.entries(value)) {
        if (typeof v !== 'string') throw new ArtifactError(`safetensors: ${METADATA}.${k} is ${typeof v}; expected a string`);
        metadata[k] = v;
      }
      continue;
    }
    const where = `safetensors: tensor "${name}"`;
    if (typeof value !== 'object' || value === null) throw new ArtifactError(`${where}: expected { dtype, shape, data_offsets }`);
    const { dtype, shape, data_offsets: offsets } = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof dtype !== 'string' || !(dtype in BYTES)) throw new ArtifactError(`${where}: dtype ${JSON.stringify(dtype)} is not supported; expected one of ${Object.keys(BYTES).join(', ')}`);
    if (!Array.isArray(shape) || shape.length > maxRank || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new ArtifactError(`${where}: shape ${JSON.stringify(shape)} must be an array of at most ${maxRank} non-negative integers`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      throw new ArtifactError(`${where}: data_offsets ${JSON.stringify(offsets)} must be two non-negative integers`);
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end || end > dataLength) throw new ArtifactError(`${where}: data_offsets [${begin}, ${end}] fall outside the ${dataLength} data bytes present; the file is truncated or corrupt`);
    // The product is bounded step by step, so a shape claiming terabytes never overflows or allocates.
    let size = BYTES[dtype as SafetensorsDtype];
    for (const d of shape as number[]) {
      size *= d;
      if (size > dataLength) throw new ArtifactError(`${where}: shape [${(shape as number[]).join(', ')}] needs more bytes than the ${dataLength} data bytes present`);
    }
    if (end - begin !== size) throw new ArtifactError(`${where}: shape [${(shape as number[]).join(', ')}] x ${dtype} is ${size} bytes but data_offsets span ${end - begin}`);
    entries.push({ name, dtype: dtype as SafetensorsDtype, shape: [...(shape as number[])], begin, end });
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const e of entries) {
    if (e.begin !== expected) throw new ArtifactError(`safetensors: tensor "${e.name}" starts at data byte ${e.begin}, expected ${expected}; offsets must be contiguous without overlap`);
    expected = e.end;
  }
  if (expected !== dataLength) throw new ArtifactError(`safetensors: tensors cover ${expected} data bytes but the file holds ${dataLength}; the file is corrupt`);
  return { metadata, entries, dataStart, headerText };
}

/** Copies one validated entry's values out of the container. */
export function readSafetensorsData(bytes: Uint8Array, header: SafetensorsHeader, name: string): SafetensorsTensor {
  const e = header.entries.find((x) => x.name === name);
  if (e === undefined) throw new ArtifactError(`safetensors: no tensor named "${name}"; the file has ${header.entries.map((x) => x.name).join(', ') || 'none'}`);
  const raw = bytes.slice(header.dataStart + e.begin, header.dataStart + e.end); // a copy: aligned, owned
  if (!isLittleEndian() && e.dtype !== 'U8') writeSwapped(raw.slice(), raw, 0, BYTES[e.dtype]);
  const data = e.dtype === 'F32' ? new Float32Array(raw.buffer) : e.dtype === 'I32' ? new Int32Array(raw.buffer) : raw;
  return { dtype: e.dtype, shape: e.shape, data };
}

function isLittleEndian(): boolean {
  return new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
}

function writeSwapped(source: Uint8Array, target: Uint8Array, at: number, width: number): void {
  for (let i = 0; i < source.length; i += width) for (let k = 0; k < width; k++) target[at + i + k] = source[i + width - 1 - k] as number;
}
