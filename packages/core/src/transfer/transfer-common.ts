import * as tf from '@tensorflow/tfjs-core';
import { TRAINING_OPTIONS } from '../config-keys';
import { ConfigError } from '../errors';
import type { LayerCommonOptions } from '../layer';
import type { Model } from '../model';
import type { Registry } from '../registry';
import { rejectUnknownKeys } from '../unknown-keys';

/**
 * DL4J's `FineTuneConfiguration`: training options for the layers that stay trainable after a
 * transfer, overriding what their configs and the defaults said; and the seed of the new model
 * (its new layers' initialisation, shuffling and dropout). Frozen layers are left as they are.
 */
export type FineTuneConfig = Partial<
  Pick<
    LayerCommonOptions,
    'updater' | 'biasUpdater' | 'l1' | 'l2' | 'l1Bias' | 'l2Bias' | 'dropout' | 'weightDecay' | 'weightDecayBias' | 'weightDecayApplyLR' | 'gradientNormalization' | 'gradientNormalizationThreshold'
  >
> & { seed?: number };

const FINE_TUNE_KEYS: readonly string[] = ['seed', 'dropout', ...TRAINING_OPTIONS];

/** Checks a fine-tune config's keys (values are checked with the layers they reach). */
export function checkFineTune(config: FineTuneConfig): void {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) throw new ConfigError(`fineTune: expected an object of training options, received ${JSON.stringify(config)}`);
  rejectUnknownKeys('fineTune', config, FINE_TUNE_KEYS, { frozen: 'freeze layers with setFeatureExtractor', learningRate: 'set the learning rate on the updater: { updater: { type: "updaters/adam", learningRate: 1e-4 } }' });
}

/**
 * A layer config after a transfer: frozen where it is part of the feature extractor; otherwise the
 * fine-tune options it takes (by its definition's options) override its own.
 */
export function transferredLayer<C extends object>(config: C, frozen: boolean, fineTune: FineTuneConfig, registry: Registry): C {
  if (frozen) return withOptions(config, { frozen: true });
  const takes = registry.definition('layer', registry.resolve('layer', config).type).options ?? [];
  return withOptions(config, Object.fromEntries(Object.entries(fineTune).filter(([k, v]) => k !== 'seed' && v !== undefined && takes.includes(k)).map(([k, v]) => [k, structuredClone(v)])));
}

/** A config with some options set or replaced (`undefined` values are left out). */
export function withOptions<C extends object>(config: C, options: Readonly<Record<string, unknown>>): C {
  return { ...config, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
}

/**
 * Copies every parameter of `from` into `to` where `to` has a parameter of the same name and
 * shape and its layer is not in `fresh` (replaced or added layers keep their new initialisation).
 * Returns the names copied.
 */
export function copyParams(from: Model, to: Model, fresh: ReadonlySet<string>): string[] {
  const source = new Set(from.paramNames());
  const copied: string[] = [];
  for (const name of to.paramNames()) {
    const layer = name.slice(0, name.lastIndexOf('/'));
    if (fresh.has(layer) || !source.has(name) || !tf.util.arraysEqual(from.paramShape(name), to.paramShape(name))) continue;
    const value = from.getParam(name);
    to.setParam(name, value);
    value.dispose();
    copied.push(name);
  }
  return copied;
}
