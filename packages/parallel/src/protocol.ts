// Messages between the trainer (main thread) and its workers. Tensors travel as flat float32
// buffers with their shapes; parameters as one buffer laid out by `StateLayout`.

import type { BackendSpec, PluginSpec } from './options';

/** A tensor as host data: values (row-major) and shape. */
export interface HostTensor {
  readonly data: Float32Array;
  readonly shape: number[];
}

/** One parameter or updater-state tensor in the flat buffer. */
export interface LayoutEntry {
  readonly name: string;
  readonly size: number;
}

/**
 * A data set that each worker opens itself (from a shared path, a bucket, a database) instead of
 * receiving minibatches from the trainer: `module`'s export `export`, called with `options` (plain
 * JSON), returns a core `BatchSource` (or a promise of one) whose `size` is known. Every worker and
 * the trainer must get the same examples in the same order from it.
 */
export interface DataSpec {
  readonly module: string;
  readonly export: string;
  readonly options?: unknown;
}

/** How a worker walks its own data in one epoch: the trainer's shuffle, batch by batch. */
export interface OwnEpoch {
  readonly batchSize: number;
  /** The trainer's seed for `epochShuffleRng(seed, epoch)`; absent when not shuffling. */
  readonly shuffleSeed: number | undefined;
  readonly epoch: number;
}

export interface Counters {
  readonly iteration: number;
  readonly epoch: number;
}

export type ToWorker =
  | {
      readonly type: 'init';
      readonly artifact: Uint8Array;
      readonly seed: number;
      readonly backend: BackendSpec;
      readonly plugins: readonly PluginSpec[];
      readonly resolveFrom: string | undefined;
      /** Whether state buffers carry updater state after the parameters. */
      readonly updaters: boolean;
    }
  /** Replaces the replica's state: parameters, and updater state when `updaters`. */
  | { readonly type: 'load'; readonly state: Float32Array; readonly updaters: boolean; readonly counters: Counters }
  /** Opens the data set the `take` messages index (kept until another spec arrives). */
  | { readonly type: 'data'; readonly spec: DataSpec }
  /** Starts one epoch: train on the batches that follow until `end`; with `own`, `take`s index the worker's data. */
  | { readonly type: 'epoch'; readonly own?: OwnEpoch }
  /** Train on minibatch `batch` (0-based, in the epoch's order) of the worker's own data. */
  | { readonly type: 'take'; readonly batch: number }
  | {
      readonly type: 'batch';
      /** Whether the batch was a graph's `MultiBatch` (else a network's `Batch`, sent as arrays of one). */
      readonly multi: boolean;
      readonly features: HostTensor[];
      readonly labels: HostTensor[];
      readonly featuresMasks: (HostTensor | undefined)[] | undefined;
      readonly labelsMasks: (HostTensor | undefined)[] | undefined;
    }
  /** Averaging point: report state (if trained since the last one), then wait for `average`. */
  | { readonly type: 'sync'; readonly window: number }
  | { readonly type: 'average'; readonly window: number; readonly state: Float32Array; readonly updaters: boolean; readonly counters: Counters }
  | { readonly type: 'end' }
  /** Out of band: drop queued batches and end the running epoch after the current step. */
  | { readonly type: 'stop' }
  /** Report the replica's state; with `updaters`, updater state too (whatever the averaging does). */
  | { readonly type: 'snapshot'; readonly updaters: boolean };

export interface ReportedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
}

export type FromWorker =
  | { readonly type: 'ready'; readonly layout: LayoutEntry[] }
  /**
   * `state` is absent when the worker trained on nothing in the window. `stateStored`: the state
   * is held by the transport, which averages it itself (`WorkerTransport.reduce`). `examples`: how
   * many the worker trained on in the window, its weight in the average.
   */
  | { readonly type: 'synced'; readonly window: number; readonly state?: Float32Array; readonly stateStored?: boolean; readonly scores: number[]; readonly examples: number }
  | { readonly type: 'epoch-done'; readonly meanScore: number; readonly batches: number }
  | { readonly type: 'snapshot'; readonly state: Float32Array }
  | { readonly type: 'error'; readonly phase: 'start' | 'train'; readonly error: ReportedError };
