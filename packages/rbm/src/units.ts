import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '@dl4ts/core';
import type { Rng } from '@dl4ts/core';

/** Visible unit types of an RBM (DL4J's `VisibleUnit`). */
export type VisibleUnit = 'binary' | 'gaussian' | 'linear' | 'softmax';
/** Hidden unit types of an RBM (DL4J's `HiddenUnit`). */
export type HiddenUnit = 'binary' | 'rectified' | 'gaussian' | 'softmax';
/** Any unit type. */
export type UnitType = VisibleUnit | HiddenUnit;

/** The visible unit types, in the order the errors list them. */
export const VISIBLE_UNITS: readonly VisibleUnit[] = ['binary', 'gaussian', 'linear', 'softmax'];
/** The hidden unit types, in the order the errors list them. */
export const HIDDEN_UNITS: readonly HiddenUnit[] = ['binary', 'rectified', 'gaussian', 'softmax'];

/**
 * The mean-field value of a layer of units given its total input `a` (`[batch, units]`):
 *
 * - `binary`: `sigmoid(a)`, the probability of being on;
 * - `rectified`: `max(0, a)` (the noise-free NReLU, used for propagation);
 * - `gaussian`, `linear`: `a` (unit variance, so the data should be standardised);
 * - `softmax`: `softmax(a)` over the units of the row (one unit on, as a one-hot code).
 *
 * @example
 * ```ts
 * unitMean('binary', tf.tensor2d([[0]])); // [[0.5]]
 * ```
 */
export function unitMean(unit: UnitType, a: tf.Tensor): tf.Tensor {
  switch (unit) {
    case 'binary':
      return tf.sigmoid(a);
    case 'rectified':
      return tf.relu(a);
    case 'gaussian':
    case 'linear':
      return a;
    case 'softmax':
      return tf.softmax(a);
  }
}

/**
 * A random state of the units given their total input `a` and mean `mean = unitMean(unit, a)`,
 * drawn with tfjs random ops seeded from `rng` (seeded uniforms and normals are drawn on the host,
 * so a seed gives the same states on every backend):
 *
 * - `binary`: `1[u < sigmoid(a)]`, `u ~ U(0, 1)` (Bernoulli);
 * - `rectified`: `max(0, a + sqrt(sigmoid(a)) n)`, `n ~ N(0, 1)` (noisy ReLU, Nair and Hinton 2010);
 * - `gaussian`: `a + n`, `n ~ N(0, 1)`;
 * - `linear`: the mean itself (a linear unit carries no noise);
 * - `softmax`: one unit per row, unit `j` with probability `softmax(a)_j`: the first `j` with
 *   `cumsum(p)_j > u`.
 */
export function sampleUnits(unit: UnitType, a: tf.Tensor | undefined, mean: tf.Tensor, rng: Rng): tf.Tensor {
  // Binary, linear and softmax units sample from their means alone; the noisy units need the total input.
  const input = (): tf.Tensor => {
    if (a === undefined) throw new Error(`sampleUnits: ${unit} units are sampled from their total input, which was not given`);
    return a;
  };
  switch (unit) {
    case 'binary':
      // step(p - u) = 1[u < p]. Arithmetic rather than a cast of a boolean: on the cpu backend a
      // cast from bool keeps a byte buffer under the float32 dtype, which then leaks into saved
      // state (the persistent chains) as bytes.
      return tf.step(tf.sub(mean, tf.randomUniform(mean.shape, 0, 1, 'float32', rng.nextUint32())));
    case 'rectified': {
      const x = input();
      return tf.relu(tf.add(x, tf.mul(tf.sqrt(tf.sigmoid(x)), tf.randomNormal(x.shape, 0, 1, 'float32', rng.nextUint32()))));
    }
    case 'gaussian': {
      const x = input();
      return tf.add(x, tf.randomNormal(x.shape, 0, 1, 'float32', rng.nextUint32()));
    }
    case 'linear':
      return mean;
    case 'softmax':
      return sampleOneHot(mean, rng);
  }
}

/** One-hot rows drawn from the categorical distributions in the rows of `p` (`[batch, units]`). */
function sampleOneHot(p: tf.Tensor, rng: Rng): tf.Tensor {
  const [rows, units] = p.shape as [number, number];
  const u = tf.randomUniform([rows, 1], 0, 1, 'float32', rng.nextUint32());
  // above_j = 1 once the cumulative probability passes u; the last unit is forced on, so rounding
  // in the cumulative sum can never leave a row without a unit.
  const last = tf.concat([tf.zeros([1, units - 1]), tf.ones([1, 1])], 1);
  const above = tf.maximum(tf.step(tf.sub(tf.cumsum(p, 1), u)), last);
  const shifted = tf.concat([tf.zeros([rows, 1]), tf.slice(above, [0, 0], [rows, units - 1])], 1);
  return tf.sub(above, shifted);
}

/**
 * The visible part of the free energy, per example (`[batch]`):
 * `-v . vb` for binary and softmax units, `||v - vb||^2 / 2` for gaussian and linear units.
 */
export function visibleFreeEnergy(unit: VisibleUnit, v: tf.Tensor, vb: tf.Tensor): tf.Tensor {
  if (unit === 'binary' || unit === 'softmax') return tf.neg(tf.sum(tf.mul(v, vb), -1));
  return tf.mul(0.5, tf.sum(tf.square(tf.sub(v, vb)), -1));
}

/**
 * The hidden part of the free energy, `-log sum_h exp(h . a - E_h(h))`, per example, given the
 * hidden total inputs `a = v W + b`: `-sum_j softplus(a_j)` for binary units, `-sum_j a_j^2 / 2`
 * for unit-variance gaussian units (up to a constant), `-logsumexp_j(a_j)` for one softmax group.
 * Rectified units have no closed form: a {@link ConfigError}.
 */
export function hiddenFreeEnergy(unit: HiddenUnit, a: tf.Tensor, owner: string): tf.Tensor {
  switch (unit) {
    case 'binary':
      return tf.neg(tf.sum(tf.softplus(a), -1));
    case 'gaussian':
      return tf.mul(-0.5, tf.sum(tf.square(a), -1));
    case 'softmax':
      return tf.neg(tf.logSumExp(a, -1));
    case 'rectified':
      throw new ConfigError(`${owner}: the free energy has no closed form for hiddenUnit "rectified"; expected hiddenUnit "binary", "gaussian" or "softmax"`);
  }
}
