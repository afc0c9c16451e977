import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from './errors';
import { fusedApplyUpdate, scaledAdd } from './fused-kernels';
import type { Layer, LayerCommonOptions } from './layer';
import type { ParamSlot, ParamStore } from './param-store';
import type { Updater, UpdaterState, UpdaterStep } from './updater';

type Entry = [key: string, slot: ParamSlot, gradient: tf.Tensor];

/**
 * The update pipeline, DL4J's order, for gradients of the data loss: each layer's gradient
 * normalisation, then the L1/L2 penalty gradients, the updater, decoupled weight decay, and the
 * in-place update `w <- w - update`. Where the backend offers the fused update kernel (the native
 * one), penalties, updater and decay run as one kernel per parameter with the same values.
 */
export function applyGradients(params: ParamStore, layers: readonly Layer[], gradients: ReadonlyMap<string, tf.Tensor>, step: UpdaterStep): void {
  const entries: Entry[] = [];
  for (const [key, gradient] of gradients) {
    const slot = params.slots.get(key);
    if (slot === undefined || slot.updater === undefined) throw new ConfigError(`applyGradients: "${key}" is not a trainable parameter`);
    entries.push([key, slot, gradient]);
  }
  for (const [, slot, gradient] of normaliseGradients(entries, layers)) {
    const updater = slot.updater as Updater;
    const old = params.stateFor(slot);
    const decay = slot.weightDecay > 0 ? slot.weightDecay * (slot.weightDecayApplyLR ? (updater.learningRateAt?.(step) ?? 1) : 1) : 0;
    const rule = updater.fusedRule?.(step);
    const fused = rule === undefined ? undefined : fusedApplyUpdate(slot.variable, gradient, old, rule, { l1: slot.l1, l2: slot.l2, decay });
    let state: UpdaterState;
    if (fused !== undefined) {
      slot.variable.assign(fused.param);
      state = fused.state;
    } else {
      const applied = updater.apply(withPenaltyGradient(slot, gradient, slot.variable), old, step);
      state = applied.state;
      const total = decay > 0 ? scaledAdd(applied.update, slot.variable, decay) : applied.update;
      slot.variable.assign(tf.sub(slot.variable, total));
    }
    for (const t of Object.values(state)) tf.keep(t);
    const kept = new Set(Object.values(state));
    for (const t of Object.values(old)) if (!kept.has(t)) t.dispose();
    slot.state = state;
  }
}

/** Adds the closed-form gradient of a parameter's penalties, `l1 sign(w) + l2 w`, to `gradient`. */
export function withPenaltyGradient(slot: ParamSlot | undefined, gradient: tf.Tensor, value: tf.Tensor): tf.Tensor {
  let total = gradient;
  if (slot === undefined) return total; // applyGradients names the bad key
  if (slot.l1 > 0) total = tf.add(total, tf.mul(slot.l1, tf.sign(value)));
  if (slot.l2 > 0) total = scaledAdd(total, value, slot.l2);
  return total;
}

/** Each layer's gradient normalisation (DL4J's modes) over the gradients of its parameters. */
function normaliseGradients(entries: readonly Entry[], layers: readonly Layer[]): Entry[] {
  const byLayer = new Map<string, Entry[]>();
  for (const entry of entries) {
    const group = byLayer.get(entry[1].layer) ?? [];
    group.push(entry);
    byLayer.set(entry[1].layer, group);
  }
  const result: Entry[] = [];
  for (const [layerName, group] of byLayer) {
    const cfg = layers.find((l) => l.config.name === layerName)?.config as LayerCommonOptions | undefined;
    const mode = cfg?.gradientNormalization ?? 'none';
    const threshold = cfg?.gradientNormalizationThreshold ?? 1;
    const l2 = (g: tf.Tensor) => tf.sqrt(tf.sum(tf.square(g)));
    const layerNorm = () => l2(tf.concat(group.map(([, , g]) => tf.reshape(g, [-1]))));
    // A tiny floor keeps an all-zero gradient at zero instead of 0/0.
    const safe = (norm: tf.Tensor) => tf.maximum(norm, 1e-30);
    // The clipping modes scale by threshold / max(norm, threshold): 1 when the norm is within it.
    const clip = (norm: tf.Tensor) => tf.div(threshold, tf.maximum(norm, threshold));
    switch (mode) {
      case 'none':
        result.push(...group);
        break;
      case 'renormalizeL2PerLayer': {
        const norm = safe(layerNorm());
        for (const [k, slot, g] of group) result.push([k, slot, tf.div(g, norm)]);
        break;
      }
      case 'renormalizeL2PerParamType':
        for (const [k, slot, g] of group) result.push([k, slot, tf.div(g, safe(l2(g)))]);
        break;
      case 'clipElementWiseAbsoluteValue':
        for (const [k, slot, g] of group) result.push([k, slot, tf.clipByValue(g, -threshold, threshold)]);
        break;
      case 'clipL2PerLayer': {
        const scale = clip(layerNorm());
        for (const [k, slot, g] of group) result.push([k, slot, tf.mul(g, scale)]);
        break;
      }
      case 'clipL2PerParamType':
        for (const [k, slot, g] of group) result.push([k, slot, tf.mul(g, clip(l2(g)))]);
        break;
      default:
        throw new ConfigError(`Layer "${layerName}": unknown gradientNormalization ${JSON.stringify(mode)}`);
    }
  }
  return result;
}
