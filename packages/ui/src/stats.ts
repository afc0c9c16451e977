// What the dashboard records: a run's static description, written once when training starts, and
// a report per sampled iteration. Plain JSON data (numbers, strings, arrays), so a storage can
// write it as it is and a page can read it as it is.

/** One parameter of a layer, as the model page shows it. */
export interface ParamInfo {
  /** `<layer>/<param>`. */
  readonly name: string;
  readonly shape: readonly number[];
  readonly count: number;
}

/** One layer of the model. */
export interface LayerInfo {
  readonly name: string;
  /** The layer's registry key (`layers/dense`, `rnn/lstm`, ...). */
  readonly type: string;
  readonly params: readonly ParamInfo[];
}

/** What does not change during a run: written once, when the first `fit` of the run starts. */
export interface RunInfo {
  readonly runId: string;
  /** ISO 8601. */
  readonly startedAt: string;
  readonly title: string;
  /** `Network` or `ComputationGraph`. */
  readonly modelKind: string;
  readonly layers: readonly LayerInfo[];
  readonly totalParams: number;
  /** The model's configuration, as given. */
  readonly config: unknown;
  /** The tfjs backend training ran on. */
  readonly backend: string;
  readonly host: { readonly hostname: string; readonly pid: number; readonly node: string };
}

/** Counts of values in `bins` equal-width bins from `min` to `max` (the last bin includes `max`). */
export interface Histogram {
  readonly min: number;
  readonly max: number;
  readonly counts: readonly number[];
}

/**
 * Statistics of one parameter at a sampled iteration. Magnitudes are root mean squares,
 * `sqrt(sum w^2 / n)`: one fused pass on the device, where a mean of |w| takes three.
 */
export interface ParamStats {
  /** sqrt(mean w^2). */
  readonly meanMagnitude: number;
  /** sqrt(mean Δw^2) over the iteration just run (Δw = w after - w before); absent at the first report of a process. */
  readonly updateMeanMagnitude?: number;
  /**
   * log10(updateMeanMagnitude / meanMagnitude) = log10(|Δw| / |w|): Deeplearning4j's first tuning
   * chart; about -3 is healthy, much higher means a learning rate too high, much lower too low.
   * Absent when either is 0.
   */
  readonly log10UpdateRatio?: number;
  /**
   * sqrt(mean g^2) of the loss's gradient (before L1/L2 and the updater) in the update just made;
   * absent under the parallel trainer, whose main network computes no gradients.
   */
  readonly gradientMeanMagnitude?: number;
  /** False when a value is NaN or infinite (the sum of squares is not finite). */
  readonly finite: boolean;
  /** How many values are NaN or infinite: at histogram iterations, where the values are read. */
  readonly nonFinite?: number;
  /** The learning rate its updater applies now; absent for frozen parameters and rate-free updaters. */
  readonly learningRate?: number;
  /** At histogram iterations only. */
  readonly histogram?: Histogram;
  readonly updateHistogram?: Histogram;
  readonly gradientHistogram?: Histogram;
}

/** Statistics of one layer's output on the probe batch, at histogram iterations. */
export interface ActivationStats {
  readonly mean: number;
  readonly std: number;
  /** Share of outputs that are exactly 0 (dead ReLUs). */
  readonly zeroFraction: number;
  readonly histogram: Histogram;
}

/** The process's memory and the tensor engine's, at a sampled iteration. */
export interface MemoryStats {
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  readonly tensors: number;
  readonly tensorBytes: number;
}

/** One worker of the parallel or distributed trainer in the last averaging window before a report. */
export interface WorkerStats {
  readonly worker: number;
  /** Examples it trained on in the window. */
  readonly examples: number;
  readonly meanScore: number;
  /** Milliseconds from the window's opening to the worker's report: its round time. */
  readonly roundMs: number;
  /** Milliseconds since its report when the window was averaged: its heartbeat age. */
  readonly heartbeatAgeMs: number;
}

/** One sampled iteration. */
export interface StatsReport {
  readonly runId: string;
  /** The model's iteration counter (iterations completed). */
  readonly iteration: number;
  /** Epochs completed before this iteration. */
  readonly epoch: number;
  /** Milliseconds since the Unix epoch. */
  readonly time: number;
  /** The minibatch's score (mean loss plus penalties). */
  readonly score: number;
  /** Examples per second since the previous report (absent at the first). */
  readonly examplesPerSecond?: number;
  /** Keyed by parameter name `<layer>/<param>`. */
  readonly params: Readonly<Record<string, ParamStats>>;
  /** Keyed by layer name; present at histogram iterations when the listener has a probe batch. */
  readonly activations?: Readonly<Record<string, ActivationStats>>;
  readonly memory: MemoryStats;
  /** Set on an epoch's last report: the epoch's mean score and, when given, the validation score. */
  readonly epochEnd?: { readonly meanScore: number; readonly validationScore?: number };
  /** The worker that sent it, for the parallel and distributed trainers. */
  readonly worker?: string;
  /** With the parallel or distributed trainer: the workers in the last averaging window, and its length in ms. */
  readonly workers?: readonly WorkerStats[];
  readonly windowMs?: number;
}

/** What a storage tells its subscribers. */
export type StatsEvent = { readonly type: 'run'; readonly run: RunInfo } | { readonly type: 'report'; readonly report: StatsReport };
