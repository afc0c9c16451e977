import type { Tensor } from '@tensorflow/tfjs-core';
import type { Rng } from './random';

/** Version of the {@link Activation} contract implemented by this core. */
export const ACTIVATION_CONTRACT_VERSION = 1;

/** What an activation may use besides its input. */
export interface ActivationContext {
  /** True during training (RReLU draws random slopes then, and uses their mean otherwise). */
  readonly training: boolean;
  /** Seeded generator for stochastic activations. */
  readonly rng?: Rng;
}

/**
 * An element-wise or row-wise function `y = f(x)`. Gradients come from tfjs autodiff unless the
 * implementation wraps its forward in `tf.customGrad` for stability or speed.
 *
 * @example
 * ```ts
 * const relu: Activation = { key: 'layers/relu', config: { type: 'layers/relu' }, apply: (x) => tf.relu(x) };
 * ```
 */
export interface Activation {
  /** Registry key. */
  readonly key: string;
  /** JSON-compatible config that recreates this activation through the registry. */
  readonly config: { readonly type: string; readonly [option: string]: unknown };
  /** Computes the activation. Called inside a tidy scope owned by core. */
  apply(x: Tensor, context: ActivationContext): Tensor;
}
