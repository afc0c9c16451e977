import type { Tensor } from '@tensorflow/tfjs-core';
import type { Activation, ActivationContext } from './activation';

/** Version of the {@link Loss} contract implemented by this core. */
export const LOSS_CONTRACT_VERSION = 1;

/** Inputs of a loss: labels, the output layer's pre-activation values and its activation. */
export interface LossInput {
  /** Labels, `[batch, nOut]` (or `[batch]` integer classes for sparse losses). */
  readonly labels: Tensor;
  /** Output layer values before the activation, `[batch, nOut]`. */
  readonly preOutput: Tensor;
  /** The output layer's activation. Fused forms (softmax + cross-entropy) check its key. */
  readonly activation: Activation;
  /** Optional per-element mask, the shape of `preOutput`: 0 removes an output from the score. */
  readonly mask?: Tensor;
  /** The step's activation context (training flag, seeded generator for stochastic activations). */
  readonly context?: ActivationContext;
}

/**
 * A loss, computed as DL4J does from the pre-activation output and the activation, so that stable
 * fused forms are possible. It returns one score per example; core averages over the minibatch and
 * applies per-example masks, once, for every loss.
 */
export interface Loss {
  readonly key: string;
  readonly config: { readonly type: string; readonly [option: string]: unknown };
  /** Per-example scores, shape `[batch]`. Called inside a tidy scope owned by core. */
  scoreArray(input: LossInput): Tensor;
  /** Label columns expected for `nOut` outputs; default `nOut`. Sparse losses take 1 (a class index). */
  labelWidth?(nOut: number): number;
  /**
   * Checks label values once per data set, before training (class indices in range, for
   * instance); throws a `ValueError` naming the bad value and the valid range.
   */
  checkLabels?(labels: Tensor, nOut: number): Promise<void>;
}
