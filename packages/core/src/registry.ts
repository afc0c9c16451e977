import type { Activation } from './activation';
import { corePlugin } from './core-plugin';
import type { Layer } from './layer';
import type { Loss } from './loss';
import type { TrainingStrategy } from './training-strategy';
import type { Updater } from './updater';
import type { Vertex } from './graph/vertex';
import type { WeightInit } from './weight-init';
import { rejectUnknownKeys } from './unknown-keys';
import { ConfigError, ContractVersionError, DuplicateKeyError, UnknownKeyError } from './errors';

/**
 * Config maps, one per component kind: registry key -> options (without `type`).
 * They are empty here; each package that provides components adds its keys through declaration
 * merging, so a plugin's config is type-checked exactly like a built-in one.
 *
 * @example
 * ```ts
 * declare module '@dl4ts/core' {
 *   interface LayerConfigMap { 'my-plugin/gated-unit': { nOut: number; gate?: 'sigmoid' | 'tanh' } }
 * }
 * ```
 */
/* eslint-disable @typescript-eslint/no-empty-object-type -- these interfaces exist to be augmented */
export interface LayerConfigMap {}
export interface ActivationConfigMap {
  'core/identity': {};
}
export interface LossConfigMap {}
export interface UpdaterConfigMap {
  'core/sgd': { learningRate?: number };
}
export interface WeightInitConfigMap {
  'core/xavier': {};
}
export interface StrategyConfigMap {
  'core/backprop': {};
}
/** Graph vertices (besides layers): key -> options, without `type`, `name` and `inputs`. */
export interface VertexConfigMap {
  'core/merge': {};
  'core/elementwise': { op: 'add' | 'subtract' | 'product' | 'average' | 'max' };
  'core/subset': { from: number; to: number };
  'core/stack': {};
  'core/unstack': { from: number; stackSize: number };
  'core/scale': { scale: number };
  'core/shift': { shift: number };
  'core/l2': { eps?: number };
  'core/l2-normalize': { eps?: number };
  'core/reshape': { shape: number[] };
  'core/last-time-step': {};
  'core/duplicate-to-time-series': {};
  'core/reverse-time-series': {};
}
/* eslint-enable @typescript-eslint/no-empty-object-type */

/** The component kinds the registry knows, each with its config map. */
export interface ConfigMaps {
  layer: LayerConfigMap;
  activation: ActivationConfigMap;
  loss: LossConfigMap;
  updater: UpdaterConfigMap;
  weightInit: WeightInitConfigMap;
  strategy: StrategyConfigMap;
  vertex: VertexConfigMap;
}

export type ComponentKind = keyof ConfigMaps;

/** What the registry creates for each kind: the contract its components implement. */
export interface ComponentInstances {
  layer: Layer;
  activation: Activation;
  loss: Loss;
  updater: Updater;
  weightInit: WeightInit;
  strategy: TrainingStrategy;
  vertex: Vertex;
}

/** Contract versions this core accepts, per kind. A plugin declares the version it implements. */
export const CONTRACT_VERSIONS: Readonly<Record<ComponentKind, readonly number[]>> = {
  layer: [1],
  activation: [1],
  loss: [1],
  updater: [1],
  weightInit: [1],
  strategy: [1],
  vertex: [1],
};

/** Registered keys of one kind, e.g. `'layers/dense'`. */
export type KeyOf<K extends ComponentKind> = Extract<keyof ConfigMaps[K], string>;

/** `'layers/leaky-relu'` -> `'leaky-relu'`. */
export type ShortName<Key> = Key extends `${string}/${infer N}` ? N : never;
type Snake<S extends string> = S extends `${infer A}-${infer B}` ? `${A}_${Snake<B>}` : S;
/** Accepted spellings of a key: full key, short name, or DL4J's upper-case name (`LEAKY_RELU`). */
export type KeySpelling<Key extends string> = Key | ShortName<Key> | Uppercase<Snake<ShortName<Key>>>;

/** A config object of one kind: `{ type: key, ...options }`, discriminated by `type`. */
export type ComponentConfig<K extends ComponentKind, Key extends KeyOf<K> = KeyOf<K>> = Key extends unknown
  ? { type: KeySpelling<Key> } & ConfigMaps[K][Key]
  : never;

/** A reference to a component: its key (any accepted spelling) or a full config object. */
export type ComponentRef<K extends ComponentKind> = KeySpelling<KeyOf<K>> | ComponentConfig<K>;

/** A component config after resolution: the full registry key and the options. */
export interface ResolvedConfig {
  type: string;
  [option: string]: unknown;
}

/**
 * What a package registers for one key. `Config` is the resolved config `create` receives, typed
 * by the component's options (`LayerConfigOf<DenseOptions>`), so a component reads its own
 * options without casts; the registry calls `create` with the config it resolved and checked
 * against `options`, and the component still validates the values.
 */
export interface ComponentDefinition<K extends ComponentKind = ComponentKind, Instance = unknown, Config extends ResolvedConfig = ResolvedConfig> {
  readonly kind: K;
  /** Namespaced key, `namespace/name` in lower-case kebab case. */
  readonly key: string;
  /** The contract version this definition implements (see {@link CONTRACT_VERSIONS}). */
  readonly contractVersion: number;
  /** The npm package that provides it, for error messages. */
  readonly provider?: string;
  /** One line of what it is, shown in listings. */
  readonly description?: string;
  /**
   * The option names the component takes besides `type`; any other key in a config is rejected
   * with a {@link ConfigError} suggesting the closest name. Required for layers, where it also
   * decides which network `defaults` the layer receives: list the layer's own options and the
   * common ones it uses (`optionNames<MyOptions>({ ...LAYER_COMMON_OPTIONS, nOut: true })`).
   * Other kinds may declare it, or check their options themselves.
   */
  readonly options?: readonly string[];
  /** Builds an instance from a resolved config (full key in `type`). */
  create(config: Config): Instance;
}

/** A named set of definitions, installed with {@link Registry.use}. */
export interface Plugin {
  readonly name: string;
  readonly definitions: readonly ComponentDefinition[];
}

const KEY_PATTERN = /^[a-z0-9][a-z0-9-]*(\/[a-z0-9][a-z0-9-]*)+$/;

/** Namespaces of first-party packages: an unknown key in one of them names the package to add. */
const KNOWN_PROVIDERS: Readonly<Record<string, { pkg: string; call: string }>> = {
  layers: { pkg: '@dl4ts/layers', call: 'registerLayers(registry)' },
  losses: { pkg: '@dl4ts/losses', call: 'registerLosses(registry)' },
  updaters: { pkg: '@dl4ts/updaters', call: 'registerUpdaters(registry)' },
  rbm: { pkg: '@dl4ts/rbm', call: 'registerRbm(registry)' },
  rnn: { pkg: '@dl4ts/rnn', call: 'registerRnn(registry)' },
};

/** Folds the spellings of a short name together: `LEAKY_RELU`, `leaky-relu` and `leakyrelu` match. */
function foldName(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

/**
 * Maps namespaced keys to component definitions, one table per kind.
 *
 * Registering a key twice throws; resolving an unknown key throws an {@link UnknownKeyError} that
 * lists the known keys. Nothing registers itself on import: packages export a `register*` call.
 *
 * @example
 * ```ts
 * const registry = new Registry();
 * registerLayers(registry);
 * registry.create('activation', 'relu');
 * ```
 */
export class Registry {
  private readonly tables = new Map<ComponentKind, Map<string, ComponentDefinition>>();
  private readonly plugins = new Set<string>();

  /**
   * An empty registry apart from core's own components (`core/backprop`), which every registry
   * holds so that a config naming them needs no registration call.
   */
  constructor() {
    this.use(corePlugin);
  }

  /** Adds one definition. Throws {@link DuplicateKeyError} if its key is taken. */
  register(definition: ComponentDefinition): void {
    const { kind, key, contractVersion } = definition;
    const supported = CONTRACT_VERSIONS[kind];
    if (supported === undefined) {
      throw new ConfigError(`Cannot register "${key}": unknown component kind "${String(kind)}", expected one of ${Object.keys(CONTRACT_VERSIONS).join(', ')}`);
    }
    if (!KEY_PATTERN.test(key)) {
      throw new ConfigError(`Cannot register ${kind} "${key}": keys are namespaced lower-case kebab case, like "my-plugin/gated-unit"`);
    }
    if (!supported.includes(contractVersion)) {
      throw new ContractVersionError(
        `Cannot register ${kind} "${key}": it implements ${kind} contract version ${contractVersion}, this @dl4ts/core supports ${supported.join(', ')}`,
      );
    }
    if (kind === 'layer' && !Array.isArray(definition.options)) {
      throw new ConfigError(
        `Cannot register layer "${key}": a layer definition declares the options it takes (options: optionNames<MyOptions>({ ...LAYER_COMMON_OPTIONS, nOut: true })), so that misspelled keys are rejected and it receives only the network defaults it uses`,
      );
    }
    const table = this.table(kind);
    const existing = table.get(key);
    if (existing !== undefined) {
      const from = existing.provider ? ` (registered by ${existing.provider})` : '';
      throw new DuplicateKeyError(`${kind} "${key}" is already registered${from}; use another namespace for your plugin`, key);
    }
    table.set(key, definition);
  }

  /**
   * Installs a plugin's definitions. Installing the same plugin name again is a no-op, so that
   * several modules may each make sure a package is registered.
   */
  use(plugin: Plugin): this {
    if (this.plugins.has(plugin.name)) return this;
    for (const definition of plugin.definitions) this.register(definition);
    this.plugins.add(plugin.name);
    return this;
  }

  /** Whether a plugin of that name was installed. */
  hasPlugin(name: string): boolean {
    return this.plugins.has(name);
  }

  /** Whether a key (any accepted spelling) resolves for that kind. */
  has(kind: ComponentKind, key: string): boolean {
    return this.lookup(kind, key) !== undefined;
  }

  /** All registered keys of a kind, sorted. */
  keys(kind: ComponentKind): string[] {
    return [...this.table(kind).keys()].sort();
  }

  /** The definition for a key; throws {@link UnknownKeyError} listing the known keys. */
  definition<K extends ComponentKind>(kind: K, key: string): ComponentDefinition<K, ComponentInstances[K]> {
    const found = this.lookup(kind, key);
    // The table of a kind holds only definitions registered under that kind.
    if (found !== undefined) return found as ComponentDefinition<K, ComponentInstances[K]>;
    throw this.unknown(kind, key);
  }

  /** Normalises a reference (key or config object) to `{ type: fullKey, ...options }`. */
  resolve(kind: ComponentKind, ref: unknown): ResolvedConfig {
    if (typeof ref === 'string') return { type: this.definition(kind, ref).key };
    if (ref !== null && typeof ref === 'object' && !Array.isArray(ref) && typeof (ref as { type?: unknown }).type === 'string') {
      const config = ref as ResolvedConfig;
      const definition = this.definition(kind, config.type);
      // Layers and vertices are checked by the model, which names them in its message.
      if (definition.options !== undefined && kind !== 'layer' && kind !== 'vertex') rejectUnknownKeys(`${kind} "${definition.key}"`, config, definition.options);
      return { ...config, type: definition.key };
    }
    throw new ConfigError(`Expected a ${kind} key or a { type: string } config object, received ${describe(ref)}`);
  }

  /**
   * Resolves a reference and creates the component, typed by its kind's contract:
   * `registry.create('activation', 'relu')` is an `Activation`.
   */
  create<K extends ComponentKind>(kind: K, ref: unknown): ComponentInstances[K] {
    const config = this.resolve(kind, ref);
    return this.definition(kind, config.type).create(config);
  }

  private table(kind: ComponentKind): Map<string, ComponentDefinition> {
    let table = this.tables.get(kind);
    if (table === undefined) {
      table = new Map();
      this.tables.set(kind, table);
    }
    return table;
  }

  private lookup(kind: ComponentKind, key: string): ComponentDefinition | undefined {
    const table = this.table(kind);
    const exact = table.get(key);
    if (exact !== undefined || key.includes('/')) return exact;
    const folded = foldName(key);
    let matches = [...table.values()].filter((d) => foldName(d.key.slice(d.key.lastIndexOf('/') + 1)) === folded);
    // Core's own defaults are fallbacks: a package's component of the same short name wins.
    if (matches.length > 1) matches = matches.filter((d) => !d.key.startsWith('core/'));
    if (matches.length > 1) {
      throw new ConfigError(`${kind} name "${key}" is ambiguous: it matches ${matches.map((d) => `"${d.key}"`).join(', ')}; use the full key`);
    }
    return matches[0];
  }

  private unknown(kind: ComponentKind, key: string): UnknownKeyError {
    const known = this.keys(kind);
    const namespace = key.includes('/') ? key.slice(0, key.indexOf('/')) : undefined;
    const provider = namespace !== undefined ? KNOWN_PROVIDERS[namespace] : undefined;
    const hint =
      provider !== undefined
        ? ` "${namespace}/*" keys come from ${provider.pkg}: install it and call ${provider.call}.`
        : ' Register the package that provides it first (for built-ins: registerLayers, registerLosses, registerUpdaters from their packages).';
    const list = known.length > 0 ? `Known ${kind} keys: ${known.join(', ')}.` : `No ${kind} is registered yet.`;
    return new UnknownKeyError(`Unknown ${kind} "${key}". ${list}${hint}`, key, known);
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `an object without a string "type" (keys: ${Object.keys(value).join(', ') || 'none'})`;
  return `${typeof value} ${String(value)}`;
}

/** The registry used when none is passed explicitly. */
export const defaultRegistry: Registry = new Registry();
