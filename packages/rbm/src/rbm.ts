import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, Dl4tsError, LAYER_COMMON_OPTIONS, LAYER_CONTRACT_VERSION, ShapeError, formatShape, formatValue, fusedDense, optionNames } from '@dl4ts/core';
import type { BuildContext, ComponentDefinition, ForwardContext, LayerCommonOptions, ParamMap, PretrainableLayer, LayerConfigOf, Shape, WeightInit } from '@dl4ts/core';
import { choiceOption, numberOption } from './options';
import type { HiddenUnit, VisibleUnit } from './units';
import { HIDDEN_UNITS, VISIBLE_UNITS, hiddenFreeEnergy, sampleUnits, unitMean, visibleFreeEnergy } from './units';

/** Options of a restricted Boltzmann machine layer. */
export interface RbmOptions extends LayerCommonOptions {
  /** Number of hidden units. */
  nOut: number;
  /** Number of visible units; inferred from the previous layer when omitted, checked when given. */
  nIn?: number;
  /** Default `'binary'`. */
  visibleUnit?: VisibleUnit;
  /** Default `'binary'`. */
  hiddenUnit?: HiddenUnit;
  /** Gibbs steps per update (CD-k). Default 1. */
  k?: number;
  /** Number of persistent chains (PCD); 0 (default) runs CD-k from the data. */
  persistent?: number;
  /** Whether the hidden states driving the Gibbs chain are sampled. Default true. */
  sampleHidden?: boolean;
  /** Whether the reconstructed visible states are sampled (else their means are used). Default false. */
  sampleVisible?: boolean;
  /** Target mean activation of each hidden unit, in (0, 1). Sparsity is off unless `sparsityCost > 0`. */
  sparsityTarget?: number;
  /** Weight of the sparsity term. Default 0 (off). */
  sparsityCost?: number;
  /** Initial value of the visible bias `vb`. Default 0. */
  visibleBiasInit?: number;
}

declare module '@dl4ts/core' {
  interface LayerConfigMap {
    'rbm/rbm': RbmOptions;
  }
}

/** The parsed training settings of an {@link Rbm}. */
export interface RbmSettings {
  readonly visibleUnit: VisibleUnit;
  readonly hiddenUnit: HiddenUnit;
  readonly k: number;
  readonly persistent: number;
  readonly sampleHidden: boolean;
  readonly sampleVisible: boolean;
  readonly sparsityTarget: number;
  readonly sparsityCost: number;
  readonly visibleBiasInit: number;
}

/** An initialiser that fills a parameter with one value (no registry needed). */
function constant(value: number): WeightInit {
  return { key: 'rbm/constant', config: { type: 'rbm/constant', value }, init: ({ shape }) => new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(value) };
}

/** Random initial states of the persistent chains, drawn from the seeded initialiser stream. */
function chainInit(unit: VisibleUnit): WeightInit {
  return {
    key: 'rbm/chain',
    config: { type: 'rbm/chain', unit },
    init: ({ shape, rng }) => {
      const [rows, cols] = shape as [number, number];
      const values = new Float32Array(rows * cols);
      for (let r = 0; r < rows; r++) {
        if (unit === 'softmax') values[r * cols + rng.int(cols)] = 1;
        else for (let c = 0; c < cols; c++) values[r * cols + c] = unit === 'binary' ? (rng.uniform() < 0.5 ? 1 : 0) : rng.normal();
      }
      return values;
    },
  };
}

/**
 * Restricted Boltzmann machine (DL4J's RBM), trained layer-wise without labels by contrastive
 * divergence, then used as a feed-forward layer for fine-tuning.
 *
 * Energy (binary units): `E(v, h) = -v . vb - h . b - v W h`. Total inputs: hidden
 * `a_h = v W + b`, visible `a_v = h W^T + vb`; each unit type turns them into means and samples
 * (see `unitMean`, `sampleUnits`).
 *
 * - forward: the hidden means `unitMean(hiddenUnit, v W + b)` (propUp);
 * - pretraining (CD-k): `h0 = mean(v0 W + b)`; the chain starts from `h0` (sampled if
 *   `sampleHidden`), or with `persistent > 0` from the stored chains `vp` (PCD); then k times
 *   `v = mean(h W^T + vb)` (sampled if `sampleVisible`), `hk = mean(v W + b)` (sampled between
 *   steps if `sampleHidden`). With `vk, hk` the last states and means, `n` the batch size, `m`
 *   the number of chains, the returned gradients are the negated CD direction
 *   `dW = -(v0^T h0 / n - vk^T hk / m)`, `db = -(mean h0 - mean hk)`, `dvb = -(mean v0 - mean vk)`,
 *   plus, when `sparsityCost > 0`, Hinton's sparsity term on the minibatch mean `q = mean h0`:
 *   `db += c (q - p)`, `dW += c (mean v0)^T (q - p)`. PCD chains move to `vk` after the step.
 * - score: the reconstruction error `mean_n sum_i (v0 - mean(h0 W^T + vb))^2`.
 *
 * Parameters: `W` [nIn, nOut] (weight), `b` [nOut] (hidden bias), `vb` [nIn] (visible bias, role
 * bias) and, with `persistent > 0`, `chain` [persistent, nIn] (role state, saved with the model).
 *
 * @example
 * ```ts
 * { type: 'rbm/rbm', nOut: 500, k: 1, updater: { type: 'updaters/nesterovs', learningRate: 0.05, momentum: 0.5 } }
 * ```
 */
export class Rbm implements PretrainableLayer {
  readonly key = 'rbm/rbm';
  /** The parsed training settings. */
  readonly settings: RbmSettings;
  /** Visible and hidden unit counts, known once built. */
  nIn = 0;
  nOut = 0;
  private readonly owner: string;
  private built = false;

  constructor(readonly config: LayerConfigOf<RbmOptions>) {
    const o = config;
    const owner = `Layer "${config.name}" (rbm/rbm)`;
    this.owner = owner;
    const integer = (min: number) => (v: number) => Number.isInteger(v) && v >= min;
    const settings: RbmSettings = {
      visibleUnit: choiceOption(owner, o, 'visibleUnit', VISIBLE_UNITS, 'binary'),
      hiddenUnit: choiceOption(owner, o, 'hiddenUnit', HIDDEN_UNITS, 'binary'),
      k: numberOption(owner, o, 'k', 1, integer(1), 'an integer >= 1'),
      persistent: numberOption(owner, o, 'persistent', 0, integer(0), 'an integer >= 0 (the number of persistent chains; 0 for CD)'),
      sampleHidden: choiceOption(owner, o, 'sampleHidden', [true, false], true),
      sampleVisible: choiceOption(owner, o, 'sampleVisible', [true, false], false),
      sparsityTarget: numberOption(owner, o, 'sparsityTarget', 0.05, (v) => v > 0 && v < 1, 'a number in (0, 1)'),
      sparsityCost: numberOption(owner, o, 'sparsityCost', 0, (v) => v >= 0, 'a finite number >= 0'),
      visibleBiasInit: numberOption(owner, o, 'visibleBiasInit', 0, () => true, 'a finite number'),
    };
    if (settings.sparsityCost > 0 && settings.hiddenUnit !== 'binary' && settings.hiddenUnit !== 'softmax') {
      throw new ConfigError(`${owner}: sparsity needs hidden means in [0, 1]; received hiddenUnit ${formatValue(settings.hiddenUnit)}, expected "binary" or "softmax"`);
    }
    this.settings = settings;
  }

  build(inputShape: Shape, context: BuildContext): Shape {
    const options = this.config;
    const { nOut, nIn } = options;
    if (!Number.isInteger(nOut) || nOut <= 0) throw new ConfigError(`${this.owner}: nOut must be a positive integer, received ${formatValue(nOut)}`);
    if (inputShape.length !== 1) throw new ShapeError(`${this.owner}: input has shape ${formatShape(inputShape)} per example, expected a flat vector [nIn]`, inputShape, [nIn ?? -1]);
    const visible = inputShape[0] as number;
    if (nIn !== undefined && nIn !== visible) throw new ShapeError(`${this.owner}: input has ${visible} features, expected nIn=${nIn}`, [visible], [nIn]);
    if (this.settings.visibleUnit === 'softmax' && visible < 2) throw new ConfigError(`${this.owner}: softmax visible units need at least 2 inputs, received ${formatValue(visible)}`);
    context.addParam({ name: 'W', shape: [visible, nOut], role: 'weight', init: context.weightInit(options.weightInit), fanIn: visible, fanOut: nOut });
    context.addParam({ name: 'b', shape: [nOut], role: 'bias', init: constant(options.biasInit ?? 0), fanIn: visible, fanOut: nOut });
    context.addParam({ name: 'vb', shape: [visible], role: 'bias', init: constant(this.settings.visibleBiasInit), fanIn: nOut, fanOut: visible });
    const chains = this.settings.persistent;
    if (chains > 0) context.addParam({ name: 'chain', shape: [chains, visible], role: 'state', init: chainInit(this.settings.visibleUnit), fanIn: visible, fanOut: visible });
    this.nIn = visible;
    this.nOut = nOut;
    this.built = true;
    return [nOut];
  }

  /** Hidden total input `v W + b`. */
  hiddenInput(v: tf.Tensor, params: ParamMap): tf.Tensor {
    return tf.add(tf.matMul(v as tf.Tensor2D, params.W as tf.Tensor2D), params.b as tf.Tensor);
  }

  /**
   * Hidden means given visible states (propUp, and the CD chain's): binary units in one fused kernel (the
   * sigmoid applied in the product's pass, core's `fusedDense`), without their total input, which
   * only the other unit types' sampling reads (binary sampling needs the means alone).
   */
  private hiddenMeans(v: tf.Tensor, params: ParamMap): { input: tf.Tensor | undefined; mean: tf.Tensor } {
    if (this.settings.hiddenUnit === 'binary') return { input: undefined, mean: fusedDense(v, params.W as tf.Tensor, params.b as tf.Tensor, 'sigmoid') };
    const input = this.hiddenInput(v, params);
    return { input, mean: unitMean(this.settings.hiddenUnit, input) };
  }

  /** Visible total input `h W^T + vb`. */
  visibleInput(h: tf.Tensor, params: ParamMap): tf.Tensor {
    return tf.add(tf.matMul(h as tf.Tensor2D, params.W as tf.Tensor2D, false, true), params.vb as tf.Tensor);
  }

  /** propUp: the hidden means given visible states. */
  forward(input: tf.Tensor, params: ParamMap): tf.Tensor {
    this.assertBuilt();
    return this.hiddenMeans(input, params).mean;
  }

  /** propDown: the visible means given hidden states. */
  propDown(h: tf.Tensor, params: ParamMap): tf.Tensor {
    return unitMean(this.settings.visibleUnit, this.visibleInput(h, params));
  }

  /** The mean-field reconstruction `propDown(propUp(v))`. */
  reconstruct(v: tf.Tensor, params: ParamMap): tf.Tensor {
    return this.propDown(this.forward(v, params), params);
  }

  /** Squared reconstruction error per example, `sum_i (v_i - r_i)^2` (`[batch]`). */
  reconstructionErrors(v: tf.Tensor, params: ParamMap): tf.Tensor {
    return tf.sum(tf.square(tf.sub(v, this.reconstruct(v, params))), -1);
  }

  /**
   * Free energy per example, `F(v) = -log sum_h exp(-E(v, h))` (`[batch]`): the visible term
   * (`-v . vb`, or `||v - vb||^2 / 2` for gaussian and linear units) plus the hidden term of
   * `a = v W + b` (`-sum softplus(a)` for binary units); see `hiddenFreeEnergy`.
   */
  freeEnergy(v: tf.Tensor, params: ParamMap): tf.Tensor {
    this.assertBuilt();
    return tf.add(visibleFreeEnergy(this.settings.visibleUnit, v, params.vb as tf.Tensor), hiddenFreeEnergy(this.settings.hiddenUnit, this.hiddenInput(v, params), this.owner));
  }

  pretrainGradients(input: tf.Tensor, params: ParamMap, context: ForwardContext): { score: tf.Tensor; gradients: Record<string, tf.Tensor> } {
    this.assertBuilt();
    const s = this.settings;
    const v0 = input;
    const { input: a0, mean: h0 } = this.hiddenMeans(v0, params);
    // The negative phase starts from the data (CD) or from the persistent chains (PCD).
    const start = s.persistent > 0 ? (params.chain as tf.Tensor) : v0;
    let { input: hA, mean: h } = s.persistent > 0 ? this.hiddenMeans(start, params) : { input: a0, mean: h0 };
    if (s.sampleHidden) h = sampleUnits(s.hiddenUnit, hA, h, context.rng);
    let v = start;
    let hk = h;
    let reconstruction: tf.Tensor | undefined;
    for (let step = 1; step <= s.k; step++) {
      let vA: tf.Tensor;
      if (step === 1) {
        // The score's reconstruction propDown(h0) and the chain's first down pass share W^T: one
        // product over the stacked rows instead of two.
        const n0 = h0.shape[0] as number;
        const both = this.visibleInput(tf.concat([h0, h], 0), params);
        reconstruction = unitMean(s.visibleUnit, tf.slice(both, [0, 0], [n0, -1]));
        vA = tf.slice(both, [n0, 0], [-1, -1]);
      } else {
        vA = this.visibleInput(h, params);
      }
      const vMean = unitMean(s.visibleUnit, vA);
      v = s.sampleVisible ? sampleUnits(s.visibleUnit, vA, vMean, context.rng) : vMean;
      ({ input: hA, mean: hk } = this.hiddenMeans(v, params));
      if (step < s.k) h = s.sampleHidden ? sampleUnits(s.hiddenUnit, hA, hk, context.rng) : hk;
    }
    const n = v0.shape[0] as number;
    const m = v.shape[0] as number;
    // dW = vk^T hk / m - v0^T h0 / n, as one product over the stacked rows [vk; v0] and [hk / m; -h0 / n].
    let dW = tf.matMul(tf.concat([v, v0], 0) as tf.Tensor2D, tf.concat([tf.mul(hk, 1 / m), tf.mul(h0, -1 / n)], 0) as tf.Tensor2D, true, false) as tf.Tensor;
    const q = tf.mean(h0, 0);
    let db = tf.sub(tf.mean(hk, 0), q);
    const dvb = tf.sub(tf.mean(v, 0), tf.mean(v0, 0));
    if (s.sparsityCost > 0) {
      const pull = tf.mul(s.sparsityCost, tf.sub(q, s.sparsityTarget));
      db = tf.add(db, pull);
      dW = tf.add(dW, tf.outerProduct(tf.mean(v0, 0) as tf.Tensor1D, pull as tf.Tensor1D));
    }
    if (s.persistent > 0) context.setState?.('chain', v);
    const score = tf.mean(tf.sum(tf.square(tf.sub(v0, reconstruction ?? this.propDown(h0, params))), -1));
    return { score, gradients: { W: dW, b: db, vb: dvb } };
  }

  private assertBuilt(): void {
    if (!this.built) throw new Dl4tsError('DL4TS_NOT_BUILT', `${this.owner} is not built yet: build it (Network.init) first`);
  }
}

/** Registry definition of {@link Rbm}. */
export const rbmDefinition: ComponentDefinition<'layer', Rbm, LayerConfigOf<RbmOptions>> = {
  kind: 'layer',
  key: 'rbm/rbm',
  contractVersion: LAYER_CONTRACT_VERSION,
  provider: '@dl4ts/rbm',
  description: 'Restricted Boltzmann machine trained by CD-k or persistent CD; forward = hidden means',
  options: optionNames<RbmOptions>({ ...LAYER_COMMON_OPTIONS, nOut: true, nIn: true, visibleUnit: true, hiddenUnit: true, k: true, persistent: true, sampleHidden: true, sampleVisible: true, sparsityTarget: true, sparsityCost: true, visibleBiasInit: true }),
  create: (config) => new Rbm(config),
};
