// Inputs of the conformance suite: plain JavaScript values, generated from fixed seeds, so that the
// reference backend and the backend under test see exactly the same numbers.
import type { Loss } from '../loss';
import type { NetworkConfig } from '../network-config';
import { Rng } from '../random';

/** One layer checked by the conformance suite: its config, the network input and the modes run. */
export interface LayerCase {
  /** Shown in the report: `dense`, `batch norm (training)`. */
  readonly name: string;
  /** The layer's config (`type` is its registry key); `name` is set by the suite. */
  readonly layer: { readonly type: string; readonly [option: string]: unknown };
  /** The input shape without the batch dimension, as `NetworkConfig.input`: `[4]`, `[time, features]`. */
  readonly input: readonly number[];
  /** Rows in the batch. Default 3. */
  readonly batch?: number;
  /** Forward in training mode (batch statistics, for instance). Default false. */
  readonly training?: boolean;
}

/**
 * The layers every backend must agree on: dense, batch normalisation (training and inference, and
 * over the channels of images), RBM (propagation up), LSTM, convolutions (plain, depthwise,
 * separable, transposed) and pooling. Keys come from
 * `@dl4ts/layers`, `@dl4ts/rbm`, `@dl4ts/rnn` and `@dl4ts/cnn`; the caller's registry must hold them.
 */
export const DEFAULT_LAYER_CASES: readonly LayerCase[] = [
  { name: 'dense', layer: { type: 'layers/dense', nOut: 5, activation: 'tanh' }, input: [4] },
  { name: 'batch norm (training)', layer: { type: 'layers/batch-normalization' }, input: [4], batch: 5, training: true },
  { name: 'batch norm (inference)', layer: { type: 'layers/batch-normalization' }, input: [4] },
  { name: 'rbm', layer: { type: 'rbm/rbm', nOut: 5 }, input: [6] },
  { name: 'lstm', layer: { type: 'rnn/lstm', nOut: 3 }, input: [4, 3], batch: 2 },
  { name: 'convolution', layer: { type: 'cnn/convolution2d', nOut: 3, kernelSize: 3, stride: 2, padding: 'same', activation: 'tanh' }, input: [5, 6, 2], batch: 2 },
  { name: 'convolution (relu, fused)', layer: { type: 'cnn/convolution2d', nOut: 2, kernelSize: 2, activation: 'relu', biasInit: 0.1 }, input: [4, 4, 2], batch: 2 },
  { name: 'max pooling', layer: { type: 'cnn/subsampling2d', poolingType: 'max', kernelSize: 2 }, input: [4, 6, 2], batch: 2 },
  { name: 'average pooling', layer: { type: 'cnn/subsampling2d', poolingType: 'avg', kernelSize: 3, stride: 2, padding: 'same' }, input: [5, 5, 2], batch: 2 },
  { name: 'depthwise convolution', layer: { type: 'cnn/depthwise-convolution2d', depthMultiplier: 2, kernelSize: 2, stride: 2, activation: 'tanh' }, input: [4, 5, 2], batch: 2 },
  { name: 'separable convolution', layer: { type: 'cnn/separable-convolution2d', nOut: 3, kernelSize: 3, padding: 'same', activation: 'tanh' }, input: [4, 4, 2], batch: 2 },
  { name: 'deconvolution', layer: { type: 'cnn/deconvolution2d', nOut: 2, kernelSize: 3, stride: 2, padding: 1, activation: 'tanh' }, input: [3, 3, 2], batch: 2 },
  { name: 'batch norm over channels (training)', layer: { type: 'layers/batch-normalization' }, input: [3, 3, 2], batch: 2, training: true },
];

/** The network the save/load check trains, saves on one backend and loads on the other. */
export const SAVE_LOAD_CONFIG = {
  seed: 7,
  input: 4,
  defaults: { weightInit: 'xavier', updater: { type: 'updaters/adam', learningRate: 0.05 } },
  layers: [
    { type: 'layers/dense', nOut: 6, activation: 'tanh' },
    { type: 'layers/batch-normalization' },
    { type: 'layers/output', nOut: 3, activation: 'softmax', loss: 'mcxent' },
  ],
  // Cast: core cannot see the config types of @dl4ts/layers, whose keys these are.
} as unknown as NetworkConfig;

/** Values of a tensor to build on each backend. */
export interface ArrayValue {
  readonly values: Float32Array;
  readonly shape: readonly number[];
}

/** `n` draws of `scale * N(0, 1)` from `seed`. */
export function normals(seed: number, shape: readonly number[], scale = 1): ArrayValue {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return { values: Float32Array.from({ length: n }, () => scale * rng.normal()), shape };
}

// Where some activation has a kink (relu, hardtanh, hardsigmoid, thresholded relu): a backend may
// pick either one-sided derivative there, so the grid keeps clear of them.
const KINKS = [-2.5, -1, 0, 1, 2.5];

/** A `[3, 8]` grid over about [-3, 3], at least 0.05 from every kink. */
export function activationInput(): ArrayValue {
  const values: number[] = [];
  for (let v = -2.93; values.length < 24; v += 0.2537) {
    if (KINKS.every((k) => Math.abs(v - k) >= 0.05)) values.push(v);
  }
  return { values: Float32Array.from(values), shape: [3, 8] };
}

/** The output activation and labels a loss is scored with, chosen to lie in its domain. */
export interface LossCase {
  readonly activation: string;
  readonly labels: ArrayValue;
  readonly preOutput: ArrayValue;
}

const ROWS = 4;
const OUTPUTS = 3;

/**
 * Softmax with one-hot labels for the distribution losses (cross-entropy, NLL, KL), identity with
 * labels in {-1, 1} for the margin losses, class indices for sparse losses (`labelWidth` 1), and
 * sigmoid with labels in (0.1, 0.9) for the rest, which keeps logarithms and ratios finite.
 */
export function lossCase(loss: Loss, key: string): LossCase {
  const preOutput = normals(31, [ROWS, OUTPUTS]);
  const rng = new Rng(37);
  const classes = Array.from({ length: ROWS }, (_, i) => i % OUTPUTS);
  const oneHot = (): ArrayValue => ({ values: Float32Array.from(classes.flatMap((c) => [0, 1, 2].map((k) => (k === c ? 1 : 0)))), shape: [ROWS, OUTPUTS] });
  if ((loss.labelWidth?.(OUTPUTS) ?? OUTPUTS) === 1) {
    return { activation: 'softmax', labels: { values: Float32Array.from(classes), shape: [ROWS, 1] }, preOutput };
  }
  if (/mcxent|negativeloglikelihood|kl-divergence/.test(key)) return { activation: 'softmax', labels: oneHot(), preOutput };
  if (/hinge/.test(key)) {
    return { activation: 'identity', labels: { values: Float32Array.from({ length: ROWS * OUTPUTS }, () => (rng.uniform() < 0.5 ? -1 : 1)), shape: [ROWS, OUTPUTS] }, preOutput };
  }
  return { activation: 'sigmoid', labels: { values: Float32Array.from({ length: ROWS * OUTPUTS }, () => 0.1 + 0.8 * rng.uniform()), shape: [ROWS, OUTPUTS] }, preOutput };
}
