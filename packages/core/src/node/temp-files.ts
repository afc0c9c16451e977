import { randomBytes } from 'node:crypto';
import { readdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A temporary file of an atomic save: `.<target>.<pid>-<12 hex>.tmp` (older versions: no pid). */
const TEMP_NAME = /^\.(.+)\.(?:(\d+)-)?([0-9a-f]{12})\.tmp$/;

/** Temporary files older than this are stale whoever wrote them: no save takes an hour. */
export const STALE_TEMP_AGE_MS = 60 * 60 * 1000;

/** A fresh temporary path beside `path`, naming this process so that a later save can tell when it died. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
}

/** Whether a process with this id runs on this machine (one owned by another user counts). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Options of {@link sweepStaleTemps}. */
export interface SweepOptions {
  /** Age after which any temporary file is stale. Default {@link STALE_TEMP_AGE_MS}. */
  readonly maxAgeMs?: number;
  readonly now?: () => number;
}

/**
 * Removes temporary files that interrupted saves left in `directory`, for targets `isTarget`
 * accepts: those whose writer process has died (a SIGKILL, a crash), and any older than
 * `maxAgeMs`. A save in progress, in this process or another live one, is never touched. Best
 * effort: files that vanish or cannot be removed are skipped. Returns the paths removed.
 */
export async function sweepStaleTemps(directory: string, isTarget: (name: string) => boolean, options: SweepOptions = {}): Promise<string[]> {
  const maxAge = options.maxAgeMs ?? STALE_TEMP_AGE_MS;
  const now = (options.now ?? Date.now)();
  let names: string[];
  try {
    names = await readdir(directory);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = TEMP_NAME.exec(name);
    if (match === null || !isTarget(match[1] as string)) continue;
    const pid = match[2] === undefined ? undefined : Number(match[2]);
    const path = join(directory, name);
    try {
      const dead = pid !== undefined && pid !== process.pid && !isRunning(pid);
      const old = now - (await stat(path)).mtimeMs > maxAge;
      if (!dead && !old) continue;
      await rm(path, { force: true });
      removed.push(path);
    } catch {
      // Gone already, or not ours to remove: leave it.
    }
  }
  return removed;
}
