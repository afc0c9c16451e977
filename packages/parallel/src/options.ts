import { ConfigError, formatValue } from '@dl4ts/core';
import type { WorkerTransport } from './transport';

/**
 * The backend each worker activates: a dl4ts backend name (`'wasm'`, `'cpu'`, `'gpu'`: the
 * package `@dl4ts/backend-<name>` and its factory `<name>Backend()`), or any module exporting a
 * factory of core's `Backend`.
 */
export type BackendSpec = string | { readonly module: string; readonly export: string; readonly options?: unknown };

/**
 * A module whose plugins every worker installs: a module specifier (every exported core `Plugin`,
 * an object with `name` and `definitions`, is installed, and every exported `registerX(registry)`
 * function is called with the worker's registry) or one named export of it.
 */
export type PluginSpec = string | { readonly module: string; readonly export: string };

/** What a worker failure does: end `fit` with a {@link WorkerError}, or go on without that worker. */
export type WorkerFailurePolicy = 'stop' | 'continue';

/** Options of {@link ParallelTrainer}. */
export interface ParallelOptions {
  /** How workers are started: `nodeWorkers()` from `@dl4ts/parallel/node` in Node. */
  readonly transport: WorkerTransport;
  /** Number of workers, each with its own replica and backend. Default: the machine's cores. */
  readonly workers?: number;
  /** Average the replicas every this many minibatches per worker (DL4J's default, 5). */
  readonly averagingFrequency?: number;
  /** Average updater state too (momentum, Adam moments), as DL4J does by default. Default true. */
  readonly averageUpdaters?: boolean;
  /**
   * Minibatches per worker sent ahead of the running averaging window, so workers never wait for
   * the main thread to read the next one. Default 2; 0 sends each window only when the last one
   * has been averaged.
   */
  readonly prefetch?: number;
  /** Backend of every worker. Default `'wasm'`. */
  readonly backend?: BackendSpec;
  /**
   * Modules whose plugins every worker registers. Default: the package named as provider of each
   * component the model uses (first-party packages and plugins that name their package), which
   * covers every model made of installed packages; a component registered from application code
   * needs its module listed here.
   */
  readonly plugins?: readonly PluginSpec[];
  /** Default `'stop'`. With `'continue'`, training goes on while one worker is left. */
  readonly onWorkerFailure?: WorkerFailurePolicy;
  /**
   * Where a module the worker cannot find from `@dl4ts/parallel` is looked up (a directory or a
   * file inside the application). Default: the current working directory.
   */
  readonly resolveFrom?: string;
}

/** Options with defaults applied. */
export interface ResolvedOptions {
  readonly transport: WorkerTransport;
  readonly workers: number;
  readonly averagingFrequency: number;
  readonly averageUpdaters: boolean;
  readonly prefetch: number;
  readonly backend: BackendSpec;
  readonly plugins: readonly PluginSpec[] | undefined;
  readonly onWorkerFailure: WorkerFailurePolicy;
  readonly resolveFrom: string | undefined;
}

function positiveInteger(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new ConfigError(`ParallelTrainer: ${name} must be an integer >= ${min}, received ${formatValue(value)}`);
  }
  return value;
}

function checkModuleRef(what: string, spec: unknown): void {
  if (typeof spec === 'string') {
    if (spec.length === 0) throw new ConfigError(`ParallelTrainer: ${what} is an empty string; expected a module specifier such as "@dl4ts/layers"`);
    return;
  }
  const ref = spec as { module?: unknown; export?: unknown } | null;
  if (ref === null || typeof ref !== 'object' || typeof ref.module !== 'string' || typeof ref.export !== 'string') {
    throw new ConfigError(`ParallelTrainer: ${what} must be a module specifier or { module, export }, received ${formatValue(spec)}`);
  }
}

/** Validates options and applies defaults; every bad value is a `ConfigError` naming it. */
export function resolveOptions(options: ParallelOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') throw new ConfigError(`ParallelTrainer: expected an options object, received ${formatValue(options)}`);
  const { transport } = options;
  if (transport === undefined || typeof transport.spawn !== 'function') {
    throw new ConfigError('ParallelTrainer: options.transport is required; in Node pass nodeWorkers() from "@dl4ts/parallel/node"');
  }
  const workers = positiveInteger('workers', options.workers ?? transport.defaultWorkers(), 1);
  const averagingFrequency = positiveInteger('averagingFrequency', options.averagingFrequency ?? 5, 1);
  const prefetch = positiveInteger('prefetch', options.prefetch ?? 2, 0);
  const averageUpdaters = options.averageUpdaters ?? true;
  if (typeof averageUpdaters !== 'boolean') throw new ConfigError(`ParallelTrainer: averageUpdaters must be true or false, received ${formatValue(averageUpdaters)}`);
  const onWorkerFailure = options.onWorkerFailure ?? 'stop';
  if (onWorkerFailure !== 'stop' && onWorkerFailure !== 'continue') {
    throw new ConfigError(`ParallelTrainer: onWorkerFailure must be "stop" or "continue", received ${formatValue(onWorkerFailure)}`);
  }
  const backend = options.backend ?? 'wasm';
  checkModuleRef('backend', backend);
  if (options.plugins !== undefined) {
    if (!Array.isArray(options.plugins)) throw new ConfigError(`ParallelTrainer: plugins must be an array of module specifiers, received ${formatValue(options.plugins)}`);
    options.plugins.forEach((p, i) => checkModuleRef(`plugins[${i}]`, p));
  }
  if (options.resolveFrom !== undefined && (typeof options.resolveFrom !== 'string' || options.resolveFrom.length === 0)) {
    throw new ConfigError(`ParallelTrainer: resolveFrom must be a non-empty path, received ${formatValue(options.resolveFrom)}`);
  }
  return { transport, workers, averagingFrequency, averageUpdaters, prefetch, backend, plugins: options.plugins, onWorkerFailure, resolveFrom: options.resolveFrom };
}

/** The module and export a backend spec names. */
export function backendModule(spec: BackendSpec): { module: string; export: string; options?: unknown } {
  return typeof spec === 'string' ? { module: `@dl4ts/backend-${spec}`, export: `${spec}Backend` } : spec;
}
