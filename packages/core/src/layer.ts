import type { Tensor } from '@tensorflow/tfjs-core';
import type { Activation } from './activation';
import type { Loss } from './loss';
import type { Rng } from './random';
import type { ComponentRef, ResolvedConfig } from './registry';
import type { WeightInit } from './weight-init';

/** Version of the {@link Layer} contract implemented by this core. */
export const LAYER_CONTRACT_VERSION = 1;

/**
 * A shape without the batch dimension, e.g. `[784]`. Sequences are `[time, features]` (the
 * layout of every recurrent layer, as in tfjs; DL4J uses `[features, time]`). `-1` marks a
 * dimension of any size: a network configured with `input: [null, 3]` takes sequences of any length.
 */
export type Shape = readonly number[];

/**
 * What a parameter is for: weights and biases get their own regularisation and may get their own
 * updater; `state` is not trained by gradients (running statistics, for instance).
 */
export type ParamRole = 'weight' | 'bias' | 'state';

/** A parameter a layer asks for while building. Core creates, owns and disposes the tensor. */
export interface ParamDeclaration {
  /** Name, unique within the layer: `W`, `b`. */
  readonly name: string;
  readonly shape: readonly number[];
  readonly role: ParamRole;
  /** Fills the initial values. */
  readonly init: WeightInit;
  readonly fanIn: number;
  readonly fanOut: number;
}

/** Given to {@link Layer.build}: resolves components and collects parameter declarations. */
export interface BuildContext {
  /** Creates an activation from a key or config. */
  activation(ref: unknown): Activation;
  /** Creates a weight initialiser from a key or config. */
  weightInit(ref: unknown): WeightInit;
  /** Creates a loss from a key or config. */
  loss(ref: unknown): Loss;
  /** Declares a parameter. */
  addParam(declaration: ParamDeclaration): void;
}

/** Given to {@link Layer.forward}. */
export interface ForwardContext {
  /** Training mode (dropout, batch statistics, random slopes) or inference. */
  readonly training: boolean;
  /** Seeded generator for this step. */
  readonly rng: Rng;
  /**
   * Present in training only: proposes a new value for one of the layer's `state` parameters
   * (running statistics, for instance). Core assigns it after the step and owns the tensor.
   */
  readonly setState?: (param: string, value: Tensor) => void;
  /**
   * The minibatch's features mask, `[batch, time]` (1 for a real step, 0 for padding), when the
   * input is a batch of sequences of different lengths. Recurrent layers honour it; others may
   * ignore it.
   */
  readonly mask?: Tensor;
}

/** Parameters by name, as declared in {@link Layer.build}. */
export type ParamMap = Readonly<Record<string, Tensor>>;

/**
 * Options every layer accepts. Values not set on a layer come from the network's `defaults`
 * (as in DL4J's configuration builder), where the layer uses them.
 */
export interface LayerCommonOptions {
  /** Instance name, unique in the network. Defaults to `<short key>_<index>`. */
  name?: string;
  activation?: ComponentRef<'activation'>;
  weightInit?: ComponentRef<'weightInit'>;
  /** Initial value of every bias. */
  biasInit?: number;
  /** L1 and L2 penalty coefficients on weights. */
  l1?: number;
  l2?: number;
  /** L1 and L2 penalty coefficients on biases. */
  l1Bias?: number;
  l2Bias?: number;
  /** Updater for this layer's weights (and biases, unless `biasUpdater` is set). */
  updater?: ComponentRef<'updater'>;
  biasUpdater?: ComponentRef<'updater'>;
  /**
   * Dropout on this layer's input during training, DL4J's convention: the probability of
   * *retaining* each input value (0.8 drops 20%). Kept values are scaled by 1/p (inverted
   * dropout), so inference needs no change. 1 or unset: no dropout.
   */
  dropout?: number;
  /**
   * Decoupled weight decay on weights (DL4J's `WeightDecay`): after the updater,
   * `update += weightDecay * lr * w` (`lr` the updater's current learning rate; with
   * `weightDecayApplyLR: false`, `update += weightDecay * w`). Unlike L2 it is not in the score
   * and not scaled by adaptive updaters.
   */
  weightDecay?: number;
  /** Decoupled weight decay on biases. */
  weightDecayBias?: number;
  /** Whether weight decay is multiplied by the learning rate. Default true (DL4J's). */
  weightDecayApplyLR?: boolean;
  /**
   * Gradient normalisation, applied to the data-loss gradients before regularisation and the
   * updater (DL4J's names): `none` (default), `renormalizeL2PerLayer`, `renormalizeL2PerParamType`,
   * `clipElementWiseAbsoluteValue`, `clipL2PerLayer`, `clipL2PerParamType`.
   */
  gradientNormalization?: GradientNormalization;
  /** Threshold of the clipping modes (default 1). */
  gradientNormalizationThreshold?: number;
  /**
   * Excludes this layer's parameters from gradient training (`Network.fit` and every training
   * strategy): no gradient is computed for them, no update or penalty is applied, and their values
   * stay bitwise unchanged. `Network.pretrainLayer` still trains a frozen layer, so a stack can be
   * pretrained layer-wise and then only the layers above it fitted (DL4J's "pretrain, no backprop").
   * Per layer only, not a network default. Default false.
   */
  frozen?: boolean;
}

/** DL4J's gradient normalisation modes; see {@link LayerCommonOptions.gradientNormalization}. */
export type GradientNormalization =
  | 'none'
  | 'renormalizeL2PerLayer'
  | 'renormalizeL2PerParamType'
  | 'clipElementWiseAbsoluteValue'
  | 'clipL2PerLayer'
  | 'clipL2PerParamType';

/** A layer config after defaults are merged: full registry key in `type`, and a name. */
export interface ResolvedLayerConfig extends ResolvedConfig {
  name: string;
}

/**
 * A layer's resolved config typed by its options, what its definition's `create` receives:
 * `LayerConfigOf<DenseOptions>` has `nOut: number`, `activation?: ComponentRef<'activation'>`, ...
 * and the resolved `type` and `name`.
 */
export type LayerConfigOf<Options> = Omit<Options, 'name'> & ResolvedLayerConfig;

/**
 * A layer: a JSON-compatible config, a lazy build that declares named parameters, and a forward
 * computation that is a pure function of its input and parameters. Memory (tidy, dispose) is
 * handled by core, once, around every call.
 */
export interface Layer {
  /** Registry key. */
  readonly key: string;
  /** The config that recreates this layer. */
  readonly config: ResolvedLayerConfig;
  /** Declares parameters for this input shape and returns the output shape. */
  build(inputShape: Shape, context: BuildContext): Shape;
  /** Computes the output for a batch `[batch, ...inputShape]`. */
  forward(input: Tensor, params: ParamMap, context: ForwardContext): Tensor;
}

/**
 * A layer that ends a network: it also exposes its pre-activation output, its activation and its
 * loss, so the loss can use the fused, stable form. Its `forward` must give
 * `activation(preOutput(x))`: training reads the two parts, inference (`Network.output`) calls
 * `forward`, which may compute both in one kernel.
 */
export interface OutputLayer extends Layer {
  readonly activation: Activation;
  readonly loss: Loss;
  /** Values before the activation, `[batch, nOut]` (`[batch, time, nOut]` for a sequence output). */
  preOutput(input: Tensor, params: ParamMap, context: ForwardContext): Tensor;
}

/**
 * A layer that can be trained without labels, on the output of the layers below it (greedy
 * layer-wise pretraining, as DL4J does for autoencoders and RBMs).
 */
export interface PretrainableLayer extends Layer {
  /**
   * The unsupervised score of a batch (e.g. reconstruction error) and the gradient, or the update
   * direction (contrastive divergence), for each of the layer's trainable parameters. Core
   * applies them through the layer's updaters. Called inside a tidy scope owned by core.
   */
  pretrainGradients(input: Tensor, params: ParamMap, context: ForwardContext): { score: Tensor; gradients: Record<string, Tensor> };
}

/** A recurrent layer's state for a batch, by name (`h`, `c`), each `[batch, units]`. */
export type RecurrentState = Readonly<Record<string, Tensor>>;

/**
 * A layer that carries state along a sequence `[batch, time, features]` (SimpleRnn, LSTM, GRU).
 * Its state can be given and taken, so that a sequence can be processed in segments (truncated
 * BPTT, stateful inference). State given in is a constant: no gradient flows into it.
 */
export interface RecurrentLayer extends Layer {
  readonly isRecurrent: true;
  /**
   * The output `[batch, time, units]` and the state after the last step, starting from `state`
   * (zeros when undefined). At steps where `context.mask` is 0 the state is held.
   */
  forwardWithState(input: Tensor, params: ParamMap, context: ForwardContext, state: RecurrentState | undefined): { output: Tensor; state: RecurrentState };
}

/** Whether a layer carries recurrent state. */
export function isRecurrent(layer: Layer): layer is RecurrentLayer {
  return (layer as Partial<RecurrentLayer>).isRecurrent === true && typeof (layer as Partial<RecurrentLayer>).forwardWithState === 'function';
}

/** Whether a layer supports layer-wise pretraining. */
export function isPretrainable(layer: Layer): layer is PretrainableLayer {
  return typeof (layer as Partial<PretrainableLayer>).pretrainGradients === 'function';
}

/** Whether a layer can end a network. */
export function isOutputLayer(layer: Layer): layer is OutputLayer {
  // `in`, not a read: an output layer's loss and activation exist only once it is built.
  return typeof (layer as Partial<OutputLayer>).preOutput === 'function' && 'loss' in layer && 'activation' in layer;
}
