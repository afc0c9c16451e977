import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, LAYER_COMMON_OPTIONS, LAYER_CONTRACT_VERSION, ShapeError, optionNames } from '@dl4ts/core';
import type { Activation, BuildContext, ComponentDefinition, ForwardContext, Layer, LayerCommonOptions, LayerConfigOf, ParamMap, Shape } from '@dl4ts/core';

/** The layer's options: the common ones (activation, weightInit, updater, l2, ...) and its own. */
export interface GainDenseOptions extends LayerCommonOptions {
  /** Number of units. */
  nOut: number;
  /** Initial value of every unit's gain. Default 1. */
  gainInit?: number;
}

// Adds the key to core's config map: `{ type: 'my-plugin/gain-dense', nOut: 'x' }` no longer compiles.
declare module '@dl4ts/core' {
  interface LayerConfigMap {
    'my-plugin/gain-dense': GainDenseOptions;
  }
}

/** What the layer is created from: its options resolved (full key in `type`, a `name`). */
export type GainDenseConfig = LayerConfigOf<GainDenseOptions>;

/** A dense layer with a learned gain per unit: `y = f(g * (x W + b))`. */
export class GainDense implements Layer {
  readonly key = 'my-plugin/gain-dense';
  private activation: Activation | undefined;

  constructor(readonly config: GainDenseConfig) {
    const { nOut, gainInit } = config; // typed: no cast
    const where = `Layer "${config.name}" (my-plugin/gain-dense)`;
    if (!Number.isInteger(nOut) || nOut <= 0) throw new ConfigError(`${where}: nOut must be a positive integer, received ${String(nOut)}`);
    if (gainInit !== undefined && !Number.isFinite(gainInit)) throw new ConfigError(`${where}: gainInit must be a finite number, received ${String(gainInit)}`);
  }

  /** Declares the parameters for this input shape and returns the output shape. */
  build(inputShape: Shape, context: BuildContext): Shape {
    const [nIn, ...rest] = inputShape;
    if (nIn === undefined || rest.length > 0) throw new ShapeError(`Layer "${this.config.name}": input has shape [${inputShape.join(', ')}], expected [nIn]`, inputShape, [-1]);
    const { nOut, weightInit, biasInit = 0, gainInit = 1 } = this.config;
    // A layer applies its own activation: core resolves the configured one (identity if none).
    this.activation = context.activation(this.config.activation);
    const constant = (value: number) => context.weightInit({ type: 'layers/constant', value });
    context.addParam({ name: 'W', shape: [nIn, nOut], role: 'weight', init: context.weightInit(weightInit), fanIn: nIn, fanOut: nOut });
    context.addParam({ name: 'b', shape: [nOut], role: 'bias', init: constant(biasInit), fanIn: nIn, fanOut: nOut });
    context.addParam({ name: 'g', shape: [nOut], role: 'weight', init: constant(gainInit), fanIn: nIn, fanOut: nOut });
    return [nOut];
  }

  /** A pure function of the input and the parameters; core handles memory around it. */
  forward(input: tf.Tensor, params: ParamMap, context: ForwardContext): tf.Tensor {
    const { W, b, g } = params;
    if (this.activation === undefined || W === undefined || b === undefined || g === undefined) throw new ConfigError(`Layer "${this.config.name}" is not built: build it (Network.init) first`);
    return this.activation.apply(tf.mul(tf.add(tf.matMul(input, W), b), g), context);
  }
}

/** The registry entry: key, contract, the options it takes, and how to create it from its typed config. */
export const gainDenseDefinition: ComponentDefinition<'layer', GainDense, GainDenseConfig> = {
  kind: 'layer',
  key: 'my-plugin/gain-dense',
  contractVersion: LAYER_CONTRACT_VERSION,
  provider: 'my-plugin',
  description: 'Dense layer with a learned gain per unit, y = f(g * (xW + b))',
  options: optionNames<GainDenseOptions>({ ...LAYER_COMMON_OPTIONS, nOut: true, gainInit: true }),
  create: (config) => new GainDense(config),
};
