import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '@dl4ts/core';
import type { Activation, ComponentDefinition } from '@dl4ts/core';
import { defineActivation } from './define-activation';
import { numberOption } from './options';

/** Options of `layers/rrelu`. */
export interface RReluOptions {
  /** Lower bound of the random slope. Default 1/8 (DL4J). */
  l?: number;
  /** Upper bound of the random slope. Default 1/3 (DL4J). */
  u?: number;
}

/**
 * Randomised leaky ReLU (Xu et al. 2015), DL4J's `RRELU`: `f(x) = max(0, x) + a min(0, x)`.
 *
 * In training every element gets its own slope `a ~ U(l, u)`, drawn in JavaScript from the
 * context's seeded generator in row-major order, so a seed gives the same slopes on every backend.
 * At inference `a = (l + u) / 2`. Options: `l` (default 1/8) and `u` (default 1/3), `0 <= l < u`.
 *
 * @example
 * ```ts
 * { type: 'layers/dense', nOut: 64, activation: { type: 'RRELU', l: 0.1, u: 0.3 } }
 * ```
 */
export const rreluDefinition: ComponentDefinition<'activation', Activation> = defineActivation(
  'layers/rrelu',
  'f(x) = max(0, x) + a min(0, x), a ~ U(l, u) per element in training, (l + u) / 2 otherwise',
  ['l', 'u'],
  (config, owner) => {
    const l = numberOption(owner, config, 'l', 1 / 8);
    const u = numberOption(owner, config, 'u', 1 / 3);
    if (!(l >= 0 && l < u)) throw new ConfigError(`${owner}: needs 0 <= l < u, received l=${l}, u=${u}`);
    const mean = (l + u) / 2;
    return (x, { training, rng }) => {
      if (!training) return tf.leakyRelu(x, mean);
      if (rng === undefined) {
        throw new ConfigError(`${owner}: in training it draws random slopes and needs the context's seeded rng, received a context without rng`);
      }
      const slopes = new Float32Array(x.size);
      for (let i = 0; i < slopes.length; i++) slopes[i] = rng.uniformRange(l, u);
      return tf.add(tf.relu(x), tf.mul(tf.tensor(slopes, x.shape, 'float32'), tf.minimum(x, 0)));
    };
  },
);
