import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, LAYER_COMMON_OPTIONS, LAYER_CONTRACT_VERSION, formatValue, optionNames } from '@dl4ts/core';
import type { Activation, BuildContext, ComponentDefinition, ComponentRef, ForwardContext, ParamMap, RecurrentState, LayerConfigOf } from '@dl4ts/core';
import type { RecurrentOptions } from './recurrent-base';
import { RecurrentBase, checkSequenceInput } from './recurrent-base';
import { lstmSequence } from './lstm-sequence';

/** Options of {@link Lstm} and {@link GravesLstm}. */
export interface LstmOptions extends RecurrentOptions {
  /** Initial bias of the forget gate. Default 1.0 (DL4J's `forgetGateBiasInit`). */
  forgetGateBiasInit?: number;
  /** Activation of the input, forget and output gates. Default sigmoid. */
  gateActivation?: ComponentRef<'activation'>;
}

declare module '@dl4ts/core' {
  interface LayerConfigMap {
    'rnn/lstm': LstmOptions;
    'rnn/graves-lstm': LstmOptions;
  }
}

/**
 * LSTM without peepholes (Hochreiter and Schmidhuber 1997; DL4J's LSTM), `σ` the gate
 * activation, `f` the layer's activation (default tanh):
 *
 * ```
 * [zi, zf, zg, zo] = x_t W + h_{t-1} RW + b        (gate blocks in this order, as Keras)
 * i = σ(zi)   f = σ(zf)   g = f(zg)   o = σ(zo)
 * c_t = f ⊙ c_{t-1} + i ⊙ g       h_t = o ⊙ f(c_t)
 * ```
 *
 * State `{ h, c }`. The forget-gate bias starts at `forgetGateBiasInit` (1.0).
 *
 * @example
 * ```ts
 * { type: 'rnn/lstm', nOut: 200, activation: 'tanh' }
 * ```
 */
export class Lstm extends RecurrentBase<LstmOptions> {
  readonly key: string = 'rnn/lstm';
  protected readonly gates = 4;
  protected readonly stateNames = ['h', 'c'] as const;
  protected gateActivation: Activation | undefined;

  constructor(config: LayerConfigOf<LstmOptions>) {
    super(config);
    const bias = config.forgetGateBiasInit;
    if (bias !== undefined && (typeof bias !== 'number' || !Number.isFinite(bias))) {
      throw new ConfigError(`Layer "${config.name}" (${config.type}): forgetGateBiasInit must be a finite number, received ${formatValue(bias)}`);
    }
  }

  protected override biasValues(biasInit: number): number[] {
    return [biasInit, this.config.forgetGateBiasInit ?? 1, biasInit, biasInit];
  }

  protected override buildExtra(context: BuildContext): void {
    this.gateActivation = context.activation(this.config.gateActivation ?? 'sigmoid');
  }

  /** Whether the hand-written sequence pass applies: sigmoid gates and a tanh cell, no peepholes. */
  protected fused(): boolean {
    return this.activation?.key === 'layers/tanh' && this.gateActivation?.key === 'layers/sigmoid';
  }

  override forwardWithState(input: tf.Tensor, params: ParamMap, context: ForwardContext, state: RecurrentState | undefined): { output: tf.Tensor; state: RecurrentState } {
    if (!this.fused() || input.rank !== 3 || input.shape[1] === 0) return super.forwardWithState(input, params, context, state);
    checkSequenceInput(this.config, input, this.nIn);
    const initial = this.initialState(input.shape[0] as number, state);
    const { output, h, c } = lstmSequence(this.project(input, params), params.RW as tf.Tensor2D, initial.h as tf.Tensor2D, initial.c as tf.Tensor2D, context.mask);
    return { output, state: { h, c } };
  }

  protected step(xw: tf.Tensor2D, state: RecurrentState, params: ParamMap, context: ForwardContext): RecurrentState {
    const z = tf.add(xw, this.recurrent(state.h as tf.Tensor, params.RW as tf.Tensor, 0, 4));
    const gate = (x: tf.Tensor) => (this.gateActivation as Activation).apply(x, context);
    const i = gate(this.block(z, 0));
    const f = gate(this.block(z, 1));
    const g = this.act(this.block(z, 2), context);
    const o = gate(this.block(z, 3));
    const c = tf.add(tf.mul(f, state.c as tf.Tensor), tf.mul(i, g));
    return { h: tf.mul(o, this.act(c, context)), c };
  }
}

/**
 * LSTM with peephole connections (Graves 2013; DL4J's GravesLSTM). As {@link Lstm}, plus the
 * peephole weights `pi`, `pf`, `po` `[nOut]`:
 *
 * ```
 * i = σ(zi + pi ⊙ c_{t-1})   f = σ(zf + pf ⊙ c_{t-1})   c_t = f ⊙ c_{t-1} + i ⊙ g
 * o = σ(zo + po ⊙ c_t)       h_t = o ⊙ f(c_t)
 * ```
 *
 * @example
 * ```ts
 * { type: 'rnn/graves-lstm', nOut: 200, activation: 'tanh' }
 * ```
 */
export class GravesLstm extends Lstm {
  override readonly key: string = 'rnn/graves-lstm';

  protected override buildExtra(context: BuildContext): void {
    super.buildExtra(context);
    const options = this.config;
    const init = context.weightInit(options.recurrentWeightInit ?? options.weightInit);
    for (const name of ['pi', 'pf', 'po']) context.addParam({ name, shape: [this.nOut], role: 'weight', init, fanIn: this.nOut, fanOut: this.nOut });
  }

  protected override fused(): boolean {
    return false;
  }

  protected override step(xw: tf.Tensor2D, state: RecurrentState, params: ParamMap, context: ForwardContext): RecurrentState {
    const z = tf.add(xw, this.recurrent(state.h as tf.Tensor, params.RW as tf.Tensor, 0, 4));
    const gate = (x: tf.Tensor) => (this.gateActivation as Activation).apply(x, context);
    const cPrev = state.c as tf.Tensor;
    const i = gate(tf.add(this.block(z, 0), tf.mul(params.pi as tf.Tensor, cPrev)));
    const f = gate(tf.add(this.block(z, 1), tf.mul(params.pf as tf.Tensor, cPrev)));
    const g = this.act(this.block(z, 2), context);
    const c = tf.add(tf.mul(f, cPrev), tf.mul(i, g));
    const o = gate(tf.add(this.block(z, 3), tf.mul(params.po as tf.Tensor, c)));
    return { h: tf.mul(o, this.act(c, context)), c };
  }
}

const LSTM_OPTIONS = optionNames<LstmOptions>({ ...LAYER_COMMON_OPTIONS, nOut: true, nIn: true, recurrentWeightInit: true, forgetGateBiasInit: true, gateActivation: true });

/** Registry definition of {@link Lstm}. */
export const lstmDefinition: ComponentDefinition<'layer', Lstm, LayerConfigOf<LstmOptions>> = {
  kind: 'layer',
  key: 'rnn/lstm',
  contractVersion: LAYER_CONTRACT_VERSION,
  provider: '@dl4ts/rnn',
  description: 'LSTM without peepholes; gate blocks i, f, g, o',
  options: LSTM_OPTIONS,
  create: (config) => new Lstm(config),
};

/** Registry definition of {@link GravesLstm}. */
export const gravesLstmDefinition: ComponentDefinition<'layer', GravesLstm, LayerConfigOf<LstmOptions>> = {
  kind: 'layer',
  key: 'rnn/graves-lstm',
  contractVersion: LAYER_CONTRACT_VERSION,
  provider: '@dl4ts/rnn',
  description: 'LSTM with peephole connections (Graves)',
  options: LSTM_OPTIONS,
  create: (config) => new GravesLstm(config),
};
