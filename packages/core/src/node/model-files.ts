import { open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ArtifactError, Dl4tsError } from '../errors';
import type { LoadModelOptions, LoadedGraph, LoadedModel, SaveModelOptions } from '../io/model-artifact';
import { deserializeAny, deserializeGraph, deserializeModel, serializeModel } from '../io/model-artifact';
import type { Model } from '../model';
import { sweepStaleTemps, tempPathFor } from './temp-files';

/** The steps of {@link saveModel}'s write, in order; tests interrupt each to prove the old file survives. */
export type SaveStep = 'open-temp' | 'write' | 'fsync' | 'close' | 'rename' | 'fsync-dir';

/** Options of {@link saveModel}. */
export interface SaveModelFileOptions extends SaveModelOptions {
  /** Called before each step of the write; throwing from it aborts the save there (for tests). */
  readonly beforeStep?: (step: SaveStep) => void;
  /**
   * Whose stale temporary files (by target file name) the save removes first; default: the
   * target's own. `CheckpointListener` passes all of its checkpoints'.
   */
  readonly sweepTemporaryFilesOf?: (name: string) => boolean;
}

/**
 * Saves a network or a graph (see `serializeModel`) to `path` atomically: the bytes go to a temporary file
 * in the same folder, are flushed to disk, and the temporary file is renamed over `path`. A crash
 * or error at any point leaves the previous file at `path` intact (and at worst a stray
 * `.<name>.<pid>-<id>.tmp` file beside it, which the next save of the same target removes once
 * its writer is gone: see `sweepStaleTemps`).
 *
 * @example
 * ```ts
 * await saveModel(net, 'models/mnist.safetensors', { normalizer });
 * const { network, normalizer: saved } = await loadModel('models/mnist.safetensors', { registry });
 * ```
 */
export async function saveModel(network: Model, path: string, options: SaveModelFileOptions = {}): Promise<void> {
  await checkTarget(path);
  const bytes = await serializeModel(network, options);
  const step = options.beforeStep ?? (() => undefined);
  const target = basename(path);
  await sweepStaleTemps(dirname(path), options.sweepTemporaryFilesOf ?? ((name) => name === target));
  const temp = tempPathFor(path);
  let renamed = false;
  try {
    step('open-temp');
    const file = await open(temp, 'wx');
    try {
      step('write');
      await file.writeFile(bytes);
      step('fsync');
      await file.sync();
      step('close');
    } finally {
      await file.close();
    }
    step('rename');
    await rename(temp, path);
    renamed = true;
    step('fsync-dir');
    await syncDirectory(dirname(path));
  } finally {
    if (!renamed) await rm(temp, { force: true });
  }
}

/** Loads a network saved by {@link saveModel}; see `deserializeModel` for what is validated. */
export async function loadModel(path: string, options: LoadModelOptions = {}): Promise<LoadedModel> {
  const bytes = await readArtifact('loadModel', path);
  return namingPath('loadModel', path, () => deserializeModel(bytes, options));
}

/** Loads a graph saved by {@link saveModel}; see `deserializeGraph`. */
export async function loadGraph(path: string, options: LoadModelOptions = {}): Promise<LoadedGraph> {
  const bytes = await readArtifact('loadGraph', path);
  return namingPath('loadGraph', path, () => deserializeGraph(bytes, options));
}

/** Loads whatever model {@link saveModel} saved, a network or a graph. */
export async function loadAny(path: string, options: LoadModelOptions = {}): Promise<Model> {
  const bytes = await readArtifact('loadModel', path);
  return namingPath('loadModel', path, () => deserializeAny(bytes, options));
}

/** Runs `read`, putting the caller and the file's path before the message of an `ArtifactError` it throws. */
function namingPath<T>(caller: string, path: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ArtifactError && error.constructor === ArtifactError) throw new ArtifactError(`${caller}: ${path}: ${error.message}`, { cause: error });
    throw error;
  }
}

async function readArtifact(caller: string, path: string): Promise<Uint8Array> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    const missing = (error as { code?: unknown }).code === 'ENOENT';
    throw new ArtifactError(missing ? `${caller}: ${path} does not exist` : `${caller}: cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (!info.isFile()) throw new ArtifactError(`${caller}: ${path} is not a file`);
  const bytes = await readFile(path);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The folder must exist and the path must not be one; a `DL4TS_IO` error saying which otherwise, before anything is written. */
async function checkTarget(path: string): Promise<void> {
  const kind = async (p: string) => {
    try {
      return (await stat(p)).isDirectory() ? 'directory' : 'file';
    } catch {
      return 'missing';
    }
  };
  if ((await kind(dirname(path))) !== 'directory') throw new Dl4tsError('DL4TS_IO', `saveModel: the folder ${dirname(path)} does not exist; create it first`);
  if ((await kind(path)) === 'directory') throw new Dl4tsError('DL4TS_IO', `saveModel: ${path} is a directory; give a file path such as ${join(path, 'model.safetensors')}`);
}

/** Flushes a directory entry (the rename) where the platform allows it. */
async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Windows cannot open directories; the rename is still atomic there.
  } finally {
    await handle?.close();
  }
}
