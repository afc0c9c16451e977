import * as tf from '@tensorflow/tfjs-core';
import type { Activation, ComponentDefinition } from '@dl4ts/core';
import { defineActivation, fixedActivation } from './define-activation';
import type { NoOptions } from './options';
import { choiceOption, numberOption } from './options';
import type { RReluOptions } from './rrelu';
import { rreluDefinition } from './rrelu';

/** Options of `layers/leakyrelu`: `f(x) = x` for `x >= 0`, `alpha x` otherwise. */
export interface LeakyReluOptions {
  /** Slope for negative inputs. Default 0.01 (DL4J). */
  alpha?: number;
}

/** Options of `layers/elu`: `f(x) = x` for `x > 0`, `alpha (e^x - 1)` otherwise. */
export interface EluOptions {
  /** Scale of the negative part. Default 1.0 (DL4J). */
  alpha?: number;
}

/** Options of `layers/thresholdedrelu`: `f(x) = x` for `x > theta`, 0 otherwise. */
export interface ThresholdedReluOptions {
  /** Threshold. Default 1.0 (DL4J). */
  theta?: number;
}

/** Options of `layers/gelu`. */
export interface GeluOptions {
  /**
   * true (default): the tanh approximation `0.5x(1 + tanh(sqrt(2/pi)(x + 0.044715x^3)))`.
   * false: the exact `0.5x(1 + erf(x / sqrt(2)))`.
   */
  approximate?: boolean;
}

declare module '@dl4ts/core' {
  interface ActivationConfigMap {
    'layers/cube': NoOptions;
    'layers/elu': EluOptions;
    'layers/gelu': GeluOptions;
    'layers/hardsigmoid': NoOptions;
    'layers/hardtanh': NoOptions;
    'layers/identity': NoOptions;
    'layers/leakyrelu': LeakyReluOptions;
    'layers/mish': NoOptions;
    'layers/rationaltanh': NoOptions;
    'layers/rectifiedtanh': NoOptions;
    'layers/relu': NoOptions;
    'layers/relu6': NoOptions;
    'layers/rrelu': RReluOptions;
    'layers/selu': NoOptions;
    'layers/sigmoid': NoOptions;
    'layers/softmax': NoOptions;
    'layers/softplus': NoOptions;
    'layers/softsign': NoOptions;
    'layers/swish': NoOptions;
    'layers/tanh': NoOptions;
    'layers/thresholdedrelu': ThresholdedReluOptions;
  }
}

/** sqrt(2 / pi), for GELU's tanh form. */
const GELU_C = Math.sqrt(2 / Math.PI);
/** The rational approximation's y^4 coefficient and output scale (DL4J's RATIONALTANH). */
const RATIONAL_A = 1.41645;
const RATIONAL_SCALE = 1.7159;
/** Beyond |y| = 1e4 the rational tanh is 1 in float32; clipping there keeps y^4 finite. */
const RATIONAL_CLIP = 1e4;

/** `1.7159 tanh~(2x/3)`, `tanh~(y) = sign(y) (1 - 1 / (1 + |y| + y^2 + 1.41645 y^4))`. */
function rationalTanh(x: tf.Tensor): tf.Tensor {
  // Written as y (1 + z + a z^3) / (1 + z + z^2 + a z^4) with z = |y|, the same function without
  // sign(y), whose zero gradient would make the derivative at 0 come out 0 instead of 1.
  const y = tf.clipByValue(tf.mul(x, 2 / 3), -RATIONAL_CLIP, RATIONAL_CLIP);
  const z = tf.abs(y);
  const z2 = tf.square(z);
  const num = tf.add(tf.add(z, 1), tf.mul(tf.mul(z2, z), RATIONAL_A));
  const den = tf.add(tf.add(tf.add(z, 1), z2), tf.mul(tf.square(z2), RATIONAL_A));
  return tf.mul(tf.mul(y, tf.div(num, den)), RATIONAL_SCALE);
}

/** `x Phi(x)`, tanh form or exact. */
function gelu(x: tf.Tensor, approximate: boolean): tf.Tensor {
  if (!approximate) return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
  // 0.5 (1 + tanh(u)) = sigmoid(2u): the same value without the cancellation of 1 + tanh(u) for x << 0.
  const u = tf.mul(tf.add(x, tf.mul(tf.mul(tf.square(x), x), 0.044715)), 2 * GELU_C);
  return tf.mul(x, tf.sigmoid(u));
}

/**
 * Every activation of this package: DL4J's `Activation` enum (registered under
 * `layers/<name in lower case>`, so `LEAKYRELU` resolves to `layers/leakyrelu`) plus GELU and Mish.
 * Element-wise unless stated:
 *
 * - cube: `x^3`
 * - elu(alpha = 1): `x` for `x > 0`, `alpha (e^x - 1)` otherwise
 * - gelu(approximate = true): `0.5x(1 + tanh(sqrt(2/pi)(x + 0.044715x^3)))`; exact `0.5x(1 + erf(x/sqrt2))`
 * - hardsigmoid: `min(1, max(0, 0.2x + 0.5))`
 * - hardtanh: `min(1, max(-1, x))`
 * - identity: `x`
 * - leakyrelu(alpha = 0.01): `x` for `x >= 0`, `alpha x` otherwise
 * - mish: `x tanh(softplus(x))`
 * - rationaltanh: `1.7159 tanh~(2x/3)`, `tanh~(y) = sign(y)(1 - 1/(1 + |y| + y^2 + 1.41645 y^4))`
 * - rectifiedtanh: `max(0, tanh(x))`
 * - relu: `max(0, x)`; relu6: `min(max(0, x), 6)`
 * - rrelu(l = 1/8, u = 1/3): leaky ReLU with random slopes, see {@link rreluDefinition}
 * - selu: `scale x` for `x > 0`, `scale alpha (e^x - 1)` otherwise (alpha 1.6732632423543772, scale 1.0507009873554805)
 * - sigmoid: `1 / (1 + e^-x)`; swish: `x sigmoid(x)`
 * - softmax (over the last axis): `e^x_i / sum_j e^x_j`
 * - softplus: `log(1 + e^x)`; softsign: `x / (1 + |x|)`
 * - tanh: `tanh(x)`
 * - thresholdedrelu(theta = 1): `x` for `x > theta`, 0 otherwise
 *
 * @example
 * ```ts
 * registry.create('activation', { type: 'LEAKYRELU', alpha: 0.2 });
 * ```
 */
export const activationDefinitions: readonly ComponentDefinition<'activation', Activation>[] = [
  fixedActivation('layers/cube', 'f(x) = x^3', (x) => tf.mul(tf.square(x), x)),
  defineActivation('layers/elu', 'f(x) = x if x > 0, else alpha (exp(x) - 1); alpha = 1', ['alpha'], (config, owner) => {
    const alpha = numberOption(owner, config, 'alpha', 1);
    // expm1 of min(x, 0): exact near 0, and never exp of a large x, whose infinity would turn the
    // masked-out gradient into NaN.
    return (x) => tf.add(tf.relu(x), tf.mul(tf.expm1(tf.minimum(x, 0)), alpha));
  }),
  defineActivation('layers/gelu', 'f(x) = x Phi(x): tanh approximation (default) or exact erf form', ['approximate'], (config, owner) => {
    const approximate = choiceOption(owner, config, 'approximate', [true, false], true);
    return (x) => gelu(x, approximate);
  }),
  fixedActivation('layers/hardsigmoid', 'f(x) = min(1, max(0, 0.2x + 0.5))', (x) => tf.clipByValue(tf.add(tf.mul(x, 0.2), 0.5), 0, 1)),
  fixedActivation('layers/hardtanh', 'f(x) = min(1, max(-1, x))', (x) => tf.clipByValue(x, -1, 1)),
  fixedActivation('layers/identity', 'f(x) = x', (x) => x),
  defineActivation('layers/leakyrelu', 'f(x) = x if x >= 0, else alpha x; alpha = 0.01', ['alpha'], (config, owner) => {
    const alpha = numberOption(owner, config, 'alpha', 0.01);
    return (x) => tf.leakyRelu(x, alpha);
  }),
  fixedActivation('layers/mish', 'f(x) = x tanh(softplus(x))', (x) => tf.mul(x, tf.tanh(tf.softplus(x)))),
  fixedActivation('layers/rationaltanh', 'f(x) = 1.7159 tanh~(2x/3), a rational approximation of tanh', rationalTanh),
  fixedActivation('layers/rectifiedtanh', 'f(x) = max(0, tanh(x))', (x) => tf.relu(tf.tanh(x))),
  fixedActivation('layers/relu', 'f(x) = max(0, x)', (x) => tf.relu(x)),
  fixedActivation('layers/relu6', 'f(x) = min(max(0, x), 6)', (x) => tf.relu6(x)),
  rreluDefinition,
  fixedActivation('layers/selu', 'f(x) = scale x if x > 0, else scale alpha (exp(x) - 1)', (x) => tf.selu(x)),
  fixedActivation('layers/sigmoid', 'f(x) = 1 / (1 + exp(-x))', (x) => tf.sigmoid(x)),
  fixedActivation('layers/softmax', 'f(x)_i = exp(x_i) / sum_j exp(x_j), over the last axis', (x) => tf.softmax(x)),
  fixedActivation('layers/softplus', 'f(x) = log(1 + exp(x))', (x) => tf.softplus(x)),
  fixedActivation('layers/softsign', 'f(x) = x / (1 + |x|)', (x) => tf.div(x, tf.add(tf.abs(x), 1))),
  fixedActivation('layers/swish', 'f(x) = x sigmoid(x)', (x) => tf.mul(x, tf.sigmoid(x))),
  fixedActivation('layers/tanh', 'f(x) = tanh(x)', (x) => tf.tanh(x)),
  defineActivation('layers/thresholdedrelu', 'f(x) = x if x > theta, else 0; theta = 1', ['theta'], (config, owner) => {
    const theta = numberOption(owner, config, 'theta', 1);
    // step(x - theta) is 1 above theta and 0 at or below it; unlike a comparison it has a gradient.
    return (x) => tf.mul(x, tf.step(tf.sub(x, theta)));
  }),
];
