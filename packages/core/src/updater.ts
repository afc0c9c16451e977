import type { Tensor } from '@tensorflow/tfjs-core';
import type { FusedUpdaterRule } from './fused-kernels';

/** Version of the {@link Updater} contract implemented by this core. */
export const UPDATER_CONTRACT_VERSION = 1;

/** Updater state for one parameter: named tensors, so it can be saved and restored exactly. */
export type UpdaterState = Record<string, Tensor>;

/** Counters an updater (and its schedules) may read. */
export interface UpdaterStep {
  /** Iterations (minibatches) done before this one, over the model's whole life. */
  readonly iteration: number;
  /** Epochs done before the current one. */
  readonly epoch: number;
}

/**
 * A pure state transform turning a gradient into the update that core subtracts from the
 * parameter: `param <- param - update`.
 *
 * @example
 * ```ts
 * // plain SGD: update = lr * g
 * apply: (g, state) => ({ update: tf.mul(g, lr), state })
 * ```
 */
export interface Updater {
  readonly key: string;
  readonly config: { readonly type: string; readonly [option: string]: unknown };
  /** State for a new parameter of this shape (empty for stateless updaters). */
  initState(param: Tensor): UpdaterState;
  /**
   * Computes the update and the next state. Must not dispose its inputs; core disposes the old
   * state once the new one is in place. Called inside a tidy scope owned by core.
   */
  apply(gradient: Tensor, state: UpdaterState, step: UpdaterStep): { update: Tensor; state: UpdaterState };
  /**
   * The learning rate in effect at `step` (after any schedule), for decoupled weight decay with
   * `weightDecayApplyLR`. Updaters without a learning rate (AdaDelta, None) omit it; decay then
   * uses a rate of 1.
   */
  learningRateAt?(step: UpdaterStep): number;
  /**
   * This step as a rule a backend's fused kernels know, or undefined: lets core run the
   * parameter's whole update in one kernel where the backend offers it. Optional; `apply` must
   * give the same values (it is the path on every other backend).
   */
  fusedRule?(step: UpdaterStep): FusedUpdaterRule | undefined;
}
