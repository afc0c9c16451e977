import * as tf from '@tensorflow/tfjs-core';
import { LAYER_COMMON_OPTIONS, LAYER_CONTRACT_VERSION, optionNames } from '@dl4ts/core';
import type { Activation, BuildContext, ComponentDefinition, ComponentRef, ForwardContext, ParamMap, RecurrentState, LayerConfigOf } from '@dl4ts/core';
import type { RecurrentOptions } from './recurrent-base';
import { RecurrentBase } from './recurrent-base';

/** Options of {@link Gru}. */
export interface GruOptions extends RecurrentOptions {
  /** Activation of the update and reset gates. Default sigmoid. */
  gateActivation?: ComponentRef<'activation'>;
}

declare module '@dl4ts/core' {
  interface LayerConfigMap {
    'rnn/gru': GruOptions;
  }
}

/**
 * Gated recurrent unit (Cho et al. 2014; Keras's GRU with `reset_after: false`), gate blocks
 * `[z, r, h]` in `W`, `RW` and `b`:
 *
 * ```
 * z = σ(x_t Wz + h_{t-1} RWz + bz)      r = σ(x_t Wr + h_{t-1} RWr + br)
 * h~ = f(x_t Wh + (r ⊙ h_{t-1}) RWh + bh)
 * h_t = z ⊙ h_{t-1} + (1 - z) ⊙ h~
 * ```
 *
 * @example
 * ```ts
 * { type: 'rnn/gru', nOut: 64 }
 * ```
 */
export class Gru extends RecurrentBase<GruOptions> {
  readonly key = 'rnn/gru';
  protected readonly gates = 3;
  protected readonly stateNames = ['h'] as const;
  private gateActivation: Activation | undefined;

  protected override buildExtra(context: BuildContext): void {
    this.gateActivation = context.activation(this.config.gateActivation ?? 'sigmoid');
  }

  protected step(xw: tf.Tensor2D, state: RecurrentState, params: ParamMap, context: ForwardContext): RecurrentState {
    const h = state.h as tf.Tensor;
    const rw = params.RW as tf.Tensor;
    const gate = (x: tf.Tensor) => (this.gateActivation as Activation).apply(x, context);
    const zr = gate(tf.add(this.block(xw, 0, 2), this.recurrent(h, rw, 0, 2)));
    const z = this.block(zr, 0);
    const r = this.block(zr, 1);
    const candidate = this.act(tf.add(this.block(xw, 2), this.recurrent(tf.mul(r, h), rw, 2, 3)), context);
    return { h: tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), candidate)) };
  }
}

/** Registry definition of {@link Gru}. */
export const gruDefinition: ComponentDefinition<'layer', Gru, LayerConfigOf<GruOptions>> = {
  kind: 'layer',
  key: 'rnn/gru',
  contractVersion: LAYER_CONTRACT_VERSION,
  provider: '@dl4ts/rnn',
  description: 'Gated recurrent unit (Cho et al.); gate blocks z, r, h',
  options: optionNames<GruOptions>({ ...LAYER_COMMON_OPTIONS, nOut: true, nIn: true, recurrentWeightInit: true, gateActivation: true }),
  create: (config) => new Gru(config),
};
