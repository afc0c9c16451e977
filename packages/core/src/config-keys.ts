import type { LayerCommonOptions } from './layer';

/**
 * The option names of an options type, as flags the compiler checks against the type: every key
 * of `T` must be listed, and nothing else (object literals get excess-property checks).
 */
export type OptionFlags<T> = { readonly [K in Exclude<keyof Required<T>, 'type'> & string]: true };

/**
 * The option names a component definition declares (`ComponentDefinition.options`), checked by
 * the compiler against the component's options type.
 *
 * @example
 * ```ts
 * options: optionNames<DenseOptions>({ ...LAYER_COMMON_OPTIONS, nOut: true, nIn: true, hasBias: true }),
 * ```
 */
export function optionNames<T extends object>(flags: OptionFlags<T>): readonly string[] {
  return Object.keys(flags);
}

/** Every option of {@link LayerCommonOptions}, to spread into a layer's {@link optionNames}. */
export const LAYER_COMMON_OPTIONS: OptionFlags<LayerCommonOptions> = {
  name: true,
  activation: true,
  weightInit: true,
  biasInit: true,
  l1: true,
  l2: true,
  l1Bias: true,
  l2Bias: true,
  updater: true,
  biasUpdater: true,
  dropout: true,
  weightDecay: true,
  weightDecayBias: true,
  weightDecayApplyLR: true,
  gradientNormalization: true,
  gradientNormalizationThreshold: true,
  frozen: true,
};

/** Options core applies to any layer, declared or not: its name, `frozen`, and dropout on its input. */
export const CORE_LAYER_OPTIONS: readonly string[] = ['name', 'frozen', 'dropout'];

/** Options a layer with trainable parameters takes so that its updater and penalties can be set. */
export const TRAINING_OPTIONS: readonly Exclude<keyof LayerCommonOptions, 'name' | 'frozen'>[] = [
  'l1',
  'l2',
  'l1Bias',
  'l2Bias',
  'updater',
  'biasUpdater',
  'weightDecay',
  'weightDecayBias',
  'weightDecayApplyLR',
  'gradientNormalization',
  'gradientNormalizationThreshold',
];
