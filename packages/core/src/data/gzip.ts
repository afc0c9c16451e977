import { Dl4tsError } from '../errors';
import { DataFormatError } from './errors';

/** Whether `bytes` start with the gzip magic number `1f 8b`. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decompresses gzip data with the platform's `DecompressionStream` (Node 18+ and browsers).
 * A truncated or corrupt stream throws {@link DataFormatError} naming `source`.
 *
 * @example
 * ```ts
 * const raw = await gunzip(new Uint8Array(await (await fetch(url)).arrayBuffer()));
 * ```
 */
export async function gunzip(bytes: Uint8Array, source = 'gzip data'): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of gunzipStream(single(bytes), source)) parts.push(part);
  return concat(parts);
}

/** Gunzips `bytes` if they start with the gzip magic number, else returns them unchanged. */
export async function maybeGunzip(bytes: Uint8Array, source?: string): Promise<Uint8Array> {
  return isGzip(bytes) ? gunzip(bytes, source) : bytes;
}

/** Decompresses a stream of gzip chunks (e.g. a file read in pieces) as it arrives. */
export async function* gunzipStream(chunks: AsyncIterable<Uint8Array>, source = 'gzip data'): AsyncIterable<Uint8Array> {
  if (typeof DecompressionStream !== 'function') {
    throw new Dl4tsError('DL4TS_UNSUPPORTED', `${source}: gzip input needs DecompressionStream (Node 18+, current browsers), which this platform lacks; decompress the data first`);
  }
  const input = chunks[Symbol.asyncIterator]();
  const readable = new ReadableStream<BufferSource>({
    async pull(controller) {
      try {
        const { value, done } = await input.next();
        if (done) controller.close();
        else controller.enqueue(value as Uint8Array<ArrayBuffer>);
      } catch (error) {
        controller.error(error);
      }
    },
    async cancel() {
      await input.return?.();
    },
  });
  const reader = readable.pipeThrough(new DecompressionStream('gzip')).getReader();
  let total = 0;
  let finished = false;
  try {
    for (;;) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (error) {
        if (error instanceof Dl4tsError) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        throw new DataFormatError(`${source}: gzip stream is corrupt or truncated after ${total} decompressed bytes (${reason}); expected a complete gzip file`, { source, offset: total }, { cause: error });
      }
      if (result.done) {
        finished = true;
        return;
      }
      total += result.value.length;
      yield result.value;
    }
  } finally {
    // Stopped early by the consumer or by an error: tell the source to stop reading.
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/**
 * Passes a byte stream through, gunzipping it on the fly when its first bytes are the gzip magic
 * number: the streaming counterpart of {@link maybeGunzip}.
 */
export async function* maybeGunzipStream(chunks: AsyncIterable<Uint8Array>, source?: string): AsyncIterable<Uint8Array> {
  const input = chunks[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let length = 0;
  let ended = false;
  while (length < 2) {
    const next = await input.next();
    if (next.done) {
      ended = true;
      break;
    }
    head.push(next.value);
    length += next.value.length;
  }
  const first = concat(head);
  async function* all(): AsyncIterable<Uint8Array> {
    try {
      if (first.length > 0) yield first;
      while (!ended) {
        const next = await input.next();
        if (next.done) ended = true;
        else yield next.value;
      }
    } finally {
      if (!ended) await input.return?.();
    }
  }
  yield* isGzip(first) ? gunzipStream(all(), source) : all();
}

/** Joins byte chunks into one array. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function* single(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}
