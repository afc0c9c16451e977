// The benchmark harness: each case runs in its own process (the suite spawns it), times its
// contenders in interleaved rounds so that a changing machine load falls on all of them alike,
// and writes one JSON result the suite turns into bench/RESULTS.md.
//
// A case file calls `runCase(name, body)`; `body` builds its contenders and returns the rows from
// `interleave`. `runCase` activates the backend, counts the tensors left over after the body (they
// must be 0), reads the process's peak RSS, and writes the result to `--json FILE` (and stdout).
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@dl4ts/core';
import type { DataSet, Model } from '@dl4ts/core';
import { type NativeBackend, type NativeBackendOptions, nativeBackend } from '@dl4ts/backend-native';
import { blasMetrics, blasMode, nativeOptionsFor } from './blas-mode';
import { startedTorch } from './pytorch';
import { type WasmBackendOptions, wasmBackend } from '@dl4ts/backend-wasm';

/** A model under timing. */
export interface Contender {
  readonly name: string;
  /** The reference the others are compared with (tfjs-layers on the same backend). One per case. */
  readonly anchor?: boolean;
  /** Floating-point operations per unit (sample, character), for the achieved GFLOP/s. */
  readonly flopsPerUnit?: number;
  /** Runs one timed round; returns the number of units (samples, characters) it processed. */
  round(): Promise<number>;
  dispose(): void;
  /** Set by {@link foreign}: code that is not dl4ts's, whose leftover tensors are counted apart. */
  readonly foreign?: boolean;
  /** The tfjs backend its rounds run on (made active before each round); default: whichever is active. */
  readonly backend?: string;
  /** Runs before each of its rounds, untimed (the native thread count of this contender, say). */
  readonly before?: () => void;
}

/**
 * One epoch of `network.fit` over `data`, as a dl4ts contender's round: fails if the epoch leaves a
 * tensor behind; returns the examples trained.
 */
export async function fitEpoch(network: Model, data: DataSet, batchSize: number): Promise<number> {
  const before = tf.memory().numTensors;
  await network.fit(data, { epochs: 1, batchSize });
  if (tf.memory().numTensors !== before) throw new Error(`dl4ts leaked ${tf.memory().numTensors - before} tensors in one epoch`);
  return data.size;
}

/** Tensors left behind by {@link foreign} contenders in this process. */
let foreignLeaked = 0;

/** Counts tensors that foreign code (tfjs-layers) left behind outside a contender. */
export function recordForeignTensors(count: number): void {
  foreignLeaked += count;
}

/**
 * Wraps the creation of a contender whose code is not dl4ts's (tfjs-layers: a compiled model keeps
 * a tensor after `dispose`): the tensors it leaves, from creation to disposal, are reported apart
 * from the case's own leak count, which must be 0.
 */
export function foreign(create: () => Contender): Contender {
  const before = tf.memory().numTensors;
  const contender = create();
  const created = tf.memory().numTensors - before;
  return {
    ...contender,
    foreign: true,
    dispose: () => {
      const start = tf.memory().numTensors;
      contender.dispose();
      foreignLeaked += created + (tf.memory().numTensors - start);
    },
  };
}

/** One contender's figures. */
export interface ContenderResult {
  readonly name: string;
  readonly anchor: boolean;
  /** Median over the timed rounds, in units per second. */
  readonly perSecond: number;
  /** Every timed round, units per second. */
  readonly rounds: readonly number[];
  /** `perSecond` over the anchor's. */
  readonly ratio: number;
  readonly gflops?: number;
}

/** What a case reports. */
export interface CaseResult {
  readonly case: string;
  readonly title: string;
  /** `samples/s`, `characters/s`, or for latency cases `ms` (lower is better). */
  readonly unit: string;
  readonly rows: readonly ContenderResult[];
  /** Tensors alive after the case beyond those alive before it, less those left by {@link foreign} code. Must be 0. */
  readonly tensorsLeaked: number;
  /** Tensors left by foreign contenders (tfjs-layers), for the record. */
  readonly foreignTensorsLeaked: number;
  /** Peak resident set size of the case's process, MiB. */
  readonly peakRssMiB: number;
  readonly backend: string;
  readonly seconds: number;
  readonly notes: readonly string[];
  /** Further figures (accuracy, memory), shown beside the case. */
  readonly metrics?: Readonly<Record<string, string | number>>;
}

/** What a case's body hands back; the harness adds the rest. */
export type CaseBody = Pick<CaseResult, 'title' | 'unit' | 'rows' | 'notes' | 'metrics'>;

/** Options every case accepts on its command line. */
export interface CaseContext {
  /** The native backend, registered beside wasm, when the case asked for it and its addon loads here. */
  readonly native?: NativeBackend;
  /** Why the native backend is not here, when the case asked for it. */
  readonly nativeMissing?: string;
  /** `--quick`: a smaller run, for smoke tests of the harness. */
  readonly quick: boolean;
  /** `--rounds N` (default given by the case). */
  readonly rounds: (fallback: number) => number;
  readonly log: (line: string) => void;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * Pause before each contender's round, so that it starts on idle cores. The rounds are short
 * (~0.2 s) and OpenBLAS's worker threads, ours and PyTorch's subprocess's alike, keep spinning for
 * about 0.1 s after the previous contender's last product: without the pause that spin is charged
 * to whoever runs next (measured: the native MLP ran 17-18k samples/s inside the bench against
 * 25-31k alone). `DL4TS_BENCH_SETTLE_MS=0` turns it off.
 */
const SETTLE_MS = settleMs(process.env.DL4TS_BENCH_SETTLE_MS);

function settleMs(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 400;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`DL4TS_BENCH_SETTLE_MS must be a number of milliseconds >= 0; received ${JSON.stringify(raw)}`);
  }
  return value;
}

/**
 * Times the contenders in turns: `warmup` untimed rounds each, then `rounds` timed rounds, one
 * contender after another within a round. Reports the median units/s of each and its ratio to the
 * anchor (the first contender when none is marked).
 */
export async function interleave(
  contenders: readonly Contender[],
  rounds: number,
  options: { warmup?: number; log?: (line: string) => void; lowerIsBetter?: boolean } = {},
): Promise<ContenderResult[]> {
  const warmup = options.warmup ?? 1;
  const log = options.log ?? ((line: string) => console.log(line));
  const rates = contenders.map((): number[] => []);
  for (let r = 0; r < warmup + rounds; r++) {
    for (const [i, contender] of contenders.entries()) {
      if (contender.backend !== undefined && tf.getBackend() !== contender.backend) await tf.setBackend(contender.backend);
      contender.before?.();
      if (SETTLE_MS > 0) await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      const tensors = tf.memory().numTensors;
      const started = performance.now();
      const units = await contender.round();
      const rate = units / ((performance.now() - started) / 1000);
      const grown = tf.memory().numTensors - tensors;
      if (contender.foreign === true) foreignLeaked += grown;
      else if (grown !== 0) log(`  ${contender.name}: ${grown} tensors more after the round than before it`);
      if (r >= warmup) (rates[i] as number[]).push(rate);
      log(`  round ${r - warmup + 1}${r < warmup ? ' (warm-up)' : ''}: ${contender.name}: ${rate.toFixed(1)}/s`);
    }
  }
  const anchorIndex = Math.max(0, contenders.findIndex((c) => c.anchor === true));
  const anchorRate = median(rates[anchorIndex] as number[]);
  return contenders.map((contender, i) => {
    const perSecond = median(rates[i] as number[]);
    return {
      name: contender.name,
      anchor: i === anchorIndex,
      perSecond,
      rounds: rates[i] as number[],
      ratio: perSecond / anchorRate,
      ...(contender.flopsPerUnit === undefined ? {} : { gflops: (perSecond * contender.flopsPerUnit) / 1e9 }),
    };
  });
}

/** Floating-point operations of one training step of a dense stack, per sample: forward 2nm, backward 4nm per layer. */
export function denseTrainingFlops(sizes: readonly number[]): number {
  let flops = 0;
  for (let i = 1; i < sizes.length; i++) flops += 6 * (sizes[i - 1] as number) * (sizes[i] as number);
  return flops;
}

/**
 * Runs a case in this process: activates the wasm backend (dl4ts's kernel fixes on), runs the body,
 * and writes its result as JSON to `--json FILE` and to stdout after a `DL4TS_BENCH_RESULT ` tag.
 */
export async function runCase(
  defaultName: string,
  body: (context: CaseContext) => Promise<CaseBody>,
  backend: WasmBackendOptions = {},
  options: { native?: NativeBackendOptions } = {},
): Promise<void> {
  const { values } = parseArgs({
    options: { json: { type: 'string' }, quick: { type: 'boolean', default: false }, rounds: { type: 'string' }, name: { type: 'string' } },
    strict: false,
  });
  // --name: the suite runs one case file under two names (with and without the OpenBLAS settings).
  const name = typeof values.name === 'string' ? values.name : defaultName;
  const started = performance.now();
  let native: NativeBackend | undefined;
  let nativeMissing: string | undefined;
  if (options.native !== undefined) {
    const candidate = nativeBackend({ ...nativeOptionsFor(blasMode()), ...options.native });
    const availability = await candidate.availability();
    if (availability.available) {
      await candidate.activate();
      native = candidate;
    } else {
      nativeMissing = availability.reason;
    }
  }
  const chosen = await selectBackend('wasm', [wasmBackend(backend)]);
  const before = tf.memory().numTensors;
  const rounds = typeof values.rounds === 'string' ? Number(values.rounds) : undefined;
  const context: CaseContext = {
    ...(native === undefined ? {} : { native }),
    ...(nativeMissing === undefined ? {} : { nativeMissing }),
    quick: values.quick === true,
    rounds: (fallback) => rounds ?? (values.quick === true ? 1 : fallback),
    log: (line) => console.log(line),
  };
  const measured = await body(context);
  // Which OpenBLAS kernel each contender ran, read from its own library.
  const kernels = blasMetrics(native, startedTorch);
  const result: CaseBody = Object.keys(kernels).length > 0 ? { ...measured, metrics: { ...kernels, ...measured.metrics } } : measured;
  const tensorsLeaked = tf.memory().numTensors - before - foreignLeaked;
  const full: CaseResult = {
    case: name,
    ...result,
    tensorsLeaked,
    foreignTensorsLeaked: foreignLeaked,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    backend: `${backend.threads === undefined ? chosen.name : `${chosen.name}, ${String(backend.threads)} threads`}${native === undefined ? '' : ' + native'}`,
    seconds: (performance.now() - started) / 1000,
  };
  const json = JSON.stringify(full);
  console.log(`DL4TS_BENCH_RESULT ${json}`);
  if (typeof values.json === 'string') await writeFile(values.json, json + '\n');
}

/** Creates a contender's model and data with `backend` active, so its tensors live there from the start. */
export async function on<T>(backend: string, create: () => T | Promise<T>): Promise<T> {
  if (tf.getBackend() !== backend) await tf.setBackend(backend);
  return create();
}

/**
 * Makes the fastest row that `isAnchor` accepts the anchor and recomputes every ratio against it
 * (PyTorch's best thread count, 1 or 2, is the anchor of the native cases).
 */
export function reanchor(rows: readonly ContenderResult[], isAnchor: (row: ContenderResult) => boolean): ContenderResult[] {
  const candidates = rows.filter(isAnchor);
  if (candidates.length === 0) return [...rows];
  const best = candidates.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
  return rows.map((row) => ({ ...row, anchor: row === best, ratio: row.perSecond / best.perSecond }));
}
