import { CORE_LAYER_OPTIONS, TRAINING_OPTIONS } from './config-keys';
import { rejectUnknownKeys } from './unknown-keys';
import { ConfigError, formatValue } from './errors';
import type { LayerCommonOptions, ResolvedLayerConfig, Shape } from './layer';
import type { ComponentConfig, ComponentRef, Registry, ResolvedConfig } from './registry';

/** Any registered layer config: `{ type: 'layers/dense', nOut: 10, ... }`. */
export type LayerConfig = ComponentConfig<'layer'>;

/** Defaults applied to every layer that uses the option and does not set it. */
export type LayerDefaults = Omit<LayerCommonOptions, 'name' | 'frozen'>;

/**
 * A multilayer network as plain, JSON-compatible data: global `defaults`, overridden per layer
 * (as DL4J's configuration builder does).
 *
 * @example
 * ```ts
 * const config: NetworkConfig = {
 *   seed: 42,
 *   input: 784,
 *   defaults: { weightInit: 'relu', activation: 'relu', updater: { type: 'updaters/nesterovs', learningRate: 0.006 }, l2: 1e-4 },
 *   layers: [
 *     { type: 'layers/dense', nOut: 1000 },
 *     { type: 'layers/output', nOut: 10, activation: 'softmax', loss: 'mcxent', weightInit: 'xavier' },
 *   ],
 * };
 * ```
 */
export interface NetworkConfig {
  /** Seed for weights, shuffling, dropout and stochastic layers. Default 12345 (DL4J's). */
  seed?: number;
  /**
   * Shape of one example, without the batch dimension: `784`, or `[time, features]` for
   * sequences. `null` marks a dimension of any size (not the last): `[null, 3]` takes sequences of
   * any length, as truncated BPTT's segments and stateful stepping need.
   */
  input: number | (number | null)[];
  defaults?: LayerDefaults;
  layers: LayerConfig[];
  /** How a minibatch becomes an update. Default: standard backprop (`core/backprop`). */
  strategy?: ComponentRef<'strategy'>;
  /**
   * DL4J's name for the strategy, as an alternative to `strategy`: `STOCHASTIC_GRADIENT_DESCENT`
   * (backprop with the updaters, the default), or `LINE_GRADIENT_DESCENT`, `CONJUGATE_GRADIENT`,
   * `LBFGS`, `HESSIAN_FREE` (from `@dl4ts/updaters`), resolved through the registry with default
   * options. Setting both is an error.
   */
  optimizationAlgo?: string;
}

/** The options `defaults` may set: what a layer initialises and applies, and the training options. */
const DEFAULTABLE: readonly (keyof LayerDefaults)[] = ['activation', 'weightInit', 'biasInit', 'dropout', ...TRAINING_OPTIONS];

const GRADIENT_NORMALIZATIONS: readonly string[] = [
  'none',
  'renormalizeL2PerLayer',
  'renormalizeL2PerParamType',
  'clipElementWiseAbsoluteValue',
  'clipL2PerLayer',
  'clipL2PerParamType',
];

/** The keys of a {@link NetworkConfig}. */
const NETWORK_KEYS: readonly (keyof NetworkConfig)[] = ['seed', 'input', 'defaults', 'layers', 'strategy', 'optimizationAlgo'];

const FIT_HINT = 'epochs, batchSize, shuffle and listeners are options of fit: net.fit(data, { epochs: 10, batchSize: 32 })';
const LAYER_HINT = 'layer options go on a layer, or in defaults to apply to every layer that takes them';
/** Keys users put at the top level that belong elsewhere. */
const NETWORK_KEY_HINTS: Readonly<Record<string, string>> = {
  ...Object.fromEntries(['epochs', 'batchSize', 'shuffle', 'listeners'].map((k) => [k, FIT_HINT])),
  ...Object.fromEntries([...DEFAULTABLE, 'learningRate'].map((k) => [k, LAYER_HINT])),
};

/**
 * Rejects keys a network config does not have, at the top level and in `defaults`, suggesting the
 * closest known key, and a seed that is not an integer.
 */
export function checkNetworkConfig(config: NetworkConfig): void {
  rejectUnknownKeys('Network config', config, NETWORK_KEYS, NETWORK_KEY_HINTS);
  checkSeed('Network', config.seed);
  checkDefaults('Network', config.defaults);
}

/** A seed must be an integer; a {@link ConfigError} naming the model otherwise. */
export function checkSeed(owner: string, seed: unknown): void {
  if (seed !== undefined && !Number.isSafeInteger(seed)) throw new ConfigError(`${owner}: seed must be an integer, received ${formatValue(seed)}`);
}

/** `defaults` must be an object of the options a layer may take from them. */
export function checkDefaults(owner: string, defaults: unknown): void {
  if (defaults === undefined) return;
  if (defaults === null || typeof defaults !== 'object' || Array.isArray(defaults)) throw new ConfigError(`${owner}: defaults must be an object of layer options, received ${JSON.stringify(defaults)}`);
  rejectUnknownKeys(`${owner} defaults`, defaults, DEFAULTABLE, { name: 'name is per layer, not a default', frozen: 'frozen is per layer, not a default' });
}

/** DL4J's default seed. */
export const DEFAULT_SEED = 12345;

/** The input shape of a config, checked; a free dimension (`null`) becomes -1. */
export function inputShapeOf(config: NetworkConfig): Shape {
  return parseInputShape(config.input, 'Network: input');
}

/** An input shape as configured (`784`, `[28, 28, 1]`, `[null, 3]`), checked; a free dimension (`null`) becomes -1. */
export function parseInputShape(input: unknown, what: string): Shape {
  const raw: unknown[] = typeof input === 'number' ? [input] : Array.isArray(input) ? [...input] : [];
  const fixed = (d: unknown) => typeof d === 'number' && Number.isInteger(d) && d > 0;
  if (raw.length === 0 || raw.some((d) => d !== null && !fixed(d)) || !fixed(raw[raw.length - 1] ?? null)) {
    throw new ConfigError(`${what} must be a positive integer or a shape of positive integers (null for a free dimension other than the last, e.g. [null, 3]), received ${formatValue(input)}`);
  }
  return raw.map((d) => (d === null ? -1 : (d as number)));
}

/** Option names Deeplearning4j users bring along, and the dl4ts name each one is. */
const DL4J_SPELLINGS: Readonly<Record<string, string>> = { lossFunction: 'loss', lossFn: 'loss', dropOut: 'dropout', iUpdater: 'updater', activationFunction: 'activation', weightInitFn: 'weightInit' };

/** Hints for the DL4J spellings of the options a layer takes. */
function dl4jHints(takes: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(DL4J_SPELLINGS).filter(([, ours]) => takes.includes(ours)).map(([theirs, ours]) => [theirs, `Deeplearning4j's "${theirs}" is "${ours}" in dl4ts.`]));
}

/**
 * Resolves a layer's `type` through the registry, fills unset options from the network defaults,
 * names it, and checks the common numeric options.
 */
export function resolveLayerConfig(registry: Registry, defaults: LayerDefaults | undefined, raw: LayerConfig | Readonly<Record<string, unknown>>, index: number): ResolvedLayerConfig {
  const resolved = registry.resolve('layer', raw);
  const takes = [...new Set([...(registry.definition('layer', resolved.type).options ?? []), ...CORE_LAYER_OPTIONS])];
  const shortName = resolved.type.slice(resolved.type.lastIndexOf('/') + 1);
  const name = resolved.name ?? `${shortName}_${index}`;
  const where = `Layer ${index} "${String(name)}" (${resolved.type})`;
  rejectUnknownKeys(where, resolved, takes, dl4jHints(takes));
  const merged: Record<string, unknown> = { ...resolved, name };
  // A layer receives the defaults it declares that it takes, and no others.
  for (const key of DEFAULTABLE) {
    const value = defaults?.[key];
    if (merged[key] === undefined && value !== undefined && takes.includes(key)) merged[key] = structuredClone(value);
  }
  if (typeof merged.name !== 'string' || merged.name.length === 0 || merged.name.includes('/')) {
    throw new ConfigError(`${where}: name must be a non-empty string without "/", received ${JSON.stringify(merged.name)}`);
  }
  const mode = merged.gradientNormalization;
  if (mode !== undefined) {
    // DL4J's enum spelling (RenormalizeL2PerLayer, CLIP_L2_PER_LAYER) folds to the camel-case name.
    const folded = typeof mode === 'string' ? GRADIENT_NORMALIZATIONS.find((m) => m.toLowerCase() === mode.replace(/_/g, '').toLowerCase()) : undefined;
    if (folded === undefined) throw new ConfigError(`${where}: unknown gradientNormalization ${JSON.stringify(mode)}; expected one of ${GRADIENT_NORMALIZATIONS.join(', ')}`);
    merged.gradientNormalization = folded;
  }
  const threshold = merged.gradientNormalizationThreshold;
  if (threshold !== undefined && (typeof threshold !== 'number' || !Number.isFinite(threshold) || threshold <= 0)) {
    throw new ConfigError(`${where}: gradientNormalizationThreshold must be a positive finite number, received ${formatValue(threshold)}`);
  }
  if (merged.frozen !== undefined && typeof merged.frozen !== 'boolean') {
    throw new ConfigError(`${where}: frozen must be a boolean, received ${formatValue(merged.frozen)}`);
  }
  if (merged.weightDecayApplyLR !== undefined && typeof merged.weightDecayApplyLR !== 'boolean') {
    throw new ConfigError(`${where}: weightDecayApplyLR must be a boolean, received ${formatValue(merged.weightDecayApplyLR)}`);
  }
  for (const key of ['l1', 'l2', 'l1Bias', 'l2Bias', 'weightDecay', 'weightDecayBias'] as const) {
    const v = merged[key];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) {
      throw new ConfigError(`${where}: ${key} must be a finite number >= 0, received ${formatValue(v)}`);
    }
  }
  const dropout = merged.dropout;
  if (dropout !== undefined && (typeof dropout !== 'number' || !(dropout > 0 && dropout <= 1))) {
    throw new ConfigError(`${where}: dropout is the probability of retaining an input, expected a number in (0, 1], received ${formatValue(dropout)}`);
  }
  return merged as ResolvedConfig as ResolvedLayerConfig;
}

/** `strategy`, or the DL4J `optimizationAlgo` it stands for; undefined means backprop. */
export function strategyRefOf(config: Pick<NetworkConfig, 'strategy' | 'optimizationAlgo'>): NetworkConfig['strategy'] {
  const { strategy, optimizationAlgo } = config;
  if (optimizationAlgo === undefined) return strategy;
  if (strategy !== undefined) throw new ConfigError('Network: set either strategy or optimizationAlgo (its DL4J name), not both');
  if (typeof optimizationAlgo !== 'string') throw new ConfigError(`Network: optimizationAlgo must be a string such as "LBFGS", received ${JSON.stringify(optimizationAlgo)}`);
  const folded = optimizationAlgo.toLowerCase().replace(/[-_]/g, '');
  return folded === 'stochasticgradientdescent' || folded === 'backprop' ? undefined : (optimizationAlgo as NetworkConfig['strategy']);
}

/** Output activation and loss pairs that train badly, as DL4J warns about them. */
export function activationLossWarning(layerName: string, activationKey: string, lossKey: string): string | undefined {
  const act = activationKey.slice(activationKey.lastIndexOf('/') + 1);
  const loss = lossKey.slice(lossKey.lastIndexOf('/') + 1);
  if (act === 'softmax' && loss === 'xent') {
    return `Output layer "${layerName}": softmax with XENT (binary cross-entropy) treats classes as independent; use MCXENT with softmax, or sigmoid with XENT`;
  }
  if (act === 'softmax' && (loss === 'mse' || loss === 'l2' || loss === 'squared-loss')) {
    return `Output layer "${layerName}": softmax with ${loss.toUpperCase()} learns slowly (its gradient vanishes as the outputs saturate, and it does not score probabilities); use MCXENT with softmax for classification, or identity with MSE for regression`;
  }
  if (act === 'sigmoid' && (loss === 'mcxent' || loss === 'negativeloglikelihood' || loss === 'sparse-mcxent')) {
    return `Output layer "${layerName}": sigmoid with ${loss.toUpperCase()} does not normalise over classes; use softmax with ${loss.toUpperCase()}, or XENT with sigmoid`;
  }
  return undefined;
}
