import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, STRATEGY_CONTRACT_VERSION, ShapeError, formatShape, formatValue, mapBatch, toMultiBatch } from '@dl4ts/core';
import type { AnyBatch, ComponentDefinition, RecurrentState, RecurrentStates, ResolvedConfig, TrainingStrategy, TrainingTarget } from '@dl4ts/core';

/** Options of {@link truncatedBptt}. */
export interface TruncatedBpttOptions {
  /** Steps per segment: one parameter update per segment. Default 20 (DL4J's). */
  forwardLength?: number;
  /** Gradient horizon in steps, at most `forwardLength`. Default `forwardLength`. */
  backwardLength?: number;
}

declare module '@dl4ts/core' {
  interface StrategyConfigMap {
    'rnn/truncated-bptt': TruncatedBpttOptions;
  }
}

/** Slices steps `[start, start + length)` of a sequence batch (every features and labels array, and the masks). */
export function sliceSteps<B extends AnyBatch>(batch: B, start: number, length: number): B {
  return mapBatch(batch, (t) => tf.slice(t, [0, start, ...new Array<number>(t.rank - 2).fill(0)], [-1, length, ...new Array<number>(t.rank - 2).fill(-1)]));
}

/** The common length of a batch's sequences; a {@link ShapeError} unless every features and labels array is `[batch, time, size]` of one length. */
function sequenceLength(batch: AnyBatch): number {
  const { features, labels } = toMultiBatch(batch);
  const first = features[0] as tf.Tensor;
  for (const [what, list] of [['features', features], ['labels', labels]] as const) {
    for (const t of list) {
      if (t.rank !== 3 || t.shape[1] !== first.shape[1]) {
        throw new ShapeError(
          `rnn/truncated-bptt: ${what} ${formatShape(t.shape)} beside features ${formatShape(first.shape)}; expected sequences [batch, time, size] of the same length (a sequence output such as rnn/rnn-output)`,
          t.shape,
          [first.shape[0] as number, first.shape[1] ?? -1, -1],
        );
      }
    }
  }
  return first.shape[1] as number;
}

function positiveInteger(name: string, value: unknown, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new ConfigError(`rnn/truncated-bptt: ${name} must be a positive integer, received ${formatValue(value)}`);
  return v;
}

/**
 * Truncated backpropagation through time (DL4J's `BackpropType.TruncatedBPTT`). Each minibatch
 * `[batch, time, features]` (labels `[batch, time, nOut]`) is cut into segments of
 * `forwardLength` steps, and the model is updated once per segment. Recurrent state flows from
 * segment to segment as a constant (no gradient); it starts at zero for every minibatch.
 *
 * Gradient horizon: inside a segment the state is also cut every `backwardLength` steps, so the
 * gradient of the loss at step t reaches back to the last cut, at most `backwardLength` steps
 * (DL4J instead propagates the segment's last `backwardLength` steps only). With
 * `forwardLength = backwardLength >= time` it is full BPTT exactly.
 *
 * The step's score is the mean of its segments' regularised scores.
 *
 * @example
 * ```ts
 * strategy: { type: 'rnn/truncated-bptt', forwardLength: 50, backwardLength: 50 }
 * ```
 */
export function truncatedBptt(options: TruncatedBpttOptions = {}): TrainingStrategy {
  const forwardLength = positiveInteger('forwardLength', options.forwardLength, 20);
  const backwardLength = positiveInteger('backwardLength', options.backwardLength, forwardLength);
  if (backwardLength > forwardLength) {
    throw new ConfigError(`rnn/truncated-bptt: backwardLength (${backwardLength}) must be at most forwardLength (${forwardLength})`);
  }
  return {
    key: 'rnn/truncated-bptt',
    config: { type: 'rnn/truncated-bptt', forwardLength, backwardLength },
    step(target: TrainingTarget, batch: AnyBatch) {
      const time = sequenceLength(batch);
      let state: Map<string, RecurrentState> | undefined;
      // A running sum keeps the tensor count flat across segments.
      let total: tf.Tensor = tf.scalar(0);
      let segments = 0;
      const release = (s: RecurrentStates | undefined) => s?.forEach((layer) => tf.dispose(Object.values(layer)));
      try {
        for (let start = 0; start < time; start += forwardLength) {
          const end = Math.min(time, start + forwardLength);
          const segmentScore = tf.tidy(() => {
            let gradients: Map<string, tf.Tensor> | undefined;
            let score: tf.Tensor | undefined;
            for (let from = start; from < end; from += backwardLength) {
              const part = from === 0 && end === time && backwardLength >= time ? batch : sliceSteps(batch, from, Math.min(backwardLength, end - from));
              const result = target.scoreAndGradients(part, true, undefined, { penalties: false, ...(state === undefined ? {} : { recurrentState: state }) });
              // A layer that returns no state (rnn/bidirectional) cannot be continued; refuse before any update.
              for (const [layer, s] of result.recurrentState ?? []) {
                if (Object.keys(s).length === 0) throw new ConfigError(`rnn/truncated-bptt: layer "${layer}" keeps no state to carry from segment to segment (it needs whole sequences, as rnn/bidirectional does); train it with full BPTT (core/backprop)`);
              }
              score = score === undefined ? result.score : tf.add(score, result.score);
              const summed: Map<string, tf.Tensor> = gradients ?? new Map();
              for (const [k, g] of result.gradients) summed.set(k, summed.has(k) ? tf.add(summed.get(k) as tf.Tensor, g) : g);
              gradients = summed;
              // The new state leaves this scope; the previous one is no longer needed.
              const next = new Map<string, RecurrentState>();
              for (const [layer, s] of result.recurrentState ?? []) next.set(layer, Object.fromEntries(Object.entries(s).map(([k, t]) => [k, tf.keep(t)])));
              release(state);
              state = next;
            }
            target.applyGradients(gradients as Map<string, tf.Tensor>);
            return score as tf.Tensor;
          });
          const next = tf.add(total, segmentScore);
          tf.dispose([total, segmentScore]);
          total = next;
          segments++;
        }
        return tf.div(total, segments);
      } finally {
        release(state);
        total.dispose();
      }
    },
  };
}

/** Registry definition of {@link truncatedBptt}. */
export const truncatedBpttDefinition: ComponentDefinition<'strategy', TrainingStrategy> = {
  kind: 'strategy',
  key: 'rnn/truncated-bptt',
  contractVersion: STRATEGY_CONTRACT_VERSION,
  provider: '@dl4ts/rnn',
  description: 'Truncated backpropagation through time (forwardLength, backwardLength)',
  create: (config: ResolvedConfig) => {
    const unknown = Object.keys(config).filter((k) => !['type', 'forwardLength', 'backwardLength'].includes(k));
    if (unknown.length > 0) throw new ConfigError(`rnn/truncated-bptt: unknown option(s) ${unknown.join(', ')}; it takes forwardLength and backwardLength`);
    return truncatedBptt(config as TruncatedBpttOptions);
  },
};
