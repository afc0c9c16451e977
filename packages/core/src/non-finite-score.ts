import type * as tf from '@tensorflow/tfjs-core';
import { ConfigError, NonFiniteScoreError } from './errors';
import type { Model } from './model';

/**
 * What training does when an epoch's mean score is NaN or infinite:
 * - `stop` (default): stop, with a `stopReason` saying so and a warning through the network's
 *   `onWarning`; the diverged epoch is not counted and no `onEpochEnd` hears it, so a checkpoint
 *   listener's last file is the last finite epoch. The parameters stay as the epoch left them.
 * - `restore`: as `stop`, and the parameters, updater state and counters go back to the end of
 *   the last finite epoch (or the start of the call). Keeps one copy of the model while training.
 * - `throw`: a `NonFiniteScoreError` naming the epoch and the score.
 * - `continue`: train on (DL4J's and tfjs's behaviour).
 */
export type NonFiniteScoreAction = 'stop' | 'restore' | 'throw' | 'continue';

const ACTIONS: readonly NonFiniteScoreAction[] = ['stop', 'restore', 'throw', 'continue'];

/** The option's value, `stop` when unset; a {@link ConfigError} for anything else. */
export function nonFiniteAction(value: unknown, owner = 'fit'): NonFiniteScoreAction {
  if (value === undefined) return 'stop';
  if (!ACTIONS.includes(value as NonFiniteScoreAction)) throw new ConfigError(`${owner}: onNonFiniteScore must be one of ${ACTIONS.map((a) => `"${a}"`).join(', ')}, received ${JSON.stringify(value)}`);
  return value as NonFiniteScoreAction;
}

/** The stop reason and warning for a diverged epoch. */
export function nonFiniteMessage(epoch: number, meanScore: number, action: NonFiniteScoreAction): string {
  const kept = action === 'restore' ? 'the parameters of the last finite epoch were restored' : 'the parameters hold non-finite values now (onNonFiniteScore: "restore" keeps the last finite ones)';
  return `training diverged: epoch ${epoch} has mean score ${meanScore}; stopped, ${kept}. Lower the learning rate, clip gradients (gradientNormalization) or normalise the inputs`;
}

/**
 * A copy of a network's parameters, updater state and counters, taken through its public API so
 * that any trainer (`fit`, the parallel trainer) can restore it.
 */
export class TrainingSnapshot {
  private constructor(
    private readonly params: Map<string, tf.Tensor>,
    private readonly updaters: Map<string, tf.Tensor>,
    private readonly counters: { iteration: number; epoch: number },
  ) {}

  static take(network: Model): TrainingSnapshot {
    const params = new Map(network.paramNames().map((name) => [name, network.getParam(name)]));
    const updaters = new Map([...network.updaterState()].map(([name, t]) => [name, t.clone()]));
    return new TrainingSnapshot(params, updaters, { iteration: network.iteration, epoch: network.epoch });
  }

  restore(network: Model): void {
    for (const [name, value] of this.params) network.setParam(name, value);
    network.setUpdaterState(this.updaters);
    network.setCounters(this.counters);
  }

  dispose(): void {
    for (const t of this.params.values()) t.dispose();
    for (const t of this.updaters.values()) t.dispose();
  }
}

/**
 * `onNonFiniteScore` for one training run, as `fit` and the parallel trainer apply it at each
 * epoch's end: keeps the `restore` snapshot, and decides what a non-finite mean score means.
 * Dispose it when the run ends.
 */
export class DivergenceGuard {
  private snapshot: TrainingSnapshot | undefined;

  constructor(
    private readonly network: Model,
    readonly action: NonFiniteScoreAction,
  ) {
    this.snapshot = action === 'restore' ? TrainingSnapshot.take(network) : undefined;
  }

  /**
   * Called with a finished epoch's mean score before the epoch is counted (`epoch` is its 1-based
   * number). Undefined for a finite score (or `continue`). Otherwise it throws
   * {@link NonFiniteScoreError} (`throw`), or restores the snapshot (`restore`), warns through the
   * network's `onWarning` and returns the stop reason.
   */
  check(epoch: number, meanScore: number): string | undefined {
    if (Number.isFinite(meanScore) || this.action === 'continue') return undefined;
    const message = nonFiniteMessage(epoch, meanScore, this.action);
    if (this.action === 'throw') throw new NonFiniteScoreError(message, epoch, meanScore);
    this.snapshot?.restore(this.network);
    this.network.onWarning(message);
    return message;
  }

  /** After a finite epoch is counted: with `restore`, this is the state to go back to from now on. */
  epochCounted(): void {
    if (this.snapshot === undefined) return;
    this.snapshot.dispose();
    this.snapshot = TrainingSnapshot.take(this.network);
  }

  dispose(): void {
    this.snapshot?.dispose();
    this.snapshot = undefined;
  }
}
