import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Normalizer } from '../data/normalizer';
import { ConfigError, formatValue } from '../errors';
import type { EpochInfo, IterationInfo, TrainingListener } from '../listener';
import type { Model } from '../model';
import { saveModel } from './model-files';

/** Options of {@link CheckpointListener}. At least one of the `every*` triggers is required. */
export interface CheckpointListenerOptions {
  /** Folder for the checkpoint files; created if missing. */
  readonly directory: string;
  /** Save after every N completed epochs. */
  readonly everyEpochs?: number;
  /** Save after every N iterations. */
  readonly everyIterations?: number;
  /** Save at the first iteration end at least this many minutes after the previous save (or the start). */
  readonly everyMinutes?: number;
  /** How many checkpoints to keep, newest first; older ones are deleted after a save succeeds. Default 3; 0 keeps all. */
  readonly keepLast?: number;
  /** Saved with every checkpoint. */
  readonly normalizer?: Normalizer;
  /** File name prefix. Default `checkpoint`. */
  readonly prefix?: string;
  /** Milliseconds clock; default `Date.now`. Injected by tests. */
  readonly now?: () => number;
}

/** A checkpoint file found by {@link listCheckpoints}. */
export interface CheckpointFile {
  readonly path: string;
  readonly iteration: number;
  readonly epoch: number;
}

const NAME = /^(.+)-i(\d+)-e(\d+)\.safetensors$/;

/**
 * The checkpoints in `directory` written with `prefix`, oldest first (by iteration, then epoch).
 * Resume from the last one with `loadModel(checkpoints.at(-1).path)`.
 */
export async function listCheckpoints(directory: string, prefix = 'checkpoint'): Promise<CheckpointFile[]> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const found: CheckpointFile[] = [];
  for (const name of names) {
    const m = NAME.exec(name);
    if (m === null || m[1] !== prefix) continue;
    found.push({ path: join(directory, name), iteration: Number(m[2]), epoch: Number(m[3]) });
  }
  return found.sort((a, b) => a.iteration - b.iteration || a.epoch - b.epoch);
}

function positive(name: string, value: number | undefined, integer: boolean): void {
  if (value === undefined) return;
  if (!(value > 0) || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new ConfigError(`CheckpointListener: ${name} must be a positive ${integer ? 'integer' : 'number'}, received ${formatValue(value)}`);
  }
}

/**
 * Saves the model (parameters, updater state, counters, normaliser) every N epochs, every N
 * iterations and/or every N minutes, atomically (see `saveModel`), keeping the last K files.
 * Files are named `<prefix>-i<iteration>-e<epoch>.safetensors`.
 *
 * A checkpoint taken in the middle of an epoch records the epochs completed so far: `fit` on the
 * loaded model starts that epoch again from its beginning.
 *
 * @example
 * ```ts
 * const checkpoints = new CheckpointListener({ directory: 'runs/mnist', everyEpochs: 1, everyMinutes: 10, keepLast: 2 });
 * await net.fit(train, { epochs: 20, listeners: [checkpoints] });
 * const last = (await listCheckpoints('runs/mnist')).at(-1);
 * ```
 */
export class CheckpointListener implements TrainingListener<Model> {
  /** Paths written by this listener, in order (including ones since deleted). */
  readonly saved: string[] = [];
  private readonly keepLast: number;
  private readonly prefix: string;
  private readonly now: () => number;
  private lastSave: number;
  private lastIteration = -1;

  constructor(private readonly options: CheckpointListenerOptions) {
    if (typeof options.directory !== 'string' || options.directory === '') throw new ConfigError('CheckpointListener: directory must be a non-empty path');
    positive('everyEpochs', options.everyEpochs, true);
    positive('everyIterations', options.everyIterations, true);
    positive('everyMinutes', options.everyMinutes, false);
    if (options.everyEpochs === undefined && options.everyIterations === undefined && options.everyMinutes === undefined) {
      throw new ConfigError('CheckpointListener: give at least one of everyEpochs, everyIterations, everyMinutes');
    }
    const keep = options.keepLast ?? 3;
    if (!Number.isInteger(keep) || keep < 0) throw new ConfigError(`CheckpointListener: keepLast must be a non-negative integer, received ${formatValue(keep)}`);
    this.keepLast = keep;
    this.prefix = options.prefix ?? 'checkpoint';
    if (!/^[\w.-]+$/.test(this.prefix)) throw new ConfigError(`CheckpointListener: prefix must be letters, digits, '.', '_' or '-', received ${JSON.stringify(this.prefix)}`);
    this.now = options.now ?? Date.now;
    this.lastSave = this.now();
  }

  onFitStart(): void {
    this.lastSave = this.now();
  }

  async onIterationEnd(info: IterationInfo<Model>): Promise<void> {
    const { everyIterations, everyMinutes } = this.options;
    const byCount = everyIterations !== undefined && info.iteration % everyIterations === 0;
    const byTime = everyMinutes !== undefined && this.now() - this.lastSave >= everyMinutes * 60_000;
    if (byCount || byTime) await this.save(info.network);
  }

  async onEpochEnd(info: EpochInfo<Model>): Promise<void> {
    if (this.options.everyEpochs !== undefined && info.epoch % this.options.everyEpochs === 0) await this.save(info.network);
  }

  /** Saves a checkpoint now and prunes old ones; returns its path. */
  async save(network: Model): Promise<string> {
    await mkdir(this.options.directory, { recursive: true });
    const path = join(this.options.directory, `${this.prefix}-i${network.iteration}-e${network.epoch}.safetensors`);
    // The save also removes what interrupted saves of any of this listener's checkpoints left behind.
    const ours = (name: string) => NAME.exec(name)?.[1] === this.prefix;
    await saveModel(network, path, { sweepTemporaryFilesOf: ours, ...(this.options.normalizer === undefined ? {} : { normalizer: this.options.normalizer }) });
    const previous = this.saved.at(-1);
    const previousIteration = this.lastIteration;
    this.lastIteration = network.iteration;
    this.saved.push(path);
    this.lastSave = this.now();
    // An epoch that ends on a counted iteration would otherwise leave two copies of one state.
    if (previous !== undefined && previous !== path && previousIteration === network.iteration) await rm(previous, { force: true });
    if (this.keepLast > 0) {
      const all = await listCheckpoints(this.options.directory, this.prefix);
      for (const old of all.slice(0, Math.max(0, all.length - this.keepLast))) await rm(old.path, { force: true });
    }
    return path;
  }
}
