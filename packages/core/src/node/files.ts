import { open, readFile, stat } from 'node:fs/promises';
import { maybeGunzip } from '../data/gzip';
import { Dl4tsError, ValueError, formatValue } from '../errors';

/**
 * Reads a file in chunks of `chunkSize` bytes, opening it when iteration starts and closing it
 * when iteration ends (also when the consumer stops early). A missing or unreadable file is a
 * `DL4TS_IO` error naming it.
 *
 * @example
 * ```ts
 * for await (const chunk of readChunks('big.csv')) total += chunk.length;
 * ```
 */
export async function* readChunks(path: string, chunkSize = 1 << 20): AsyncIterable<Uint8Array> {
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new ValueError(`readChunks: chunkSize must be a positive integer, received ${formatValue(chunkSize)}`);
  const file = await open(path, 'r').catch((error: unknown) => {
    throw fileError(error, path, 'readChunks');
  });
  try {
    for (;;) {
      const buffer = new Uint8Array(chunkSize);
      const { bytesRead } = await file.read(buffer, 0, chunkSize, null).catch((error: unknown) => {
        throw fileError(error, path, 'readChunks');
      });
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await file.close();
  }
}

/** Reads a whole file, gunzipped when it starts with the gzip magic number. */
export async function readDataFile(path: string): Promise<Uint8Array> {
  const bytes = await readFile(path).catch((error: unknown) => {
    throw fileError(error, path, 'readDataFile');
  });
  return maybeGunzip(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
}

/** The size in bytes of the regular file at `path`; a `DL4TS_IO` error naming it otherwise. */
export async function dataFileSize(path: string, caller: string): Promise<number> {
  if (typeof path !== 'string' || path === '') throw new ValueError(`${caller}: expected a file path, received ${JSON.stringify(path) ?? String(path)}`);
  const info = await stat(path).catch((error: unknown) => {
    throw fileError(error, path, caller);
  });
  if (!info.isFile()) throw new Dl4tsError('DL4TS_IO', `${caller}: ${path} is ${info.isDirectory() ? 'a directory' : 'not a regular file'}; expected a data file`);
  return info.size;
}

/** Node's file error as a `DL4TS_IO` error that names the path and the caller. */
function fileError(error: unknown, path: string, caller: string): Dl4tsError {
  const code = (error as { code?: unknown }).code;
  const reason = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a directory; expected a data file' : code === 'EACCES' ? 'cannot be read (permission denied)' : `cannot be read: ${(error as Error).message}`;
  return new Dl4tsError('DL4TS_IO', `${caller}: ${path} ${reason}`, { cause: error });
}
