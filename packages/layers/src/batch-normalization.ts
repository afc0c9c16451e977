import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, LAYER_CONTRACT_VERSION, ShapeError, formatValue, optionNames } from '@dl4ts/core';
import type { BuildContext, ComponentDefinition, ForwardContext, Layer, LayerCommonOptions, ParamMap, LayerConfigOf, Shape } from '@dl4ts/core';
import { choiceOption, numberOption } from './options';

/** Options of a batch normalization layer (DL4J's defaults). */
export interface BatchNormalizationOptions
  extends Pick<
    LayerCommonOptions,
    | 'name'
    | 'dropout'
    | 'frozen'
    | 'updater'
    | 'biasUpdater'
    | 'l1'
    | 'l2'
    | 'l1Bias'
    | 'l2Bias'
    | 'weightDecay'
    | 'weightDecayBias'
    | 'weightDecayApplyLR'
    | 'gradientNormalization'
    | 'gradientNormalizationThreshold'
  > {
  /** Number of features; optional, checked against the input when given (as is `nIn`). */
  nOut?: number;
  nIn?: number;
  /** Added to the variance before the square root. Default 1e-5. */
  eps?: number;
  /** Running statistics: `running = decay * running + (1 - decay) * batch`. In [0, 1], default 0.9. */
  decay?: number;
  /** Fixes gamma and beta at `gamma` and `beta` instead of learning them. Default false. */
  lockGammaBeta?: boolean;
  /** Initial (or, locked, fixed) scale. Default 1. */
  gamma?: number;
  /** Initial (or, locked, fixed) shift. Default 0. */
  beta?: number;
}

declare module '@dl4ts/core' {
  interface LayerConfigMap {
    'layers/batch-normalization': BatchNormalizationOptions;
  }
}

interface Settings {
  readonly eps: number;
  readonly decay: number;
  readonly lockGammaBeta: boolean;
  readonly gamma: number;
  readonly beta: number;
}

/**
 * Batch normalization over the last axis (DL4J's BatchNormalization, Ioffe and Szegedy 2015):
 * features of `[batch, features]`, channels of images `[batch, height, width, channels]` (statistics
 * over the batch and every position), features of sequences `[batch, time, features]`:
 * `y = gamma * (x - mean) / sqrt(var + eps) + beta`.
 *
 * In training, `mean` and `var` are the minibatch mean and *biased* variance (divided by the batch
 * size, as DL4J's `x.var(false, 0)`), and the layer proposes new running statistics through
 * `ForwardContext.setState`: `running = decay * running + (1 - decay) * batch`, the same biased
 * variance included (DL4J's choice; Keras and PyTorch track the unbiased one). In inference the
 * running statistics are used. Parameters: `gamma` (role `weight`, initialised to `gamma`), `beta`
 * (role `bias`, initialised to `beta`), and the state `mean` (0) and `var` (1). With
 * `lockGammaBeta`, gamma and beta are constants and not parameters. No activation: follow it with
 * a `layers/activation` layer.
 *
 * @example
 * ```ts
 * { type: 'layers/batch-normalization', decay: 0.9, eps: 1e-5 }
 * ```
 */
export class BatchNormalization implements Layer {
  readonly key = 'layers/batch-normalization';
  private readonly settings: Settings;

  constructor(readonly config: LayerConfigOf<BatchNormalizationOptions>) {
    const owner = `Layer "${config.name}" (layers/batch-normalization)`;
    this.settings = {
      eps: numberOption(owner, config, 'eps', 1e-5, (v) => v > 0, 'a finite number > 0'),
      decay: numberOption(owner, config, 'decay', 0.9, (v) => v >= 0 && v <= 1, 'a number in [0, 1]'),
      lockGammaBeta: choiceOption(owner, config, 'lockGammaBeta', [true, false], false),
      gamma: numberOption(owner, config, 'gamma', 1),
      beta: numberOption(owner, config, 'beta', 0),
    };
  }

  build(inputShape: Shape, context: BuildContext): Shape {
    const where = `Layer "${this.config.name}" (layers/batch-normalization)`;
    const n = inputShape[inputShape.length - 1];
    if (n === undefined || !(n > 0)) {
      throw new ShapeError(`${where}: input has shape [${inputShape.join(', ')}] per example, expected features [n], images [height, width, channels] or sequences [time, features] with a known last size`, inputShape, [-1]);
    }
    for (const key of ['nIn', 'nOut'] as const) {
      const declared = this.config[key];
      if (declared === undefined) continue;
      if (!Number.isInteger(declared) || declared <= 0) throw new ConfigError(`${where}: ${key} must be a positive integer, received ${formatValue(declared)}`);
      if (declared !== n) throw new ShapeError(`${where}: input has ${n} features, expected ${key}=${declared}`, [n], [declared]);
    }
    const constant = (value: number) => context.weightInit({ type: 'layers/constant', value });
    if (!this.settings.lockGammaBeta) {
      context.addParam({ name: 'gamma', shape: [n], role: 'weight', init: constant(this.settings.gamma), fanIn: n, fanOut: n });
      context.addParam({ name: 'beta', shape: [n], role: 'bias', init: constant(this.settings.beta), fanIn: n, fanOut: n });
    }
    context.addParam({ name: 'mean', shape: [n], role: 'state', init: constant(0), fanIn: n, fanOut: n });
    context.addParam({ name: 'var', shape: [n], role: 'state', init: constant(1), fanIn: n, fanOut: n });
    return [...inputShape];
  }

  forward(input: tf.Tensor, params: ParamMap, context: ForwardContext): tf.Tensor {
    const { eps, decay, lockGammaBeta } = this.settings;
    let mean = params.mean as tf.Tensor;
    let variance = params.var as tf.Tensor;
    if (context.training) {
      // Statistics per feature (per channel of an image): over every axis but the last.
      const batch = tf.moments(input, Array.from({ length: input.rank - 1 }, (_, i) => i));
      if (context.setState !== undefined) {
        context.setState('mean', tf.add(tf.mul(mean, decay), tf.mul(batch.mean, 1 - decay)));
        context.setState('var', tf.add(tf.mul(variance, decay), tf.mul(batch.variance, 1 - decay)));
      }
      mean = batch.mean;
      variance = batch.variance;
    }
    const xHat = tf.div(tf.sub(input, mean), tf.sqrt(tf.add(variance, eps)));
    const gamma = lockGammaBeta ? this.settings.gamma : (params.gamma as tf.Tensor);
    const beta = lockGammaBeta ? this.settings.beta : (params.beta as tf.Tensor);
    return tf.add(tf.mul(xHat, gamma), beta);
  }
}

/** Registry definition of {@link BatchNormalization}. */
export const batchNormalizationDefinition: ComponentDefinition<'layer', BatchNormalization, LayerConfigOf<BatchNormalizationOptions>> = {
  kind: 'layer',
  key: 'layers/batch-normalization',
  contractVersion: LAYER_CONTRACT_VERSION,
  provider: '@dl4ts/layers',
  description: 'Batch normalization over the last axis (features, or channels of images): gamma (x - mean) / sqrt(var + eps) + beta, running statistics for inference',
  options: optionNames<BatchNormalizationOptions>({ name: true, dropout: true, frozen: true, weightDecay: true, weightDecayBias: true, weightDecayApplyLR: true, gradientNormalization: true, gradientNormalizationThreshold: true, updater: true, biasUpdater: true, l1: true, l2: true, l1Bias: true, l2Bias: true, nOut: true, nIn: true, eps: true, decay: true, lockGammaBeta: true, gamma: true, beta: true }),
  create: (config) => new BatchNormalization(config),
};
