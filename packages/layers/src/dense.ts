import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, LAYER_COMMON_OPTIONS, LAYER_CONTRACT_VERSION, ShapeError, formatValue, fusedDense, optionNames } from '@dl4ts/core';
import type { Activation, BuildContext, FusedDenseActivation, ComponentDefinition, ForwardContext, Layer, LayerCommonOptions, ParamMap, Shape, LayerConfigOf } from '@dl4ts/core';

/** Options of a fully connected layer. */
export interface DenseOptions extends LayerCommonOptions {
  /** Number of units. */
  nOut: number;
  /** Number of inputs; inferred from the previous layer when omitted, checked when given. */
  nIn?: number;
  /** Whether the layer adds a bias. Default true. */
  hasBias?: boolean;
}

declare module '@dl4ts/core' {
  interface LayerConfigMap {
    'layers/dense': DenseOptions;
  }
}

/** What {@link Dense} is built from: its options, resolved. */
export type DenseConfig = LayerConfigOf<DenseOptions>;

/** Checks `nOut` and `nIn` against the input shape; returns nIn. */
export function checkDenseShape(config: DenseConfig, inputShape: Shape): { nIn: number; nOut: number } {
  const { nOut, nIn } = config;
  if (!Number.isInteger(nOut) || nOut <= 0) throw new ConfigError(`Layer "${config.name}" (${config.type}): nOut must be a positive integer, received ${formatValue(nOut)}`);
  // A string such as 'no' would otherwise read as "has a bias".
  const { hasBias } = config as { hasBias?: unknown };
  if (hasBias !== undefined && typeof hasBias !== 'boolean') throw new ConfigError(`Layer "${config.name}" (${config.type}): hasBias must be true or false, received ${JSON.stringify(hasBias)}`);
  if (inputShape.length !== 1) {
    throw new ShapeError(`Layer "${config.name}" (${config.type}): input has shape [${inputShape.join(', ')}] per example, expected a flat vector [nIn]`, inputShape, [nIn ?? -1]);
  }
  const features = inputShape[0] as number;
  if (nIn !== undefined && nIn !== features) {
    throw new ShapeError(`Layer "${config.name}" (${config.type}): input has ${features} features, expected nIn=${nIn}`, [features], [nIn]);
  }
  return { nIn: features, nOut };
}

/** Declares `W` [nIn, nOut] and (unless `hasBias: false`) `b` [nOut]. */
export function declareDenseParams(options: DenseConfig, nIn: number, nOut: number, context: BuildContext): void {
  context.addParam({ name: 'W', shape: [nIn, nOut], role: 'weight', init: context.weightInit(options.weightInit), fanIn: nIn, fanOut: nOut });
  if (options.hasBias !== false) {
    const biasInit = options.biasInit ?? 0;
    context.addParam({ name: 'b', shape: [nOut], role: 'bias', init: context.weightInit({ type: 'layers/constant', value: biasInit }), fanIn: nIn, fanOut: nOut });
  }
}

/** `x W + b`, the affine part of a dense layer. */
export function affine(input: tf.Tensor, params: ParamMap): tf.Tensor {
  const z = tf.matMul(input as tf.Tensor2D, params.W as tf.Tensor2D);
  return params.b === undefined ? z : tf.add(z, params.b);
}

/** Activations core's `fusedDense` applies with the product, by the key of the activation (softmax only where no loss needs the pre-activation: an output layer's inference). */
export const FUSED_ACTIVATIONS: Partial<Record<string, FusedDenseActivation>> = { 'layers/relu': 'relu', 'layers/sigmoid': 'sigmoid', 'layers/tanh': 'tanh', 'layers/softmax': 'softmax' };

/** `f(x W + b)` (no `b` where the layer has no bias) through core's `fusedDense`. */
export function fusedAffine(input: tf.Tensor, params: ParamMap, activation: FusedDenseActivation): tf.Tensor {
  return fusedDense(input, params.W as tf.Tensor, params.b, activation);
}

/**
 * Fully connected layer: `y = f(x W + b)`.
 *
 * @example
 * ```ts
 * { type: 'layers/dense', nOut: 500, activation: 'relu', weightInit: 'relu' }
 * ```
 */
export class Dense implements Layer {
  readonly key = 'layers/dense';
  private activation: Activation | undefined;

  constructor(readonly config: DenseConfig) {}

  build(inputShape: Shape, context: BuildContext): Shape {
    const { nIn, nOut } = checkDenseShape(this.config, inputShape);
    this.activation = context.activation(this.config.activation);
    declareDenseParams(this.config, nIn, nOut, context);
    return [nOut];
  }

  forward(input: tf.Tensor, params: ParamMap, context: ForwardContext): tf.Tensor {
    const activation = this.activation as Activation;
    // One fused kernel for f(x W + b) where f is relu, sigmoid, tanh or softmax; other activations after it.
    const fused = FUSED_ACTIVATIONS[activation.key];
    if (fused !== undefined) return fusedAffine(input, params, fused);
    return activation.apply(fusedAffine(input, params, 'linear'), context);
  }
}

/** Registry definition of {@link Dense}. */
export const denseDefinition: ComponentDefinition<'layer', Dense, DenseConfig> = {
  kind: 'layer',
  key: 'layers/dense',
  contractVersion: LAYER_CONTRACT_VERSION,
  provider: '@dl4ts/layers',
  description: 'Fully connected layer, y = f(xW + b)',
  options: optionNames<DenseOptions>({ ...LAYER_COMMON_OPTIONS, nOut: true, nIn: true, hasBias: true }),
  create: (config) => new Dense(config),
};
