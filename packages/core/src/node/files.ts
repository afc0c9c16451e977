import { open, readFile } from 'node:fs/promises';
import { maybeGunzip } from '../data/gzip';

/**
 * Reads a file in chunks of `chunkSize` bytes, opening it when iteration starts and closing it
 * when iteration ends (also when the consumer stops early).
 *
 * @example
 * ```ts
 * for await (const chunk of readChunks('big.csv')) total += chunk.length;
 * ```
 */
export async function* readChunks(path: string, chunkSize = 1 << 20): AsyncIterable<Uint8Array> {
  const file = await open(path, 'r');
  try {
    for (;;) {
      const buffer = new Uint8Array(chunkSize);
      const { bytesRead } = await file.read(buffer, 0, chunkSize, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await file.close();
  }
}

/** Reads a whole file, gunzipped when it starts with the gzip magic number. */
export async function readDataFile(path: string): Promise<Uint8Array> {
  const bytes = await readFile(path);
  return maybeGunzip(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
}
