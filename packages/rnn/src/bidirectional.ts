import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, formatShape, isRecurrent, LAYER_COMMON_OPTIONS, LAYER_CONTRACT_VERSION, optionNames, ShapeError, rejectUnknownKeys } from '@dl4ts/core';
import type { BuildContext, ComponentDefinition, ComponentRef, ForwardContext, LayerCommonOptions, ParamMap, RecurrentLayer, RecurrentState, Registry, LayerConfigOf, Shape } from '@dl4ts/core';

/** How the two directions' outputs are combined. */
export type BidirectionalMode = 'concat' | 'add' | 'mul' | 'average';

/**
 * Options of {@link Bidirectional}. The common options (updater, l1, l2, dropout, ...) are set here
 * and apply to both directions; `activation`, `weightInit` and `biasInit` pass to the wrapped layer
 * where it does not set them.
 */
export interface BidirectionalOptions extends LayerCommonOptions {
  /** The recurrent layer to run in both directions, e.g. `{ type: 'rnn/lstm', nOut: 8 }`. */
  layer: ComponentRef<'layer'>;
  /** Default `'concat'` (output `2 nOut` wide); the others keep `nOut`. */
  mode?: BidirectionalMode;
}

declare module '@dl4ts/core' {
  interface LayerConfigMap {
    'rnn/bidirectional': BidirectionalOptions;
  }
}

const MODES: readonly BidirectionalMode[] = ['concat', 'add', 'mul', 'average'];
/** Options the wrapped layer takes from the wrapper (and so from the network defaults) when it has none. */
const INHERITED = ['activation', 'weightInit', 'biasInit'] as const;
/** Options the network reads from the wrapper's config only: set on the wrapped layer they would be ignored. */
const WRAPPER_ONLY = ['updater', 'biasUpdater', 'l1', 'l2', 'l1Bias', 'l2Bias', 'dropout', 'weightDecay', 'weightDecayBias', 'weightDecayApplyLR', 'gradientNormalization', 'gradientNormalizationThreshold'];
const DIRECTIONS = ['fwd', 'bwd'] as const;

/**
 * Indices that reverse the valid steps of each sequence, flattened over `[batch, time]`: with
 * `L` valid steps, step `t < L` reads step `L - 1 - t`, and padding (`t >= L`) stays in place.
 * Masks are taken as padding at the end (as DL4J's); only their count of 1s is used.
 */
export function reversalIndices(mask: tf.Tensor, time: number): tf.Tensor1D {
  return tf.tidy(() => {
    const batch = mask.shape[0] as number;
    const lengths = tf.reshape(tf.sum(tf.cast(mask, 'float32'), 1), [batch, 1]);
    const t = tf.reshape(tf.range(0, time, 1, 'float32'), [1, time]);
    const within = tf.where(tf.less(t, lengths), tf.sub(tf.sub(lengths, 1), t), tf.broadcastTo(t, [batch, time]));
    const offsets = tf.reshape(tf.range(0, batch * time, time, 'float32'), [batch, 1]);
    return tf.cast(tf.reshape(tf.add(within, offsets), [-1]), 'int32') as tf.Tensor1D;
  });
}

/** `[batch, time, size]` with each sequence's valid steps reversed (all steps without a mask). */
export function reverseSequences(x: tf.Tensor, mask: tf.Tensor | undefined): tf.Tensor {
  if (mask === undefined) return tf.reverse(x, 1);
  const [batch, time, size] = x.shape as [number, number, number];
  return tf.reshape(tf.gather(tf.reshape(x, [batch * time, size]), reversalIndices(mask, time)), [batch, time, size]);
}

/**
 * Bidirectional wrapper (DL4J's Bidirectional, Keras's Bidirectional): two copies of a recurrent
 * layer with separate parameters (`fwd/W`, `bwd/W`, ...). The forward copy reads the sequence in
 * order; the backward copy reads each sequence's valid steps reversed (padding stays at the end)
 * and its output is reversed back, so step `t` of both outputs refers to input step `t`. They are
 * combined by `mode`: `concat` `[fwd, bwd]` (default), `add`, `mul` or `average`.
 *
 * It needs whole sequences: it cannot carry state from one segment to the next, so truncated
 * BPTT and `RnnStepper` refuse it. Train it with full BPTT (the default strategy).
 *
 * @example
 * ```ts
 * { type: 'rnn/bidirectional', layer: { type: 'rnn/lstm', nOut: 8 }, mode: 'concat' }
 * ```
 */
export class Bidirectional implements RecurrentLayer {
  readonly key = 'rnn/bidirectional';
  readonly isRecurrent = true as const;
  /** The two copies, forward then backward. */
  readonly directions: readonly [RecurrentLayer, RecurrentLayer];
  readonly mode: BidirectionalMode;

  constructor(
    readonly config: LayerConfigOf<BidirectionalOptions>,
    registry: Registry,
  ) {
    const where = `Layer "${config.name}" (rnn/bidirectional)`;
    const mode = config.mode ?? 'concat';
    if (!MODES.includes(mode as BidirectionalMode)) throw new ConfigError(`${where}: mode must be one of ${MODES.join(', ')}, received ${JSON.stringify(mode)}`);
    this.mode = mode as BidirectionalMode;
    const inner = registry.resolve('layer', config.layer);
    // The wrapped layer's options are checked as the network checks a layer's (misspellings, keys it does not take).
    rejectUnknownKeys(`${where}: the wrapped ${inner.type}`, inner, [...(registry.definition('layer', inner.type).options ?? []), 'name']);
    if (inner.type === this.key) throw new ConfigError(`${where}: cannot wrap another rnn/bidirectional layer`);
    const misplaced = WRAPPER_ONLY.filter((k) => inner[k] !== undefined);
    if (misplaced.length > 0) throw new ConfigError(`${where}: set ${misplaced.join(', ')} on the rnn/bidirectional layer, not on the wrapped ${inner.type}: the network applies them per layer`);
    const inherited = Object.fromEntries(INHERITED.filter((k) => inner[k] === undefined && config[k] !== undefined).map((k) => [k, config[k]]));
    const make = (direction: string): RecurrentLayer => {
      const layer = registry.definition('layer', inner.type).create({ ...inherited, ...inner, name: `${config.name}.${direction}` }) as RecurrentLayer;
      if (!isRecurrent(layer)) throw new ConfigError(`${where}: the wrapped layer ${inner.type} is not recurrent; expected a layer such as rnn/lstm`);
      return layer;
    };
    this.directions = [make('fwd'), make('bwd')];
  }

  build(inputShape: Shape, context: BuildContext): Shape {
    const shapes = this.directions.map((layer, i) => {
      const prefix = `${DIRECTIONS[i]}/`;
      return layer.build(inputShape, { ...context, addParam: (d) => context.addParam({ ...d, name: prefix + d.name }) });
    });
    const [time, units] = shapes[0] as [number, number];
    return [time, this.mode === 'concat' ? 2 * units : units];
  }

  forward(input: tf.Tensor, params: ParamMap, context: ForwardContext): tf.Tensor {
    if (input.rank !== 3) throw new ShapeError(`Layer "${this.config.name}" (rnn/bidirectional): input has shape ${formatShape(input.shape)}, expected [batch, time, features]`, input.shape, [-1, -1, -1]);
    const [fwd, bwd] = this.directions.map((layer, i) => layer.forward(i === 0 ? input : reverseSequences(input, context.mask), this.paramsOf(params, i), context)) as [tf.Tensor, tf.Tensor];
    const back = reverseSequences(bwd, context.mask);
    switch (this.mode) {
      case 'concat':
        return tf.concat([fwd, back], 2);
      case 'add':
        return tf.add(fwd, back);
      case 'mul':
        return tf.mul(fwd, back);
      default:
        return tf.mul(tf.add(fwd, back), 0.5);
    }
  }

  /**
   * The output for a whole sequence. A given `state` is refused: the backward direction starts at
   * the sequence's end, which a segment does not see. The returned state is empty, which tells
   * truncated BPTT that this layer cannot be continued.
   */
  forwardWithState(input: tf.Tensor, params: ParamMap, context: ForwardContext, state: RecurrentState | undefined): { output: tf.Tensor; state: RecurrentState } {
    if (state !== undefined) throw new ConfigError(Bidirectional.stateless(this.config.name));
    return { output: this.forward(input, params, context), state: {} };
  }

  /** Why a bidirectional layer cannot be continued from a state. */
  static stateless(name: string): string {
    return `Layer "${name}" (rnn/bidirectional) needs whole sequences: its backward direction starts at the end of the sequence, so it cannot continue from a previous segment's state (truncated BPTT, RnnStepper.rnnTimeStep); train it with full BPTT (core/backprop) and predict with Network.output`;
  }

  private paramsOf(params: ParamMap, direction: number): ParamMap {
    const prefix = `${DIRECTIONS[direction]}/`;
    return Object.fromEntries(Object.entries(params).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
  }
}

/** Registry definition of {@link Bidirectional}; it resolves the wrapped layer through `registry`. */
export function bidirectionalDefinition(registry: Registry): ComponentDefinition<'layer', Bidirectional, LayerConfigOf<BidirectionalOptions>> {
  return {
    kind: 'layer',
    key: 'rnn/bidirectional',
    contractVersion: LAYER_CONTRACT_VERSION,
    provider: '@dl4ts/rnn',
    description: 'Runs a recurrent layer forwards and backwards (separate parameters), concat/add/mul/average',
    options: optionNames<BidirectionalOptions>({ ...LAYER_COMMON_OPTIONS, layer: true, mode: true }),
  create: (config) => new Bidirectional(config, registry),
  };
}
