import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError, formatShape, formatValue } from '@dl4ts/core';
import type {
  Activation,
  BuildContext,
  ComponentRef,
  ForwardContext,
  LayerCommonOptions,
  ParamMap,
  RecurrentLayer,
  RecurrentState,
  LayerConfigOf,
  ResolvedLayerConfig,
  Shape,
  WeightInit,
} from '@dl4ts/core';

/** Options shared by every recurrent layer. */
export interface RecurrentOptions extends LayerCommonOptions {
  /** Number of units (the size of `h`). */
  nOut: number;
  /** Features per step; inferred from the previous layer when omitted, checked when given. */
  nIn?: number;
  /** Initialiser of the recurrent weights `RW`; default: the layer's `weightInit`. */
  recurrentWeightInit?: ComponentRef<'weightInit'>;
}

/** Checks a sequence input shape `[time, nIn]` against the config; returns nIn and nOut. */
export function checkSequenceShape(config: LayerConfigOf<RecurrentOptions>, inputShape: Shape): { time: number; nIn: number; nOut: number } {
  const { nOut, nIn } = config;
  const where = `Layer "${config.name}" (${config.type})`;
  if (!Number.isInteger(nOut) || nOut <= 0) throw new ConfigError(`${where}: nOut must be a positive integer, received ${formatValue(nOut)}`);
  if (inputShape.length !== 2) {
    throw new ShapeError(`${where}: input has shape [${inputShape.join(', ')}] per example, expected a sequence [time, nIn] (configure the network with input: [time or null, features])`, inputShape, [-1, nIn ?? -1]);
  }
  const features = inputShape[1] as number;
  if (nIn !== undefined && nIn !== features) throw new ShapeError(`${where}: input has ${features} features per step, expected nIn=${nIn}`, [features], [nIn]);
  return { time: inputShape[0] as number, nIn: features, nOut };
}

/** Checks a batch `[batch, time, nIn]` at forward time. */
export function checkSequenceInput(config: ResolvedLayerConfig, input: tf.Tensor, nIn: number): void {
  if (input.rank !== 3 || input.shape[2] !== nIn) {
    throw new ShapeError(`Layer "${config.name}" (${config.type}): input has shape ${formatShape(input.shape)}, expected [batch, time, ${nIn}]`, input.shape, [-1, -1, nIn]);
  }
}

/** A weight initialiser that fills a gate-blocked bias: block `k` (of `nOut` values) gets `values[k]`. */
export function gateBiasInit(values: readonly number[]): WeightInit {
  return {
    key: 'rnn/gate-bias',
    config: { type: 'rnn/gate-bias', values: [...values] },
    init: ({ shape }) => {
      const total = shape.reduce((a, b) => a * b, 1);
      const block = total / values.length;
      return Float32Array.from({ length: total }, (_, i) => values[Math.floor(i / block)] as number);
    },
  };
}

/**
 * What every recurrent layer shares: the `W` `[nIn, g nOut]`, `RW` `[nOut, g nOut]` and
 * `b` `[g nOut]` parameters for `g` gate blocks, the input projection of all steps in one matMul,
 * the loop over time, masks and state in and out. A subclass gives its gates and its step.
 *
 * Masks: at a step whose features mask is 0 the state is held (`s_t = s_{t-1}`) and the output is 0.
 */
export abstract class RecurrentBase<Options extends RecurrentOptions = RecurrentOptions> implements RecurrentLayer {
  readonly isRecurrent = true as const;
  abstract readonly key: string;
  /** Number of gate blocks in `W`, `RW` and `b`. */
  protected abstract readonly gates: number;
  /** State names; `h` (the output) first. */
  protected abstract readonly stateNames: readonly string[];
  protected activation: Activation | undefined;
  protected nIn = 0;
  protected nOut = 0;

  constructor(readonly config: LayerConfigOf<Options>) {}

  /** Bias value per gate block; default `biasInit` everywhere. */
  protected biasValues(biasInit: number): number[] {
    return new Array<number>(this.gates).fill(biasInit);
  }

  /** Hook for extra parameters and components (peepholes, gate activation). */
  protected buildExtra(_context: BuildContext): void {}

  /** The step of this cell. */
  protected abstract step(xw: tf.Tensor2D, state: RecurrentState, params: ParamMap, context: ForwardContext): RecurrentState;

  build(inputShape: Shape, context: BuildContext): Shape {
    const { time, nIn, nOut } = checkSequenceShape(this.config, inputShape);
    const options = this.config;
    this.nIn = nIn;
    this.nOut = nOut;
    this.activation = context.activation(options.activation ?? 'tanh');
    const g = this.gates;
    const init = context.weightInit(options.weightInit);
    context.addParam({ name: 'W', shape: [nIn, g * nOut], role: 'weight', init, fanIn: nIn, fanOut: nOut });
    context.addParam({ name: 'RW', shape: [nOut, g * nOut], role: 'weight', init: context.weightInit(options.recurrentWeightInit ?? options.weightInit), fanIn: nOut, fanOut: nOut });
    context.addParam({ name: 'b', shape: [g * nOut], role: 'bias', init: gateBiasInit(this.biasValues(options.biasInit ?? 0)), fanIn: nIn, fanOut: nOut });
    this.buildExtra(context);
    return [time, nOut];
  }

  forward(input: tf.Tensor, params: ParamMap, context: ForwardContext): tf.Tensor {
    return this.forwardWithState(input, params, context, undefined).output;
  }

  forwardWithState(input: tf.Tensor, params: ParamMap, context: ForwardContext, state: RecurrentState | undefined): { output: tf.Tensor; state: RecurrentState } {
    checkSequenceInput(this.config, input, this.nIn);
    const [batch] = input.shape as [number, number, number];
    let current = this.initialState(batch, state);
    const projected = this.project(input, params);
    const time = projected.shape[1];
    const steps = unstackSteps(projected) as tf.Tensor2D[];
    const masks = context.mask === undefined ? undefined : unstackSteps(tf.reshape(tf.cast(context.mask, 'float32'), [batch, time, 1]));
    const outputs: tf.Tensor[] = [];
    steps.forEach((xw, t) => {
      const next = this.step(xw, current, params, context);
      const m = masks?.[t];
      if (m === undefined) {
        current = next;
        outputs.push(next.h as tf.Tensor);
      } else {
        const keep = tf.sub(1, m);
        current = Object.fromEntries(this.stateNames.map((k) => [k, tf.add(tf.mul(m, next[k] as tf.Tensor), tf.mul(keep, current[k] as tf.Tensor))]));
        outputs.push(tf.mul(m, next.h as tf.Tensor));
      }
    });
    return { output: tf.stack(outputs, 1), state: current };
  }

  /** `x W + b` of every step `[batch, time, g nOut]`, in one product. */
  protected project(input: tf.Tensor, params: ParamMap): tf.Tensor3D {
    const [batch, time] = input.shape as [number, number, number];
    const flat = tf.fused.matMul({ a: tf.reshape(input, [batch * time, this.nIn]) as tf.Tensor2D, b: params.W as tf.Tensor2D, bias: params.b });
    return tf.reshape(flat, [batch, time, this.gates * this.nOut]) as tf.Tensor3D;
  }

  /** The given state, checked, or zeros. */
  protected initialState(batch: number, state: RecurrentState | undefined): RecurrentState {
    const expected = [batch, this.nOut];
    return Object.fromEntries(
      this.stateNames.map((k) => {
        const given = state?.[k];
        if (given === undefined) return [k, tf.zeros(expected)];
        if (!tf.util.arraysEqual(given.shape, expected)) {
          throw new ShapeError(`Layer "${this.config.name}" (${this.key}): state "${k}" has shape ${formatShape(given.shape)}, expected [batch, nOut] = ${formatShape(expected)}`, given.shape, expected);
        }
        return [k, given];
      }),
    );
  }

  /** `h RW` restricted to gate blocks `[from, to)`. */
  protected recurrent(h: tf.Tensor, rw: tf.Tensor, from: number, to: number): tf.Tensor2D {
    const n = this.nOut;
    const block = from === 0 && to === this.gates ? rw : tf.slice(rw, [0, from * n], [n, (to - from) * n]);
    return tf.matMul(h as tf.Tensor2D, block as tf.Tensor2D);
  }

  /** Gate block `k` of a `[batch, g nOut]` tensor. */
  protected block(z: tf.Tensor, k: number, count = 1): tf.Tensor2D {
    return tf.slice(z, [0, k * this.nOut], [-1, count * this.nOut]) as tf.Tensor2D;
  }

  protected act(x: tf.Tensor, context: ForwardContext): tf.Tensor {
    return (this.activation as Activation).apply(x, context);
  }
}

/**
 * The steps of a `[batch, time, n]` tensor. One step is a reshape, not an unstack: tfjs's gradient
 * of an Unpack with a single output hands `stack` a tensor instead of an array and throws (a
 * truncated-BPTT piece of one step hit it).
 */
function unstackSteps(x: tf.Tensor): tf.Tensor[] {
  const [batch, time, n] = x.shape as [number, number, number];
  return time === 1 ? [tf.reshape(x, [batch, n])] : tf.unstack(x, 1);
}
