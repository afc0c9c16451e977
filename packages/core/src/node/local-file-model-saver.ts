import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelSaver } from '../early-stopping/model-saver';
import type { Network } from '../network';
import { loadModel, saveModel } from './model-files';

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

  async saveBest(network: Network): Promise<void> {
    await mkdir(this.directory, { recursive: true });
    await saveModel(network, this.bestPath);
  }

  async saveLatest(network: Network): Promise<void> {
    await mkdir(this.directory, { recursive: true });
    await saveModel(network, this.latestPath);
  }

  async getBest(network: Network): Promise<Network | undefined> {
    return (await exists(this.bestPath)) ? (await loadModel(this.bestPath, { registry: network.registry })).network : undefined;
  }

  async getLatest(network: Network): Promise<Network | undefined> {
    return (await exists(this.latestPath)) ? (await loadModel(this.latestPath, { registry: network.registry })).network : undefined;
  }
}
