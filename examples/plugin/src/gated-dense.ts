import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, LAYER_COMMON_OPTIONS, LAYER_CONTRACT_VERSION, ShapeError, formatShape, optionNames } from '@dl4ts/core';
import type { Activation, BuildContext, ComponentDefinition, ForwardContext, Layer, LayerCommonOptions, ParamMap, LayerConfigOf, Shape } from '@dl4ts/core';
import { shown } from './options';

/** Options of `example/gated-dense`. */
export interface GatedDenseOptions extends LayerCommonOptions {
  /** Number of units. */
  nOut: number;
  /** Number of inputs; inferred from the previous layer when omitted, checked when given. */
  nIn?: number;
  /**
   * Initial value of every gate bias `c`. Default 0, so every gate starts half open; a positive
   * value starts the layer closer to a plain dense layer.
   */
  gateBiasInit?: number;
}

declare module '@dl4ts/core' {
  interface LayerConfigMap {
    'example/gated-dense': GatedDenseOptions;
  }
}

/** Registry key of {@link GatedDense}. */
export const GATED_DENSE = 'example/gated-dense';

/**
 * Gated dense layer (a gated linear unit): `y = f((x W + b) * sigmoid(x V + c))`. Each unit's
 * value path `x W + b` is scaled by its own learned gate in (0, 1).
 *
 * Parameters: `W` and `V` `[nIn, nOut]` (filled by `weightInit`, from the network's seeded
 * generator, `W` first), `b` and `c` `[nOut]` (constants `biasInit`, default 0, and
 * `gateBiasInit`). Uses `layers/constant` for the biases, so `@dl4ts/layers` must be registered
 * too (as for any network: its output layer comes from there).
 *
 * @example
 * ```ts
 * { type: 'example/gated-dense', nOut: 16, activation: { type: 'example/beta-swish', beta: 1.5 }, weightInit: 'xavier' }
 * ```
 */
export class GatedDense implements Layer {
  readonly key = GATED_DENSE;
  private activation: Activation | undefined;

  constructor(readonly config: LayerConfigOf<GatedDenseOptions>) {
    const { nOut, nIn, gateBiasInit } = config;
    const where = `Layer "${config.name}" (${GATED_DENSE})`;
    if (!Number.isInteger(nOut) || nOut <= 0) throw new ConfigError(`${where}: nOut must be a positive integer, received ${shown(nOut)}`);
    if (nIn !== undefined && (!Number.isInteger(nIn) || nIn <= 0)) throw new ConfigError(`${where}: nIn must be a positive integer when given, received ${shown(nIn)}`);
    if (gateBiasInit !== undefined && (typeof gateBiasInit !== 'number' || !Number.isFinite(gateBiasInit))) {
      throw new ConfigError(`${where}: gateBiasInit must be a finite number, received ${shown(gateBiasInit)}`);
    }
  }

  build(inputShape: Shape, context: BuildContext): Shape {
    const options = this.config;
    const where = `Layer "${this.config.name}" (${GATED_DENSE})`;
    if (inputShape.length !== 1) {
      throw new ShapeError(`${where}: input has shape ${formatShape(inputShape)} per example, expected a flat vector [nIn]`, inputShape, [options.nIn ?? -1]);
    }
    const nIn = inputShape[0] as number;
    if (options.nIn !== undefined && options.nIn !== nIn) throw new ShapeError(`${where}: input has ${nIn} features, expected nIn=${options.nIn}`, [nIn], [options.nIn]);
    const { nOut } = options;
    this.activation = context.activation(options.activation);
    const weights = context.weightInit(options.weightInit);
    const constant = (value: number) => context.weightInit({ type: 'layers/constant', value });
    // Declaration order is initialisation order: W, b, V, c draw from the seeded stream in turn.
    context.addParam({ name: 'W', shape: [nIn, nOut], role: 'weight', init: weights, fanIn: nIn, fanOut: nOut });
    context.addParam({ name: 'b', shape: [nOut], role: 'bias', init: constant(options.biasInit ?? 0), fanIn: nIn, fanOut: nOut });
    context.addParam({ name: 'V', shape: [nIn, nOut], role: 'weight', init: weights, fanIn: nIn, fanOut: nOut });
    context.addParam({ name: 'c', shape: [nOut], role: 'bias', init: constant(options.gateBiasInit ?? 0), fanIn: nIn, fanOut: nOut });
    return [nOut];
  }

  forward(input: tf.Tensor, params: ParamMap, context: ForwardContext): tf.Tensor {
    if (this.activation === undefined) throw new ConfigError(`Layer "${this.config.name}" (${GATED_DENSE}) is not built yet: build it (Network.init) first`);
    const x = input as tf.Tensor2D;
    const value = tf.add(tf.matMul(x, params.W as tf.Tensor2D), params.b as tf.Tensor);
    const gate = tf.sigmoid(tf.add(tf.matMul(x, params.V as tf.Tensor2D), params.c as tf.Tensor));
    return this.activation.apply(tf.mul(value, gate), context);
  }
}

/** Registry definition of {@link GatedDense}. */
export const gatedDenseDefinition: ComponentDefinition<'layer', GatedDense, LayerConfigOf<GatedDenseOptions>> = {
  kind: 'layer',
  key: GATED_DENSE,
  contractVersion: LAYER_CONTRACT_VERSION,
  provider: '@dl4ts/example-plugin',
  description: 'Gated dense layer, y = f((xW + b) * sigmoid(xV + c))',
  options: optionNames<GatedDenseOptions>({ ...LAYER_COMMON_OPTIONS, nOut: true, nIn: true, gateBiasInit: true }),
  create: (config) => new GatedDense(config),
};
