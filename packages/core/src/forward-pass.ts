import * as tf from '@tensorflow/tfjs-core';
import type { BuiltModel } from './built-model';
import { outputLayerOf } from './built-model';
import type { ForwardContext, Layer, LayerCommonOptions, RecurrentState } from './layer';
import { isRecurrent } from './layer';
import { layerParams } from './param-store';
import { Rng } from './random';
import type { RecurrentStates } from './training-strategy';

/** What a forward pass may take besides features: the features mask and recurrent state. */
export interface ForwardExtras {
  readonly mask?: tf.Tensor | undefined;
  /** Initial state of recurrent layers, by layer name. */
  readonly state?: RecurrentStates | undefined;
  /** When given, receives every recurrent layer's final state. */
  readonly collect?: Map<string, RecurrentState>;
}

/**
 * The context a layer runs in for the current step. Each layer gets its own seeded stream per
 * iteration, so two dropout layers never share a mask and a resumed run draws the same values.
 */
export function forwardContext(model: BuiltModel, training: boolean, layer?: Layer, mask?: tf.Tensor): ForwardContext {
  const index = layer === undefined ? -1 : model.layers.indexOf(layer);
  const rng = new Rng(model.seed ^ Math.imul(model.counters.iteration + 1, 0x27d4eb2d) ^ Math.imul(index + 2, 0x165667b1));
  const withMask = mask === undefined ? {} : { mask };
  if (!training || layer === undefined) return { training, rng, ...withMask };
  const name = layer.config.name;
  return { training, rng, ...withMask, setState: (param, value) => model.params.propose(name, param, value) };
}

/** Inverted dropout on a layer's input, DL4J's convention: `dropout` is the retain probability. */
function dropout(x: tf.Tensor, layer: Layer, rng: Rng): tf.Tensor {
  const keep = (layer.config as LayerCommonOptions).dropout;
  if (keep === undefined || keep >= 1) return x;
  // tfjs draws seeded uniforms on the host, so the mask is the same on every backend.
  const mask = tf.cast(tf.less(tf.randomUniform(x.shape, 0, 1, 'float32', rng.nextUint32()), keep), 'float32');
  return tf.mul(x, tf.div(mask, keep));
}

/** The output layer's values before and after its activation (training reads both: the loss takes the first). */
export function forward(model: BuiltModel, features: tf.Tensor, training: boolean, params: ReadonlyMap<string, tf.Tensor>, extras: ForwardExtras = {}): { output: tf.Tensor; preOutput: tf.Tensor } {
  const x = forwardHidden(model, features, training, params, extras);
  const out = outputLayerOf(model);
  const context = forwardContext(model, training, out, extras.mask);
  const input = training ? dropout(x, out, context.rng) : x;
  const preOutput = out.preOutput(input, layerParams(out, params), context);
  return { preOutput, output: out.activation.apply(preOutput, context) };
}

/** The output alone, for inference: the output layer's `forward`, which may fuse its activation into the product. */
export function forwardOutput(model: BuiltModel, features: tf.Tensor, params: ReadonlyMap<string, tf.Tensor>, extras: ForwardExtras = {}): tf.Tensor {
  const x = forwardHidden(model, features, false, params, extras);
  const out = outputLayerOf(model);
  return out.forward(x, layerParams(out, params), forwardContext(model, false, out, extras.mask));
}

/** The layers below the output layer, in order: what the output layer receives. */
function forwardHidden(model: BuiltModel, features: tf.Tensor, training: boolean, params: ReadonlyMap<string, tf.Tensor>, extras: ForwardExtras): tf.Tensor {
  let x = features;
  const last = model.layers.length - 1;
  for (let i = 0; i < last; i++) {
    const layer = model.layers[i] as Layer;
    const context = forwardContext(model, training, layer, extras.mask);
    if (training) x = dropout(x, layer, context.rng);
    if (isRecurrent(layer) && (extras.state !== undefined || extras.collect !== undefined)) {
      const result = layer.forwardWithState(x, layerParams(layer, params), context, extras.state?.get(layer.config.name));
      extras.collect?.set(layer.config.name, result.state);
      x = result.output;
    } else {
      x = layer.forward(x, layerParams(layer, params), context);
    }
  }
  return x;
}

/** The input of layer `index` in inference mode: the features through every layer below it. */
export function inputOfLayer(model: BuiltModel, index: number, features: tf.Tensor, params: ReadonlyMap<string, tf.Tensor>): tf.Tensor {
  let x = features;
  for (let i = 0; i < index; i++) {
    const below = model.layers[i] as Layer;
    x = below.forward(x, layerParams(below, params), forwardContext(model, false));
  }
  return x;
}
