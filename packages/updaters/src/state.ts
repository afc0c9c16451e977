import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '@dl4ts/core';
import type { UpdaterState } from '@dl4ts/core';

/**
 * One named tensor of an updater's state. Throws a {@link ConfigError} naming the updater when it
 * is missing, e.g. after restoring state saved by another updater.
 */
export function stateTensor(state: UpdaterState, name: string, key: string): tf.Tensor {
  const t = state[name];
  if (t === undefined) {
    throw new ConfigError(`Updater ${key}: state has no "${name}" (keys: ${Object.keys(state).join(', ') || 'none'}); it must come from this updater's initState`);
  }
  return t;
}

/** `decay * previous + (1 - decay) * value`: three element-wise ops. */
export function movingAverage(previous: tf.Tensor, value: tf.Tensor, decay: number): tf.Tensor {
  return tf.add(tf.mul(previous, decay), tf.mul(value, 1 - decay));
}

/** `decay * previous + (1 - decay) * g^2`: four element-wise ops. */
export function movingAverageOfSquares(previous: tf.Tensor, g: tf.Tensor, decay: number): tf.Tensor {
  return tf.add(tf.mul(previous, decay), tf.mul(tf.square(g), 1 - decay));
}

/**
 * DL4J's guard on the Adam family's bias-corrected step size: a NaN, infinite or zero step size
 * is replaced by epsilon.
 */
export function guardedStepSize(alpha: number, epsilon: number): number {
  return Number.isFinite(alpha) && alpha !== 0 ? alpha : epsilon;
}
