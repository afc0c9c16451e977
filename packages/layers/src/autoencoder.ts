import * as tf from '@tensorflow/tfjs-core';
import { Dl4tsError, LAYER_COMMON_OPTIONS, LAYER_CONTRACT_VERSION, optionNames } from '@dl4ts/core';
import type { Activation, BuildContext, ComponentDefinition, ForwardContext, LayerCommonOptions, ParamMap, PretrainableLayer, Shape, LayerConfigOf } from '@dl4ts/core';
import { affine, checkDenseShape } from './dense';
import { choiceOption, numberOption } from './options';

/** Options of a denoising autoencoder layer (DL4J's defaults). */
export interface AutoEncoderOptions extends LayerCommonOptions {
  /** Number of hidden units. */
  nOut: number;
  /** Number of inputs; inferred from the previous layer when omitted, checked when given. */
  nIn?: number;
  /** Fraction of inputs zeroed (each with this probability) before encoding, in pretraining. In [0, 1), default 0.3. */
  corruptionLevel?: number;
  /** Coefficient of an L1 penalty on the hidden activations, `sparsity * sum|h|` per example. Default 0 (off). */
  sparsity?: number;
  /** `'xent'` (default, DL4J's RECONSTRUCTION_CROSSENTROPY; inputs in [0, 1]) or `'mse'`. */
  reconstructionLoss?: 'xent' | 'mse';
  /** Initial value of the visible bias `vb`. Default 0. */
  visibleBiasInit?: number;
}

declare module '@dl4ts/core' {
  interface LayerConfigMap {
    'layers/autoencoder': AutoEncoderOptions;
  }
}

/** What {@link AutoEncoder} is built from: its options, resolved. */
export type AutoEncoderConfig = LayerConfigOf<AutoEncoderOptions>;

interface Settings {
  readonly corruptionLevel: number;
  readonly sparsity: number;
  readonly reconstructionLoss: 'xent' | 'mse';
  readonly visibleBiasInit: number;
}

/** Probabilities are clipped this far from 0 and 1 in the unfused cross-entropy. */
const CLIP = 1e-7;

/**
 * Denoising autoencoder with tied weights (DL4J's AutoEncoder), trained layer-wise without labels
 * through `Network.pretrainLayer`, then fine-tuned as an ordinary layer.
 *
 * - forward (in a network): the encoding of the uncorrupted input, `h = f(x W + b)`;
 * - pretraining: `x~ = x * mask` (each input zeroed with probability `corruptionLevel`, the mask
 *   drawn from the step's seeded generator), `h = f(x~ W + b)`, `r = f(h W^T + vb)`, and the
 *   score is the mean over the batch of the reconstruction loss of `r` against the clean `x`:
 *   `xent` = `-sum_i x_i log r_i + (1 - x_i) log(1 - r_i)` (the fused, stable form when `f` is
 *   sigmoid, clipped probabilities otherwise), `mse` = `mean_i (r_i - x_i)^2`; plus
 *   `sparsity * sum_j |h_j|`.
 *
 * Parameters: `W` [nIn, nOut] (weight), `b` [nOut] (bias), `vb` [nIn] (visible bias, role bias).
 * The activation defaults to sigmoid. DL4J's `sparsity` alters the hidden gradient in a way that
 * is not the gradient of any score; here it is an L1 activity penalty with a well-defined score.
 *
 * @example
 * ```ts
 * { type: 'layers/autoencoder', nOut: 250, corruptionLevel: 0.3, activation: 'sigmoid' }
 * ```
 */
export class AutoEncoder implements PretrainableLayer {
  readonly key = 'layers/autoencoder';
  private readonly settings: Settings;
  private activation: Activation | undefined;

  constructor(readonly config: AutoEncoderConfig) {
    const owner = `Layer "${config.name}" (layers/autoencoder)`;
    this.settings = {
      corruptionLevel: numberOption(owner, config, 'corruptionLevel', 0.3, (v) => v >= 0 && v < 1, 'a number in [0, 1)'),
      sparsity: numberOption(owner, config, 'sparsity', 0, (v) => v >= 0, 'a finite number >= 0'),
      reconstructionLoss: choiceOption(owner, config, 'reconstructionLoss', ['xent', 'mse'], 'xent'),
      visibleBiasInit: numberOption(owner, config, 'visibleBiasInit', 0),
    };
  }

  build(inputShape: Shape, context: BuildContext): Shape {
    const { nIn, nOut } = checkDenseShape(this.config, inputShape);
    const options = this.config;
    this.activation = context.activation(options.activation ?? 'sigmoid');
    const constant = (value: number) => context.weightInit({ type: 'layers/constant', value });
    context.addParam({ name: 'W', shape: [nIn, nOut], role: 'weight', init: context.weightInit(options.weightInit), fanIn: nIn, fanOut: nOut });
    context.addParam({ name: 'b', shape: [nOut], role: 'bias', init: constant(options.biasInit ?? 0), fanIn: nIn, fanOut: nOut });
    context.addParam({ name: 'vb', shape: [nIn], role: 'bias', init: constant(this.settings.visibleBiasInit), fanIn: nOut, fanOut: nIn });
    return [nOut];
  }

  forward(input: tf.Tensor, params: ParamMap, context: ForwardContext): tf.Tensor {
    return this.act().apply(affine(input, params), context);
  }

  /** The corrupted input: each value zeroed with probability `corruptionLevel`, seeded from `context.rng`. */
  corrupt(input: tf.Tensor, context: ForwardContext): tf.Tensor {
    const level = this.settings.corruptionLevel;
    if (level === 0) return input;
    // Seeded on the host, so the mask is the same on every backend.
    const keep = tf.greaterEqual(tf.randomUniform(input.shape, 0, 1, 'float32', context.rng.nextUint32()), level);
    return tf.mul(input, tf.cast(keep, input.dtype));
  }

  /** Mean reconstruction score of `clean` from `corrupted` (plus the sparsity penalty). */
  reconstructionScore(clean: tf.Tensor, corrupted: tf.Tensor, params: ParamMap, context: ForwardContext): tf.Scalar {
    const act = this.act();
    const W = params.W as tf.Tensor2D;
    const h = act.apply(affine(corrupted, params), context);
    const z = tf.add(tf.matMul(h as tf.Tensor2D, W, false, true), params.vb as tf.Tensor);
    let perExample: tf.Tensor;
    if (this.settings.reconstructionLoss === 'mse') {
      perExample = tf.mean(tf.square(tf.sub(act.apply(z, context), clean)), -1);
    } else if (act.key === 'layers/sigmoid') {
      // -[x log s(z) + (1 - x) log(1 - s(z))] = max(z, 0) - x z + log(1 + e^-|z|), stable for any z.
      perExample = tf.sum(tf.add(tf.sub(tf.relu(z), tf.mul(clean, z)), tf.log1p(tf.exp(tf.neg(tf.abs(z))))), -1);
    } else {
      const r = tf.clipByValue(act.apply(z, context), CLIP, 1 - CLIP);
      perExample = tf.neg(tf.sum(tf.add(tf.mul(clean, tf.log(r)), tf.mul(tf.sub(1, clean), tf.log1p(tf.neg(r)))), -1));
    }
    if (this.settings.sparsity > 0) perExample = tf.add(perExample, tf.mul(this.settings.sparsity, tf.sum(tf.abs(h), -1)));
    return tf.mean(perExample);
  }

  pretrainGradients(input: tf.Tensor, params: ParamMap, context: ForwardContext): { score: tf.Tensor; gradients: Record<string, tf.Tensor> } {
    const corrupted = this.corrupt(input, context);
    const names = ['W', 'b', 'vb'] as const;
    const { value, grads } = tf.valueAndGrads((W: tf.Tensor, b: tf.Tensor, vb: tf.Tensor) => this.reconstructionScore(input, corrupted, { W, b, vb }, context))(
      names.map((n) => params[n] as tf.Tensor),
    );
    return { score: value, gradients: { W: grads[0] as tf.Tensor, b: grads[1] as tf.Tensor, vb: grads[2] as tf.Tensor } };
  }

  private act(): Activation {
    if (this.activation === undefined) throw new Dl4tsError('DL4TS_NOT_BUILT', `Layer "${this.config.name}" (layers/autoencoder) is not built yet: build it (Network.init) first`);
    return this.activation;
  }
}

/** Registry definition of {@link AutoEncoder}. */
export const autoEncoderDefinition: ComponentDefinition<'layer', AutoEncoder, AutoEncoderConfig> = {
  kind: 'layer',
  key: 'layers/autoencoder',
  contractVersion: LAYER_CONTRACT_VERSION,
  provider: '@dl4ts/layers',
  description: 'Denoising autoencoder with tied weights, h = f(xW + b); pretrainable',
  options: optionNames<AutoEncoderOptions>({ ...LAYER_COMMON_OPTIONS, nOut: true, nIn: true, corruptionLevel: true, sparsity: true, reconstructionLoss: true, visibleBiasInit: true }),
  create: (config) => new AutoEncoder(config),
};
