// A stats storage in one append-only file of JSON lines: a header line, then one line per run and
// per report. Reopening the file gives back every run in it, so a finished or crashed run can be
// viewed later, and a resumed run appends to the same file. A line cut off by a crash is dropped
// (and cut from the file before anything is appended); a line that is not a record is skipped with
// a warning; neither loses the other records.
import { unwatchFile, watchFile } from 'node:fs';
import type { Stats } from 'node:fs';
import { open, readFile, truncate } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { Dl4tsError } from '@dl4ts/core';
import type { RunInfo, StatsReport } from './stats';
import { MemoryStatsStorage } from './storage';

/** A stats file that cannot be read or written: missing, not a stats file, or a failed write. */
export class StatsFileError extends Dl4tsError {
  static override readonly errorName = 'StatsFileError';
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('DL4TS_STATS_FILE', `${path}: ${message}`, options);
  }
}

const FORMAT = 'dl4ts-stats';
const VERSION = 1;
const HEADER = `${JSON.stringify({ format: FORMAT, version: VERSION })}\n`;

/** Options of {@link FileStatsStorage.open}. */
export interface FileStatsStorageOptions {
  /** Only read the file (a dashboard viewing a finished run): no header written, nothing cut or appended. */
  readonly readOnly?: boolean;
  /**
   * Read-only, and keep reading what another process appends (a dashboard watching a run that
   * trains elsewhere): the file is polled every `followIntervalMs` and new records reach
   * subscribers. A line being written is read once it is whole.
   */
  readonly follow?: boolean;
  /** Default 500 ms. */
  readonly followIntervalMs?: number;
}

type ParsedLine = { readonly run: RunInfo } | { readonly report: StatsReport };

function isRecord(value: unknown): value is ParsedLine {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { run?: Partial<RunInfo>; report?: Partial<StatsReport> };
  if (v.run !== undefined) return typeof v.run.runId === 'string' && Array.isArray(v.run.layers);
  if (v.report !== undefined) return typeof v.report.runId === 'string' && Number.isInteger(v.report.iteration) && typeof v.report.params === 'object';
  return false;
}

/**
 * Stats in an append-only file (JSON lines). Open it with {@link FileStatsStorage.open}; one
 * process writes a file at a time.
 *
 * @example
 * ```ts
 * const storage = await FileStatsStorage.open('runs/mnist.stats.jsonl');
 * await net.fit(train, { epochs: 5, listeners: [new StatsListener(storage)] });
 * await storage.close();
 * ```
 */
export class FileStatsStorage extends MemoryStatsStorage {
  /** What was skipped when the file was read (cut-off or malformed lines), each naming its line. */
  readonly warnings: string[] = [];
  private queue: Promise<void> = Promise.resolve();
  private failure: StatsFileError | undefined;

  private constructor(
    readonly path: string,
    private handle: FileHandle | undefined,
  ) {
    super();
  }

  /** Opens (or, unless read-only, creates) the stats file at `path` and reads what it holds. */
  static async open(path: string, options: FileStatsStorageOptions = {}): Promise<FileStatsStorage> {
    let text: string | undefined;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new StatsFileError(path, `cannot be read: ${(error as Error).message}`, { cause: error });
      if (options.readOnly === true || options.follow === true) throw new StatsFileError(path, 'no such stats file', { cause: error });
    }
    const storage = new FileStatsStorage(path, undefined);
    const follow = options.follow === true;
    const complete = text === undefined ? 0 : storage.load(text, follow);
    if (follow) {
      storage.follow(complete, options.followIntervalMs ?? 500);
    } else if (options.readOnly !== true) {
      if (text !== undefined && complete < Buffer.byteLength(text)) await truncate(path, complete);
      try {
        storage.handle = await open(path, 'a');
        if (complete === 0) await storage.handle.write(HEADER);
      } catch (error) {
        await storage.handle?.close();
        throw new StatsFileError(path, `cannot be opened for appending: ${(error as Error).message}`, { cause: error });
      }
    }
    return storage;
  }

  /**
   * Reads the file's records; returns the byte length of its complete lines (what is kept). Text
   * after the last newline is a record cut off while it was written, or, when following, one
   * being written now.
   */
  private load(text: string, following: boolean): number {
    if (text.length === 0) return 0;
    const lines = text.split('\n');
    const tail = lines.pop() as string;
    if (tail.length > 0 && !following) this.warnings.push(`line ${lines.length + 1} was cut off (${Buffer.byteLength(tail)} bytes without an end of line: the writer stopped mid-record); dropped`);
    if (lines.length === 0) {
      if (tail.startsWith('{"format"')) return 0; // the header itself was cut off: as if empty
      throw new StatsFileError(this.path, `is not a dl4ts stats file: it holds no complete line (starts ${JSON.stringify(tail.slice(0, 40))})`);
    }
    let header: unknown;
    try {
      header = JSON.parse(lines[0] as string);
    } catch {
      header = undefined;
    }
    const h = header as { format?: unknown; version?: unknown } | undefined;
    if (h?.format !== FORMAT) throw new StatsFileError(this.path, `is not a dl4ts stats file: line 1 is ${JSON.stringify((lines[0] as string).slice(0, 60))}, expected ${HEADER.trim()}`);
    if (h.version !== VERSION) throw new StatsFileError(this.path, `has stats format version ${String(h.version)}; this @dl4ts/ui reads version ${VERSION}`);
    for (let i = 1; i < lines.length; i++) this.readLine(lines[i] as string, i + 1);
    this.linesRead = lines.length;
    return Buffer.byteLength(text) - Buffer.byteLength(tail);
  }

  private linesRead = 0;

  /** One record line (`number` counts from 1); what is not a record is skipped with a warning. */
  private readLine(line: string, number: number): void {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      this.warnings.push(`line ${number} is not JSON (${(error as Error).message}); skipped`);
      return;
    }
    if (!isRecord(value)) {
      this.warnings.push(`line ${number} is neither a run nor a report record; skipped`);
    } else if ('run' in value) {
      this.addRun(value.run);
    } else if (!this.runs().some((r) => r.runId === value.report.runId)) {
      this.warnings.push(`line ${number} is a report of run ${JSON.stringify(value.report.runId)}, which the file does not describe; skipped`);
    } else {
      this.addReport(value.report);
    }
  }

  private following = false;

  /** Polls the file and reads the whole lines appended after byte `consumed`, one read at a time. */
  private follow(consumed: number, intervalMs: number): void {
    let offset = consumed;
    let reading: Promise<void> = Promise.resolve();
    this.following = true;
    const readMore = async (size: number): Promise<void> => {
      if (size <= offset) return;
      const file = await open(this.path, 'r');
      try {
        const bytes = Buffer.alloc(size - offset);
        const { bytesRead } = await file.read(bytes, 0, bytes.length, offset);
        const text = bytes.subarray(0, bytesRead).toString('utf8');
        const end = text.lastIndexOf('\n');
        if (end < 0) return;
        if (offset === 0 && this.linesRead === 0) {
          // The file was empty when opened: its first line is the header.
          this.load(text.slice(0, end + 1), true);
        } else {
          for (const line of text.slice(0, end).split('\n')) this.readLine(line, ++this.linesRead);
        }
        offset += Buffer.byteLength(text.slice(0, end + 1));
      } finally {
        await file.close();
      }
    };
    watchFile(this.path, { interval: intervalMs }, (current: Stats) => {
      reading = reading.then(() => readMore(current.size)).catch((error: unknown) => void this.warnings.push(`following stopped reading: ${(error as Error).message}`));
    });
  }

  override async putRun(run: RunInfo): Promise<void> {
    const handle = this.writable();
    if (this.addRun(run)) await this.append(handle, { run });
  }

  override async putReport(report: StatsReport): Promise<void> {
    const handle = this.writable();
    this.addReport(report);
    await this.append(handle, { report });
  }

  /** The file to append to; a typed error, before anything is recorded, when there is none. */
  private writable(): FileHandle {
    if (this.failure !== undefined) throw this.failure;
    if (this.handle === undefined) throw new StatsFileError(this.path, 'was opened read-only (or closed): nothing can be appended');
    return this.handle;
  }

  private append(handle: FileHandle, record: ParsedLine): Promise<void> {
    const line = `${JSON.stringify(record)}\n`;
    this.queue = this.queue.then(async () => {
      if (this.failure !== undefined) throw this.failure;
      try {
        await handle.write(line);
      } catch (error) {
        this.failure = new StatsFileError(this.path, `a write failed (${(error as Error).message}); later records are refused`, { cause: error });
        throw this.failure;
      }
    });
    return this.queue;
  }

  override async close(): Promise<void> {
    if (this.following) unwatchFile(this.path);
    this.following = false;
    await this.queue.catch(() => undefined);
    await this.handle?.close();
    this.handle = undefined;
    await super.close();
  }
}
