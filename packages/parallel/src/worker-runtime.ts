import type { AnyBatch, Backend, BatchSource, Model, Plugin, TrainingListener } from '@dl4ts/core';
import { ConfigError, DEFAULT_SEED, Registry, batchRows, deserializeAny, selectBackend } from '@dl4ts/core';
import { StateLayout } from './flat-state';
import { batchOf } from './host-data';
import { backendModule, type PluginSpec } from './options';
import { OwnEpochReader, openDataSpec, type SpecSource } from './own-data';
import type { DataSpec, FromWorker, OwnEpoch, ReportedError, ToWorker } from './protocol';

/** The worker's side of the channel to the trainer. */
export interface WorkerPort {
  post(message: FromWorker, transfer?: ArrayBuffer[]): void;
  onMessage(listener: (message: ToWorker) => void): void;
}

/** Imports a module for the worker (backend or plugin), resolving it as the platform can. */
export type ModuleImporter = (specifier: string, resolveFrom: string | undefined) => Promise<Record<string, unknown>>;

type AverageMessage = Extract<ToWorker, { type: 'average' }>;
type QueueItem = Extract<ToWorker, { type: 'batch' | 'take' | 'sync' | 'end' }>;

function isPlugin(value: unknown): value is Plugin {
  const p = value as Partial<Plugin> | null;
  return p !== null && typeof p === 'object' && typeof p.name === 'string' && Array.isArray(p.definitions);
}

function report(error: unknown): ReportedError {
  if (error instanceof Error) return { name: error.name, message: error.message, ...(error.stack !== undefined && { stack: error.stack }) };
  return { name: 'Error', message: String(error) };
}

/** Export names of registration functions: `registerLayers`, `registerRnn`. */
const REGISTER = /^register[A-Z]/;

/**
 * Runs one training worker: builds the replica from the model artifact with its own backend and
 * registry, then trains it on the minibatches the trainer sends, one `fit` per epoch (so
 * every training strategy runs as in a plain fit), and at each averaging point reports its state
 * and waits for the average. Platform-neutral: the entry (Node's `worker.ts`) supplies the port
 * and the module importer.
 */
/** A running worker, as {@link runWorker} returns it. */
export interface RunningWorker {
  /**
   * Ends it in place: the running epoch stops after its current step, nothing more is sent, and
   * the replica and its data are freed. A process that serves a new trainer session (a restarted
   * coordinator) closes the old worker and runs a new one.
   */
  close(): Promise<void>;
}

export function runWorker(port: WorkerPort, importModule: ModuleImporter, index: number): RunningWorker {
  let network: Model | undefined;
  let layout: StateLayout | undefined;
  let averageUpdaters = true;
  let resolveFrom: string | undefined;
  let data: { key: string; source: SpecSource } | undefined;
  let reader: OwnEpochReader | undefined;
  const queue: QueueItem[] = [];
  let wake: (() => void) | undefined;
  let averageWaiter: ((message: AverageMessage | undefined) => void) | undefined;
  let stopping = false;
  let closed = false;
  const send: WorkerPort['post'] = (message, transfer) => {
    if (!closed) port.post(message, transfer);
  };
  let scores: number[] = [];
  /** Examples trained on since the last averaging point (0: nothing to report). */
  let examplesSinceSync = 0;
  // Start-up, state loads, epochs and snapshots run one after another, in message order.
  let chain: Promise<void> = Promise.resolve();
  const enqueue = (phase: 'start' | 'train', task: () => Promise<void> | void): void => {
    chain = chain.then(() => (closed ? undefined : task())).catch((error: unknown) => send({ type: 'error', phase, error: report(error) }));
  };
  const replica = (): { net: Model; lay: StateLayout } => {
    if (network === undefined || layout === undefined) throw new ConfigError(`worker ${index}: received work before it was initialised`);
    return { net: network, lay: layout };
  };

  const apply = (message: { state: Float32Array; updaters: boolean; counters: { iteration: number; epoch: number } }): void => {
    const { net, lay } = replica();
    lay.write(net, message.state, message.updaters);
    net.setCounters(message.counters);
  };

  async function init(message: Extract<ToWorker, { type: 'init' }>): Promise<void> {
    averageUpdaters = message.updaters;
    resolveFrom = message.resolveFrom;
    const spec = backendModule(message.backend);
    const backendExports = await importModule(spec.module, message.resolveFrom);
    const factory = backendExports[spec.export];
    if (typeof factory !== 'function') {
      throw new ConfigError(`backend module "${spec.module}" has no function export "${spec.export}"; exports: ${Object.keys(backendExports).join(', ')}`);
    }
    const backend = (factory as (options?: unknown) => Backend)(spec.options);
    await selectBackend(backend.name, [backend]);
    const registry = new Registry();
    for (const plugin of message.plugins) await install(registry, plugin, message.resolveFrom);
    network = deserializeAny(message.artifact, { registry });
    // Replicas other than the first draw their own dropout masks; the first draws the main model's.
    if (message.seed !== (network.config.seed ?? DEFAULT_SEED)) network.config.seed = message.seed;
    layout = new StateLayout(network);
    send({ type: 'ready', layout: layout.entries() });
  }

  async function install(registry: Registry, spec: PluginSpec, resolveFrom: string | undefined): Promise<void> {
    const module = typeof spec === 'string' ? spec : spec.module;
    const exports = await importModule(module, resolveFrom);
    const use = (name: string, value: unknown): boolean => {
      if (isPlugin(value)) registry.use(value);
      // `registerX(registry)`: packages whose plugin depends on the registry (rnn's) export only this.
      else if (typeof value === 'function' && REGISTER.test(name)) (value as (registry: Registry) => unknown)(registry);
      else return false;
      return true;
    };
    if (typeof spec !== 'string') {
      if (!use(`register${spec.export}`, exports[spec.export])) {
        throw new ConfigError(`plugin module "${module}": export "${spec.export}" is neither a Plugin ({ name, definitions }) nor a register function; received ${typeof exports[spec.export]}`);
      }
      return;
    }
    const found = Object.entries(exports).filter(([name, value]) => use(name, value));
    if (found.length === 0) {
      throw new ConfigError(`plugin module "${module}" exports no Plugin ({ name, definitions }) and no register function (registerX(registry)); exports: ${Object.keys(exports).join(', ')}`);
    }
  }

  /** Opens the worker's own data set; the same spec again keeps the one already open. */
  async function openData(spec: DataSpec): Promise<void> {
    const key = JSON.stringify(spec);
    if (data?.key === key) return;
    data?.source.dispose();
    data = undefined;
    data = { key, source: await openDataSpec(spec, importModule, resolveFrom) };
  }

  async function next(): Promise<QueueItem | undefined> {
    for (;;) {
      if (stopping) return undefined;
      const item = queue.shift();
      if (item !== undefined) return item;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  }

  async function sync(window: number): Promise<void> {
    const { net, lay } = replica();
    const state = examplesSinceSync > 0 ? await lay.read(net, averageUpdaters) : undefined;
    if (stopping) return; // the trainer stopped while the state was read: nobody waits for it
    const message: FromWorker = { type: 'synced', window, scores, examples: examplesSinceSync, ...(state !== undefined && { state }) };
    scores = [];
    examplesSinceSync = 0;
    const average = new Promise<AverageMessage | undefined>((resolve) => (averageWaiter = resolve));
    send(message, state === undefined ? [] : [state.buffer as ArrayBuffer]);
    const received = await average;
    averageWaiter = undefined;
    if (received !== undefined) apply(received);
  }

  async function* stream(): AsyncGenerator<AnyBatch> {
    for (;;) {
      const item = await next();
      if (item === undefined || item.type === 'end') return;
      if (item.type === 'sync') {
        await sync(item.window);
        continue;
      }
      let batch: AnyBatch;
      if (item.type === 'batch') batch = batchOf(item);
      else if (reader === undefined) throw new ConfigError(`worker ${index}: told to take minibatch ${item.batch} of its own data outside an epoch over it`);
      else batch = await reader.take(item.batch);
      examplesSinceSync += batchRows(batch);
      yield batch;
    }
  }

  async function epoch(own: OwnEpoch | undefined): Promise<void> {
    const { net } = replica();
    stopping = false;
    if (own !== undefined) {
      if (data === undefined) throw new ConfigError(`worker ${index}: an epoch over its own data started before a data spec arrived`);
      reader = new OwnEpochReader(data.source, own);
    }
    let batches = 0;
    const listener: TrainingListener<Model> = {
      async onIterationEnd(info) {
        batches++;
        scores.push(await info.score());
      },
    };
    const source: BatchSource<AnyBatch> = { batches: () => stream() };
    // The coordinator decides what a non-finite epoch means (onNonFiniteScore); a replica reports it.
    const result = await net.fit(source, { epochs: 1, shuffle: false, listeners: [listener], onNonFiniteScore: 'continue' }).finally(async () => {
      await reader?.close();
      reader = undefined;
    });
    send({ type: 'epoch-done', meanScore: result.meanScores[0] ?? Number.NaN, batches });
  }

  async function snapshot(updaters: boolean): Promise<void> {
    const { net, lay } = replica();
    const state = await lay.read(net, updaters);
    send({ type: 'snapshot', state }, [state.buffer as ArrayBuffer]);
  }

  port.onMessage((message) => {
    if (closed) return;
    switch (message.type) {
      case 'init':
        enqueue('start', () => init(message));
        break;
      case 'load':
        enqueue('train', () => apply(message));
        break;
      case 'data':
        enqueue('train', () => openData(message.spec));
        break;
      case 'epoch':
        enqueue('train', () => epoch(message.own));
        break;
      case 'snapshot':
        enqueue('train', () => snapshot(message.updaters));
        break;
      case 'batch':
      case 'take':
      case 'sync':
      case 'end':
        queue.push(message);
        wake?.();
        break;
      case 'average':
        if (averageWaiter !== undefined) averageWaiter(message);
        else enqueue('train', () => apply(message));
        break;
      case 'stop':
        stopping = true;
        queue.length = 0;
        averageWaiter?.(undefined);
        wake?.();
        break;
    }
  });

  return {
    async close() {
      if (closed) return;
      closed = true;
      stopping = true;
      queue.length = 0;
      averageWaiter?.(undefined);
      wake?.();
      await chain;
      network?.dispose();
      network = undefined;
      data?.source.dispose();
      data = undefined;
    },
  };
}
