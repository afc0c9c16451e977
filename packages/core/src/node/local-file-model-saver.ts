import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelSaver } from '../early-stopping/model-saver';
import type { Model } from '../model';
import { loadAny, saveModel } from './model-files';

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * Saves early stopping's best and latest models as `bestModel.safetensors` and
 * `latestModel.safetensors` in a folder (DL4J's `LocalFileModelSaver`), atomically (see
 * `saveModel`), so a crash mid-save keeps the previous best.
 */
export class LocalFileModelSaver implements ModelSaver {
  readonly bestPath: string;
  readonly latestPath: string;

  constructor(readonly directory: string) {
    this.bestPath = join(directory, 'bestModel.safetensors');
    this.latestPath = join(directory, 'latestModel.safetensors');
  }

  async saveBest(model: Model): Promise<void> {
    await mkdir(this.directory, { recursive: true });
    await saveModel(model, this.bestPath);
  }

  async saveLatest(model: Model): Promise<void> {
    await mkdir(this.directory, { recursive: true });
    await saveModel(model, this.latestPath);
  }

  async getBest(like: Model): Promise<Model | undefined> {
    return (await exists(this.bestPath)) ? loadAny(this.bestPath, { registry: like.registry }) : undefined;
  }

  async getLatest(like: Model): Promise<Model | undefined> {
    return (await exists(this.latestPath)) ? loadAny(this.latestPath, { registry: like.registry }) : undefined;
  }
}
