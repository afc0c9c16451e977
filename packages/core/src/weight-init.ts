import type { Rng } from './random';

/** Version of the {@link WeightInit} contract implemented by this core. */
export const WEIGHT_INIT_CONTRACT_VERSION = 1;

/** What a weight initialiser knows about the parameter it fills. */
export interface WeightInitContext {
  /** Parameter shape. */
  readonly shape: readonly number[];
  /** Number of inputs feeding each unit. */
  readonly fanIn: number;
  /** Number of units fed. */
  readonly fanOut: number;
  /** Seeded generator; values are drawn in JavaScript so every backend gets the same numbers. */
  readonly rng: Rng;
}

/**
 * Fills a new parameter. Values are produced on the host, in a fixed order, from the seeded
 * generator, which makes initial weights identical across backends.
 */
export interface WeightInit {
  readonly key: string;
  readonly config: { readonly type: string; readonly [option: string]: unknown };
  /** Returns `product(shape)` values in row-major order. */
  init(context: WeightInitContext): Float32Array;
}
