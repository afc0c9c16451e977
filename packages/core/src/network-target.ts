import * as tf from '@tensorflow/tfjs-core';
import type { BuiltModel } from './built-model';
import { outputLayerOf } from './built-model';
import { ConfigError, ShapeError, formatShape } from './errors';
import type { ForwardExtras } from './forward-pass';
import { evaluate, forwardContext } from './forward-pass';
import { sumOfSquares } from './fused-kernels';
import type { RecurrentState } from './layer';
import type { AnyBatch, TrainingTarget } from './training-strategy';
import { toMultiBatch } from './training-strategy';
import { applyGradients, withPenaltyGradient } from './update-pipeline';

/**
 * What a {@link TrainingStrategy} sees of a built model: the regularised score and its gradients
 * for given parameter values, the update pipeline, and direct parameter assignment.
 */
export function trainingTarget(model: BuiltModel): TrainingTarget {
  const { params: store, counters } = model;
  const countersView = {
    get iteration() {
      return counters.iteration;
    },
    get epoch() {
      return counters.epoch;
    },
  };
  const trainable = new Map<string, tf.Tensor>();
  // Frozen layers are constants to every strategy: no gradient, no update, no penalty.
  for (const [key, slot] of store.slots) if (slot.role !== 'state' && !slot.frozen) trainable.set(key, slot.variable);
  const merged = (params?: ReadonlyMap<string, tf.Tensor>) => (params === undefined ? store.current() : new Map([...store.current(), ...params]));
  const dataScore = (batch: AnyBatch, training: boolean, all: ReadonlyMap<string, tf.Tensor>, extras: ForwardExtras = {}): tf.Tensor => {
    const m = toMultiBatch(batch);
    const { preOutputs, masks } = evaluate(model, m.features, all, { ...extras, training, lossInputs: true, masks: m.featuresMasks });
    // Each output's mean score, weighted; a single output of weight 1 is its mean score exactly.
    let total: tf.Tensor | undefined;
    model.outputs.forEach((o, k) => {
      const labels = { labels: m.labels[k] as tf.Tensor, labelsMask: m.labelsMasks?.[k], featuresMask: masks[model.inputs.length + o.node] };
      const mean = tf.mean(perExampleScore(model, k, labels, preOutputs[k] as tf.Tensor, training));
      const weighted = o.weight === 1 ? mean : tf.mul(mean, o.weight);
      total = total === undefined ? weighted : tf.add(total, weighted);
    });
    return total as tf.Tensor;
  };
  const penalty = (score: tf.Tensor, all: ReadonlyMap<string, tf.Tensor>): tf.Tensor => {
    let total = score;
    for (const [key, slot] of store.slots) {
      if (slot.frozen) continue;
      const w = all.get(key) as tf.Tensor;
      // DL4J's penalties: l1 * sum|w| + 0.5 * l2 * sum(w^2); gradients l1 * sign(w) + l2 * w.
      if (slot.l1 > 0) total = tf.add(total, tf.mul(slot.l1, tf.sum(tf.abs(w))));
      if (slot.l2 > 0) total = tf.add(total, tf.mul(0.5 * slot.l2, sumOfSquares(w)));
    }
    return total;
  };
  return {
    trainableParams: () => trainable,
    score: (batch, training, params, options) => {
      const all = merged(params);
      return penalty(dataScore(batch, training, all, { state: options?.recurrentState }), all);
    },
    scoreAndGradients: (batch, training, params, options) => {
      const all = merged(params);
      const penalties = options?.penalties ?? true;
      const names = [...trainable.keys()];
      const collect = new Map<string, RecurrentState>();
      const xs = names.map((name) => all.get(name) as tf.Tensor);
      // allowNoGradients: a parameter the loss does not reach (a pretrained layer's visible bias,
      // used only in pretraining) gets a zero gradient instead of failing the whole step.
      const { value, grads } = tf.engine().gradients(
        () => {
          const score = dataScore(batch, training, new Map([...all, ...names.map((name, i): [string, tf.Tensor] => [name, xs[i] as tf.Tensor])]), {
            state: options?.recurrentState,
            collect,
          });
          // The final state must outlive the gradient computation's own scope.
          for (const state of collect.values()) for (const t of Object.values(state)) tf.keep(t);
          return score;
        },
        xs,
        undefined,
        true,
      );
      const gradients = new Map<string, tf.Tensor>();
      names.forEach((name, i) => {
        const g = (grads[i] as tf.Tensor | undefined) ?? tf.zerosLike(xs[i] as tf.Tensor);
        gradients.set(name, penalties ? withPenaltyGradient(store.slots.get(name), g, all.get(name) as tf.Tensor) : g);
      });
      // Hand the kept state to the caller's scope: clones are tracked there, the kept originals go.
      const recurrentState = new Map<string, RecurrentState>();
      for (const [layer, state] of collect) {
        recurrentState.set(layer, Object.fromEntries(Object.entries(state).map(([k, t]) => [k, tf.clone(t)])));
        tf.dispose(Object.values(state));
      }
      return { score: penalty(value, all), gradients, recurrentState };
    },
    applyGradients: (gradients) => applyGradients(store, model.layers, gradients, { iteration: counters.iteration, epoch: counters.epoch }),
    setParams: (values) => {
      for (const [key, value] of values) {
        const variable = trainable.get(key) as tf.Variable | undefined;
        if (variable === undefined) throw new ConfigError(`setParams: "${key}" is not a trainable parameter`);
        if (!tf.util.arraysEqual(value.shape, variable.shape)) throw new ShapeError(`setParams: "${key}" has shape ${formatShape(value.shape)}, expected ${formatShape(variable.shape)}`, value.shape, variable.shape);
      }
      for (const [key, value] of values) (trainable.get(key) as tf.Variable).assign(value);
    },
    counters: countersView,
  };
}

/** One output's labels, its labels mask, and the mask that reached it from the features. */
interface OutputLabels {
  readonly labels: tf.Tensor;
  readonly labelsMask: tf.Tensor | undefined;
  readonly featuresMask: tf.Tensor | undefined;
}

/**
 * Per-example data scores `[batch]` of output `k`. A sequence output `[batch, time, nOut]` is scored at every
 * step, as DL4J's RnnOutputLayer: rows are flattened to `[batch * time, nOut]` for the loss, the
 * labels mask (or else the features mask) removes padded steps, and an example's score is the
 * sum over its steps.
 */
function perExampleScore(model: BuiltModel, k: number, batch: OutputLabels, preOutput: tf.Tensor, training: boolean): tf.Tensor {
  const out = outputLayerOf(model, k);
  const context = forwardContext(model, training);
  if (preOutput.rank !== 3) return out.loss.scoreArray({ labels: batch.labels, preOutput, activation: out.activation, context });
  const [n, steps, nOut] = preOutput.shape as [number, number, number];
  const featuresMask = batch.featuresMask?.shape[1] === steps ? batch.featuresMask : undefined;
  const mask = batch.labelsMask ?? featuresMask;
  const rows = n * steps;
  const flatMask = mask === undefined ? undefined : tf.reshape(tf.cast(mask, 'float32'), [rows, 1]);
  const labels = tf.reshape(batch.labels, [rows, batch.labels.shape[2] as number]);
  const input = { labels, preOutput: tf.reshape(preOutput, [rows, nOut]), activation: out.activation, context };
  let perStep = out.loss.scoreArray(flatMask === undefined ? input : { ...input, mask: tf.broadcastTo(flatMask, [rows, nOut]) });
  // Losses that ignore LossInput.mask are masked here too (masks hold 0 or 1, so twice is once).
  if (flatMask !== undefined) perStep = tf.mul(perStep, tf.reshape(flatMask, [rows]));
  return tf.sum(tf.reshape(perStep, [n, steps]), 1);
}
