import * as tf from '@tensorflow/tfjs-core';
import packageJson from '../../package.json';
import type { Normalizer } from '../data/normalizer';
import { normalizerFromJSON } from '../data/normalizer-from-json';
import { ArtifactError, Dl4tsError, formatValue } from '../errors';
import { createBuildContext } from '../build-context';
import type { ParamDeclaration } from '../layer';
import { modelOf } from '../built-model';
import { planGraph } from '../graph/build-graph';
import { ComputationGraph } from '../graph/computation-graph';
import type { GraphConfig } from '../graph/graph-config';
import type { Model } from '../model';
import { Network } from '../network';
import { DEFAULT_UPDATER } from '../param-store';
import type { NetworkConfig } from '../network-config';
import { checkNetworkConfig, inputShapeOf, resolveLayerConfig } from '../network-config';
import type { ComponentKind, Registry } from '../registry';
import { defaultRegistry } from '../registry';
import { crc32 } from './crc32';
import type { SafetensorsHeader, SafetensorsLimits, SafetensorsTensor } from './safetensors';
import { encodeSafetensors, readSafetensorsData, readSafetensorsHeader } from './safetensors';

/** `__metadata__.format` of every dl4ts model artifact. */
export const MODEL_FORMAT = 'dl4ts-model';
/** The artifact layout version this core writes; it reads this version only. */
export const MODEL_FORMAT_VERSION = 1;

/** What goes into an artifact beside the network itself. */
export interface SaveModelOptions {
  /** A fitted normaliser, stored with the model so inference applies the same transform. */
  readonly normalizer?: Normalizer | undefined;
}

/** What {@link deserializeModel} returns. */
export interface LoadedModel {
  readonly network: Network;
  /** The normaliser saved with the model, if any. */
  readonly normalizer?: Normalizer | undefined;
  /** The artifact's metadata: format, versions, library, counters. */
  readonly metadata: Readonly<Record<string, string>>;
}

/** What {@link deserializeGraph} returns. */
export interface LoadedGraph {
  readonly graph: ComputationGraph;
  readonly normalizer?: Normalizer | undefined;
  readonly metadata: Readonly<Record<string, string>>;
}

/** `__metadata__.model` of a graph's artifact; a network's has none (the files written before graphs existed). */
const GRAPH_MODEL = 'computation-graph';

/** Options of {@link deserializeModel}. */
export interface LoadModelOptions {
  /** Where component keys resolve. Default: the default registry. */
  readonly registry?: Registry;
  readonly limits?: SafetensorsLimits;
}

const PARAM = 'param/';
const UPDATER = 'updater/';
const STRATEGY = 'strategy/';

/**
 * Writes a network or a graph as one safetensors container: tensors `param/<layer>/<param>` and
 * `updater/<layer>/<param>/<state>` (float32), and `__metadata__` holding the format and its
 * version, the library version, the config JSON (a graph's also `model: "computation-graph"`),
 * the registry key of every component (and the package that provides it, so a loader lacking it
 * can say what to register), the counters, the normaliser, and a CRC-32 over the header and the
 * data. See the README for the layout.
 */
export async function serializeModel(network: Model, options: SaveModelOptions = {}): Promise<Uint8Array> {
  if (typeof (network as Partial<Model> | null)?.paramNames !== 'function') throw new ArtifactError(`serializeModel: expected a Network or ComputationGraph, received ${formatValue(network)}`);
  const tensors = new Map<string, SafetensorsTensor>();
  for (const name of network.paramNames()) {
    const t = network.getParam(name);
    try {
      // A copy: on the cpu backend a float32 tensor cast from a boolean keeps a byte buffer, so the
      // data read back is not always a Float32Array.
      tensors.set(PARAM + name, { dtype: 'F32', shape: t.shape, data: Float32Array.from(await t.data()) });
    } finally {
      t.dispose();
    }
  }
  await addTensors(tensors, UPDATER, network.updaterState());
  const strategyState = network.strategyState();
  await addTensors(tensors, STRATEGY, strategyState?.tensors ?? new Map());
  const metadata: Record<string, string> = {
    format: MODEL_FORMAT,
    formatVersion: String(MODEL_FORMAT_VERSION),
    library: `${packageJson.name}@${packageJson.version}`,
    config: JSON.stringify(network.config),
    components: JSON.stringify(componentKeys(network)),
    counters: JSON.stringify({ iteration: network.iteration, epoch: network.epoch }),
    ...(network instanceof ComputationGraph && { model: GRAPH_MODEL }),
    ...(strategyState !== undefined && { strategyState: JSON.stringify(strategyState.values) }),
  };
  if (options.normalizer !== undefined) metadata.normalizer = JSON.stringify(options.normalizer.toJSON());
  const unsigned = encodeSafetensors(tensors, metadata);
  return encodeSafetensors(tensors, { ...metadata, checksum: checksumOf(unsigned) });
}

/**
 * Reads an artifact written by {@link serializeModel}: validates the container, the checksum, the
 * format version, that every component is registered (naming all missing keys), and that every
 * parameter's name and shape matches what the config declares, all before allocating a tensor.
 * Then builds the network on the active backend and restores parameters, updater state and
 * counters. Every failure is an {@link ArtifactError} (the underlying error, a registry's
 * `UnknownKeyError` or a layer's `ConfigError` for instance, as its `cause`).
 */
export function deserializeModel(bytes: Uint8Array, options: LoadModelOptions = {}): LoadedModel {
  const { model, normalizer, metadata } = wrap(() => readModel(bytes, options, 'network'));
  return { network: model as Network, normalizer, metadata };
}

/** Reads any artifact written by {@link serializeModel}: the network or graph it holds. */
export function deserializeAny(bytes: Uint8Array, options: LoadModelOptions = {}): Model {
  return wrap(() => readModel(bytes, options)).model;
}

/** Reads a graph's artifact written by {@link serializeModel}, validated as {@link deserializeModel} validates a network's. */
export function deserializeGraph(bytes: Uint8Array, options: LoadModelOptions = {}): LoadedGraph {
  const { model, normalizer, metadata } = wrap(() => readModel(bytes, options, 'graph'));
  return { graph: model as ComputationGraph, normalizer, metadata };
}

function checkBytes(bytes: unknown): asserts bytes is Uint8Array {
  if (bytes instanceof Uint8Array) return;
  const received = bytes instanceof ArrayBuffer ? 'an ArrayBuffer (wrap it: new Uint8Array(buffer))' : bytes === null ? 'null' : typeof bytes === 'object' ? `a ${(bytes as object).constructor?.name ?? 'object'}` : typeof bytes;
  throw new ArtifactError(`model artifact: expected the bytes of a model file as a Uint8Array, received ${received}`);
}

function readModel(bytes: Uint8Array, options: LoadModelOptions, wanted?: 'network' | 'graph'): { model: Model; normalizer: Normalizer | undefined; metadata: Readonly<Record<string, string>> } {
  checkBytes(bytes);
  const registry = options.registry ?? defaultRegistry;
  const header = readSafetensorsHeader(bytes, options.limits);
  const { metadata } = header;
  if (metadata.format !== MODEL_FORMAT) throw new ArtifactError(`model artifact: format is ${JSON.stringify(metadata.format)}; expected "${MODEL_FORMAT}" (is this a dl4ts model?)`);
  const { checksum, ...rest } = metadata;
  if (checksum === undefined) throw new ArtifactError('model artifact: no checksum in the metadata; the file is corrupt or was not written by dl4ts');
  const expected = checksumOf(encodeHeaderOnly(bytes, header, rest));
  if (checksum !== expected) throw new ArtifactError(`model artifact: checksum ${checksum} does not match the contents (${expected}); the file is corrupt`);
  if (metadata.formatVersion !== String(MODEL_FORMAT_VERSION)) {
    throw new ArtifactError(`model artifact: format version ${JSON.stringify(metadata.formatVersion)} is not supported; this @dl4ts/core reads version ${MODEL_FORMAT_VERSION}`);
  }
  const holds = metadata.model === undefined ? 'network' : metadata.model === GRAPH_MODEL ? 'graph' : undefined;
  if (holds === undefined) throw new ArtifactError(`model artifact: model ${JSON.stringify(metadata.model)} is not one this @dl4ts/core knows; expected "${GRAPH_MODEL}" or none (a network)`);
  if (wanted !== undefined && holds !== wanted) {
    throw new ArtifactError(holds === 'graph' ? 'model artifact: the file holds a ComputationGraph; load it with deserializeGraph (loadGraph from @dl4ts/core/node)' : 'model artifact: the file holds a Network; load it with deserializeModel (loadModel from @dl4ts/core/node)');
  }
  const config = parseJson<NetworkConfig & GraphConfig>(metadata.config, 'config');
  const counters = parseJson<{ iteration: number; epoch: number }>(metadata.counters, 'counters');
  const validCount = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
  if (typeof counters !== 'object' || counters === null || !validCount(counters.iteration) || !validCount(counters.epoch)) {
    throw new ArtifactError(`model artifact: counters ${JSON.stringify(counters)} must be { iteration, epoch } with non-negative integers`);
  }
  const components = parseJson<ComponentEntry[]>(metadata.components, 'components');
  if (!Array.isArray(components) || !components.every(isComponentEntry)) throw new ArtifactError('model artifact: components must be a list of { kind, key, provider? }');
  const missing = components.filter((c) => !registry.has(c.kind, c.key));
  if (missing.length > 0) throw new ArtifactError(missingComponentsMessage(missing));
  const declared = holds === 'graph' ? graphParams(config, registry) : planParams(config, registry);
  const stored = new Map(header.entries.filter((e) => e.name.startsWith(PARAM)).map((e) => [e.name.slice(PARAM.length), e]));
  for (const [name, shape] of declared) {
    const entry = stored.get(name);
    if (entry === undefined) throw new ArtifactError(`model artifact: parameter "${name}" declared by the config is missing from the file`);
    if (entry.dtype !== 'F32' || entry.shape.join(',') !== shape.join(',')) {
      throw new ArtifactError(`model artifact: parameter "${name}" is ${entry.dtype} [${entry.shape.join(', ')}]; the config declares F32 [${shape.join(', ')}]`);
    }
  }
  const extra = [...stored.keys()].filter((k) => !declared.has(k));
  if (extra.length > 0) throw new ArtifactError(`model artifact: the file holds parameters the config does not declare: ${extra.join(', ')}`);
  const normalizer = metadata.normalizer === undefined ? undefined : normalizerFromJSON(parseJson(metadata.normalizer, 'normalizer'));

  const network: Model = holds === 'graph' ? new ComputationGraph(config, { registry, onWarning: () => undefined }).init() : new Network(config, { registry, onWarning: () => undefined }).init();
  try {
    for (const name of declared.keys()) {
      const { data, shape } = readSafetensorsData(bytes, header, PARAM + name);
      tf.tidy(() => network.setParam(name, tf.tensor(data as Float32Array, [...shape], 'float32')));
    }
    const state = readTensors(bytes, header, UPDATER);
    try {
      network.setUpdaterState(state);
    } finally {
      tf.dispose([...state.values()]);
    }
    network.setCounters(counters);
    if (metadata.strategyState !== undefined) restoreStrategyState(network, bytes, header, parseJson<Record<string, number>>(metadata.strategyState, 'strategyState'));
  } catch (error) {
    network.dispose();
    throw error;
  }
  return { model: network, normalizer, metadata };
}

/** Adds float32 copies of `values` to the container as `<prefix><name>`. */
async function addTensors(tensors: Map<string, SafetensorsTensor>, prefix: string, values: ReadonlyMap<string, tf.Tensor>): Promise<void> {
  for (const [name, t] of values) tensors.set(prefix + name, { dtype: 'F32', shape: t.shape, data: Float32Array.from((await t.data()) as Float32Array) });
}

/** The container's tensors named `<prefix><name>`, by name, as new float32 tensors the caller disposes. */
function readTensors(bytes: Uint8Array, header: SafetensorsHeader, prefix: string): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const e of header.entries.filter((x) => x.name.startsWith(prefix))) {
    const { data, shape } = readSafetensorsData(bytes, header, e.name);
    out.set(e.name.slice(prefix.length), tf.tensor(data as Float32Array, [...shape], 'float32'));
  }
  return out;
}

/** Gives the model's strategy the history stored with it (`strategy/<name>` tensors, `strategyState` numbers). */
function restoreStrategyState(network: Model, bytes: Uint8Array, header: SafetensorsHeader, values: Record<string, number>): void {
  if (typeof values !== 'object' || values === null || !Object.values(values).every((v) => typeof v === 'number')) {
    throw new ArtifactError(`model artifact: strategyState ${JSON.stringify(values)} must be an object of numbers`);
  }
  const tensors = readTensors(bytes, header, STRATEGY);
  try {
    network.setStrategyState({ values, tensors });
  } finally {
    tf.dispose([...tensors.values()]);
  }
}

/** One component an artifact needs: its kind, full key and, where known, the package providing it. */
interface ComponentEntry {
  kind: ComponentKind;
  key: string;
  provider?: string;
}

/** npm package names only: the provider is shown in messages, and the file is not trusted. */
const PACKAGE_NAME = /^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i;

function isComponentEntry(value: unknown): value is ComponentEntry {
  if (value === null || typeof value !== 'object') return false;
  const { kind, key, provider } = value as Record<string, unknown>;
  return typeof kind === 'string' && typeof key === 'string' && (provider === undefined || typeof provider === 'string');
}

/**
 * Names every missing component at once, grouped by the package recorded as providing it (or by
 * key namespace for components saved without one), so one failed load tells the user every
 * plugin to register.
 */
function missingComponentsMessage(missing: readonly ComponentEntry[]): string {
  const groups = new Map<string, string[]>();
  for (const c of missing) {
    const provider = c.provider !== undefined && PACKAGE_NAME.test(c.provider) && c.provider.length <= 214 ? c.provider : undefined;
    const namespace = c.key.includes('/') ? c.key.slice(0, c.key.indexOf('/')) : c.key;
    const group = provider !== undefined ? `${provider} provides` : `no provider recorded for "${namespace}/*"`;
    groups.set(group, [...(groups.get(group) ?? []), `${c.kind} ${c.key}`]);
  }
  const sources = [...groups].map(([group, entries]) => `${group}: ${entries.join(', ')}`).join('; ');
  return (
    `model artifact: the registry lacks ${missing.map((c) => `${c.kind} ${c.key}`).join(', ')} (${missing.length} missing). ` +
    `${sources}. Register the same plugins as the process that saved the model (e.g. registerLayers(registry), registry.use(plugin)) before loading`
  );
}

/** Every registry key a network or graph uses, by kind, with its provider, for the loader's missing-plugin check. */
function componentKeys(network: Model): ComponentEntry[] {
  const found = new Map<string, ComponentEntry>();
  const add = (kind: ComponentKind, ref: unknown) => {
    if (ref === undefined) return;
    const key = network.registry.resolve(kind, ref).type;
    const { provider } = network.registry.definition(kind, key);
    found.set(`${kind} ${key}`, provider === undefined ? { kind, key } : { kind, key, provider });
  };
  const refKinds: [string, ComponentKind][] = [
    ['activation', 'activation'],
    ['weightInit', 'weightInit'],
    ['loss', 'loss'],
    ['updater', 'updater'],
    ['biasUpdater', 'updater'],
  ];
  for (const layer of network.layers) {
    add('layer', layer.config.type);
    for (const [field, kind] of refKinds) add(kind, (layer.config as Record<string, unknown>)[field]);
    // A trainable layer that names no updater trains with core's default, which a loader needs too.
    if (layer.config.updater === undefined && network.numParams(layer.config.name) > 0) add('updater', DEFAULT_UPDATER);
  }
  for (const node of modelOf(network)?.nodes ?? []) if (node.vertex !== undefined) add('vertex', node.vertex.key);
  const { strategy } = network.config as { strategy?: unknown };
  if (strategy !== undefined) add('strategy', strategy);
  return [...found.values()];
}

/** Parameter names and shapes a graph's config declares, from its plan (no tensor allocated). */
function graphParams(config: GraphConfig, registry: Registry): Map<string, number[]> {
  const params = new Map<string, number[]>();
  for (const node of planGraph(config, registry).nodes) for (const d of node.declarations) params.set(`${node.name}/${d.name}`, [...d.shape]);
  return params;
}

/** Parameter names and shapes a config declares, computed without allocating any tensor. */
function planParams(config: NetworkConfig, registry: Registry): Map<string, number[]> {
  if (config === null || typeof config !== 'object' || !Array.isArray(config.layers)) throw new ArtifactError('model artifact: config has no layers list');
  const params = new Map<string, number[]>();
  checkNetworkConfig(config);
  let shape: readonly number[] = inputShapeOf(config);
  config.layers.forEach((raw, index) => {
    const resolved = resolveLayerConfig(registry, config.defaults, raw, index);
    const layer = registry.definition('layer', resolved.type).create(resolved);
    const declarations: ParamDeclaration[] = [];
    shape = layer.build(shape, createBuildContext(registry, declarations));
    for (const d of declarations) params.set(`${resolved.name}/${d.name}`, [...d.shape]);
  });
  return params;
}

function parseJson<T>(text: string | undefined, field: string): T {
  if (text === undefined) throw new ArtifactError(`model artifact: metadata lacks "${field}"`);
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new ArtifactError(`model artifact: metadata "${field}" is not valid JSON`, { cause: error });
  }
}

/**
 * Re-raises any error from reading an artifact as an {@link ArtifactError}, keeping the cause: a
 * file's contents are not trusted, so a value that a component rejects, or that fails deeper (a
 * `RangeError` from a seed that is not a number), is the artifact's fault.
 */
function wrap<T>(f: () => T): T {
  try {
    return f();
  } catch (error) {
    if (error instanceof ArtifactError) throw error;
    const message = error instanceof Dl4tsError ? error.message : `${error instanceof Error ? error.name : 'error'}: ${error instanceof Error ? error.message : String(error)}`;
    throw new ArtifactError(`model artifact: ${message}`, { cause: error });
  }
}

/** The container as it was before the checksum was added: same tensors, metadata without it. */
function encodeHeaderOnly(bytes: Uint8Array, header: ReturnType<typeof readSafetensorsHeader>, metadata: Record<string, string>): Uint8Array {
  const tensors = new Map<string, SafetensorsTensor>();
  for (const e of header.entries) tensors.set(e.name, readSafetensorsData(bytes, header, e.name));
  return encodeSafetensors(tensors, metadata);
}

function checksumOf(bytes: Uint8Array): string {
  return `crc32:${crc32(bytes).toString(16).padStart(8, '0')}`;
}
