import * as tf from '@tensorflow/tfjs-core';
import type { ResolvedConfig, Updater, UpdaterStep } from '@dl4ts/core';
import { POSITIVE, inRange, onlyOptions, positive, scheduledOption } from './options';
import { scheduleValue } from './schedules';
import type { Scheduled } from './schedules';
import { guardedStepSize, stateTensor } from './state';
import { type FusedRule, withFusedRule } from './fused-step';

/** Options shared by Adam, AdaMax, Nadam and AMSGrad (DL4J's defaults). */
export interface AdamFamilyOptions {
  /** A number or a schedule; default 1e-3. */
  learningRate?: Scheduled;
  /** Decay of the gradient mean, in [0, 1); default 0.9. */
  beta1?: number;
  /** Decay of the squared-gradient mean (AdaMax: of the infinity norm), in [0, 1); default 0.999. */
  beta2?: number;
  /** Default 1e-8. */
  epsilon?: number;
}

/** The validated options, as one step of an Adam-family updater sees them. */
export interface AdamFamilyStep {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** The learning rate at this step (schedules applied). */
  readonly learningRate: number;
  /** `iteration + 1`, the exponent of the bias corrections. */
  readonly t: number;
  /** This updater's state tensor by name, checked to exist. */
  state(name: string): tf.Tensor;
}

/**
 * Builds an Adam-family updater: validates the shared options (naming any unknown one), starts every
 * state tensor in `stateNames` at zero, and calls `step` with the options and the state.
 */
export function adamFamily(
  key: string,
  config: ResolvedConfig,
  stateNames: readonly string[],
  step: (gradient: tf.Tensor, s: AdamFamilyStep) => { update: tf.Tensor; state: Record<string, tf.Tensor> },
  fused: (s: Omit<AdamFamilyStep, 'state'>) => { rule: FusedRule; constants: number[] },
): Updater {
  onlyOptions(config, ['learningRate', 'beta1', 'beta2', 'epsilon']);
  const learningRate = scheduledOption(config, 'learningRate', 1e-3, POSITIVE);
  const beta1 = inRange(config, 'beta1', 0.9, 0, 1);
  const beta2 = inRange(config, 'beta2', 0.999, 0, 1);
  const epsilon = positive(config, 'epsilon', 1e-8);
  const learningRateAt = (at: UpdaterStep): number => scheduleValue(learningRate, at);
  const constants = (at: UpdaterStep) => ({ beta1, beta2, epsilon, learningRate: learningRateAt(at), t: at.iteration + 1 });
  const updater: Updater = {
    key,
    config: { ...config, learningRate, beta1, beta2, epsilon },
    initState: (param) => Object.fromEntries(stateNames.map((name) => [name, tf.zerosLike(param)])),
    apply: (gradient, state, at) => step(gradient, { ...constants(at), state: (name) => stateTensor(state, name, key) }),
    learningRateAt,
  };
  return withFusedRule(updater, (at) => ({ ...fused(constants(at)), state: stateNames }));
}

/** Adam's and AMSGrad's bias-corrected step size `lr sqrt(1 - b2^t) / (1 - b1^t)`, with DL4J's guard. */
export function adamAlpha(s: Pick<AdamFamilyStep, 'learningRate' | 'beta1' | 'beta2' | 't' | 'epsilon'>): number {
  return guardedStepSize((s.learningRate * Math.sqrt(1 - s.beta2 ** s.t)) / (1 - s.beta1 ** s.t), s.epsilon);
}
