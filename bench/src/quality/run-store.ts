// The state of a long model-quality run, kept outside the repository so that a run cut off (a
// session's end, a kill) resumes where its last checkpoint left it: ~/.cache/dl4ts-runs/<name>
// (or $DL4TS_RUNS/<name>) holds `state.json` (the phase, the curve so far, wall time spent) and one
// model file per checkpoint tag. Every write is atomic (a temporary file renamed over the target),
// so a kill mid-write leaves the previous good state.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Model, Network, Registry } from '@dl4ts/core';
import { loadModel, saveModel } from '@dl4ts/core/node';

/** One point of a run's curve: the epoch (or iteration) and whatever figures were measured there. */
export interface CurvePoint {
  readonly step: number;
  readonly seconds: number;
  readonly [figure: string]: number;
}

/** What `state.json` holds; `T` is the run's own progress record. */
export interface RunState<T> {
  readonly version: 1;
  /** The command-line settings the run started with; a resume with other settings is refused. */
  readonly settings: Readonly<Record<string, unknown>>;
  progress: T;
  /** Curves by name (`pretrain/rbm1`, `finetune`, `lr 0.1`, ...). */
  curves: Record<string, CurvePoint[]>;
  /** Training wall time spent in earlier processes, seconds, by phase. */
  seconds: Record<string, number>;
}

/** The folder of run `name`: $DL4TS_RUNS/<name>, else ~/.cache/dl4ts-runs/<name>. */
export function runFolder(name: string): string {
  return join(process.env.DL4TS_RUNS ?? join(homedir(), '.cache', 'dl4ts-runs'), name);
}

/** JSON with the keys sorted and undefined values left out: equal settings give equal text, whatever their order. */
function canonical(settings: Readonly<Record<string, unknown>>): string {
  const defined = Object.keys(settings).filter((key) => settings[key] !== undefined).sort();
  return JSON.stringify(Object.fromEntries(defined.map((key) => [key, settings[key]])));
}

function writeAtomic(path: string, text: string | Uint8Array): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, path);
}

/** A run's folder: its state, its checkpoints, and a clock that adds up time across processes. */
export class RunStore<T> {
  readonly folder: string;
  readonly state: RunState<T>;
  readonly resumed: boolean;
  private readonly startedAt = new Map<string, number>();

  /**
   * Opens run `name`, resuming its state when the folder has one. `settings` must equal the stored
   * ones (pass `fresh: true` to start over instead).
   */
  constructor(name: string, settings: Record<string, unknown>, initial: T, options: { fresh?: boolean } = {}) {
    this.folder = runFolder(name);
    mkdirSync(this.folder, { recursive: true });
    const path = join(this.folder, 'state.json');
    if (!options.fresh && existsSync(path)) {
      const stored = JSON.parse(readFileSync(path, 'utf8')) as RunState<T>;
      const was = canonical(stored.settings);
      const now = canonical(settings);
      if (was !== now) {
        throw new Error(`run ${name} in ${this.folder} was started with other settings:\n  stored ${was}\n  given  ${now}\npass --fresh to start over, or the stored settings to resume`);
      }
      this.state = stored;
      this.resumed = true;
    } else {
      this.state = { version: 1, settings, progress: initial, curves: {}, seconds: {} };
      this.resumed = false;
    }
  }

  /** Starts (or restarts, in a resumed process) the clock of `phase`. */
  startClock(phase: string): void {
    this.startedAt.set(phase, performance.now());
  }

  /** Stops the clock of `phase`, keeping the time it ran. */
  stopClock(phase: string): void {
    const since = this.startedAt.get(phase);
    if (since === undefined) return;
    this.state.seconds[phase] = (this.state.seconds[phase] ?? 0) + (performance.now() - since) / 1000;
    this.startedAt.delete(phase);
  }

  /** Seconds spent on `phase` so far, this process and earlier ones together. */
  elapsed(phase: string): number {
    const since = this.startedAt.get(phase);
    return (this.state.seconds[phase] ?? 0) + (since === undefined ? 0 : (performance.now() - since) / 1000);
  }

  /** Appends a point to curve `name`. */
  record(name: string, point: Omit<CurvePoint, 'seconds'> & { seconds?: number }, phase = name): CurvePoint {
    const full = { ...point, seconds: point.seconds ?? this.elapsed(phase) } as CurvePoint;
    (this.state.curves[name] ??= []).push(full);
    return full;
  }

  /** Writes `state.json`, first folding the running clocks into the stored seconds. */
  save(): void {
    for (const [phase, since] of this.startedAt) {
      this.state.seconds[phase] = (this.state.seconds[phase] ?? 0) + (performance.now() - since) / 1000;
      this.startedAt.set(phase, performance.now());
    }
    writeAtomic(join(this.folder, 'state.json'), JSON.stringify(this.state, null, 1));
  }

  /** Saves `model` as checkpoint `tag` (atomically: the previous file stays until the new one is whole), then the state. */
  async checkpoint(tag: string, model: Model): Promise<void> {
    await saveModel(model, this.modelPath(tag));
    this.save();
  }

  hasCheckpoint(tag: string): boolean {
    return existsSync(this.modelPath(tag));
  }

  /** The network of checkpoint `tag`, with its updater state and counters. */
  async restore(tag: string, registry: Registry): Promise<Network> {
    return (await loadModel(this.modelPath(tag), { registry })).network;
  }

  modelPath(tag: string): string {
    return join(this.folder, `${tag}.safetensors`);
  }

  /** Writes a text file into the run folder (atomically). */
  writeFile(name: string, text: string): string {
    const path = join(this.folder, name);
    writeAtomic(path, text);
    return path;
  }
}
