import * as tf from '@tensorflow/tfjs-core';
import type { BuiltModel, ModelNode } from './built-model';
import type { ForwardContext, Layer, LayerCommonOptions, OutputLayer, RecurrentState } from './layer';
import { isOutputLayer, isRecurrent } from './layer';
import { layerParams } from './param-store';
import { dropoutMask } from './fused-kernels';
import { Rng } from './random';
import type { RecurrentStates } from './training-strategy';

/** What a forward pass may take besides features: the features masks and recurrent state. */
export interface ForwardExtras {
  /** The mask of each model input, in input order (`undefined` where an input has none). */
  readonly masks?: readonly (tf.Tensor | undefined)[] | undefined;
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
  // The mask, already scaled by 1 / keep, comes from a seed of the layer's stream and is the same
  // on every backend (see dropoutMask); one product applies it and is its own gradient's mask.
  return tf.mul(x, dropoutMask(x.shape, rng.nextUint32(), keep));
}

/** What {@link evaluate} computed: every value (inputs, then nodes) with its mask, and each output's values before its activation in training. */
export interface Evaluated {
  readonly values: readonly tf.Tensor[];
  readonly masks: readonly (tf.Tensor | undefined)[];
  /** With `lossInputs`: each output's values before its activation, in output order. */
  readonly preOutputs: readonly tf.Tensor[];
}

/** Options of {@link evaluate}. */
export interface EvaluateOptions extends ForwardExtras {
  /** Training: dropout, batch statistics. */
  readonly training: boolean;
  /** Compute each output's values before its activation, the loss's input (default false: each output layer's `forward`). */
  readonly lossInputs?: boolean;
  /** With `lossInputs`: also apply each output's activation when no other node reads it (default false). */
  readonly activateOutputs?: boolean;
  /** Evaluate only the nodes that node `upTo` depends on, not the node itself. */
  readonly upTo?: number;
}

/**
 * Evaluates the model's graph in node order on `features` (one tensor per input). A layer node
 * applies its dropout in training and runs `forward` (recurrent layers with state where state is
 * given or collected); an output layer computes its values before the activation, the loss's
 * input, where `lossInputs` asks for them, and otherwise runs `forward`, which may fuse its activation. A node's mask is
 * the first of its inputs' masks, or what its vertex says.
 */
export function evaluate(model: BuiltModel, features: readonly tf.Tensor[], params: ReadonlyMap<string, tf.Tensor>, options: EvaluateOptions): Evaluated {
  const { training } = options;
  const nInputs = model.inputs.length;
  const values: tf.Tensor[] = [...features];
  const masks: (tf.Tensor | undefined)[] = model.inputs.map((_, i) => options.masks?.[i]);
  const preOutputs = new Map<number, tf.Tensor>();
  const needed = options.upTo === undefined ? undefined : ancestors(model, options.upTo);
  const consumed = options.lossInputs === true && options.activateOutputs !== true ? consumedValues(model) : undefined;
  model.nodes.forEach((node, j) => {
    if (needed !== undefined && !needed.has(j)) return;
    const inputs = node.inputs.map((v) => values[v] as tf.Tensor);
    const inputMasks = node.inputs.map((v) => masks[v]);
    const mask = inputMasks.find((m) => m !== undefined);
    if (node.vertex !== undefined) {
      values[nInputs + j] = node.vertex.forward(inputs, { training, masks: inputMasks });
      masks[nInputs + j] = node.vertex.outputMask === undefined ? mask : node.vertex.outputMask(inputMasks);
      return;
    }
    const layer = node.layer as Layer;
    const context = forwardContext(model, training, layer, mask);
    masks[nInputs + j] = mask;
    const x = training ? dropout(inputs[0] as tf.Tensor, layer, context.rng) : (inputs[0] as tf.Tensor);
    values[nInputs + j] = options.lossInputs === true && isOutputLayer(layer) ? lossInput(j, layer, x, params, context, preOutputs, consumed) : layerForward(node, layer, x, params, context, options);
  });
  return { values, masks, preOutputs: model.outputs.map((o) => preOutputs.get(o.node) as tf.Tensor) };
}

/** An output layer's values before the activation, kept for the loss, and after it where something reads them. */
function lossInput(
  j: number,
  layer: OutputLayer,
  x: tf.Tensor,
  params: ReadonlyMap<string, tf.Tensor>,
  context: ForwardContext,
  preOutputs: Map<number, tf.Tensor>,
  consumed: ReadonlySet<number> | undefined,
): tf.Tensor {
  const pre = layer.preOutput(x, layerParams(layer, params), context);
  preOutputs.set(j, pre);
  // Nothing reads an output's activated values when scoring unless another node takes them.
  return consumed === undefined || consumed.has(j) ? layer.activation.apply(pre, context) : pre;
}

/** A layer's forward, with recurrent state where the caller gives or collects it. */
function layerForward(node: ModelNode, layer: Layer, x: tf.Tensor, params: ReadonlyMap<string, tf.Tensor>, context: ForwardContext, extras: ForwardExtras): tf.Tensor {
  if (isRecurrent(layer) && (extras.state !== undefined || extras.collect !== undefined)) {
    const result = layer.forwardWithState(x, layerParams(layer, params), context, extras.state?.get(node.name));
    extras.collect?.set(node.name, result.state);
    return result.output;
  }
  return layer.forward(x, layerParams(layer, params), context);
}

/** The nodes node `j`'s inputs depend on, `j` excluded. */
function ancestors(model: BuiltModel, j: number): Set<number> {
  const nInputs = model.inputs.length;
  const found = new Set<number>();
  const stack = [...(model.nodes[j] as ModelNode).inputs];
  while (stack.length > 0) {
    const node = (stack.pop() as number) - nInputs;
    if (node < 0 || found.has(node)) continue;
    found.add(node);
    stack.push(...(model.nodes[node] as ModelNode).inputs);
  }
  return found;
}

/** Node indices whose outputs another node takes. */
function consumedValues(model: BuiltModel): Set<number> {
  const nInputs = model.inputs.length;
  return new Set(model.nodes.flatMap((n) => n.inputs.filter((v) => v >= nInputs).map((v) => v - nInputs)));
}

/** The output layers' values before and after their activation, in output order (training reads both: the loss takes the first). */
export function forward(
  model: BuiltModel,
  features: readonly tf.Tensor[],
  training: boolean,
  params: ReadonlyMap<string, tf.Tensor>,
  extras: ForwardExtras = {},
): { outputs: tf.Tensor[]; preOutputs: readonly tf.Tensor[] } {
  const result = evaluate(model, features, params, { ...extras, training, lossInputs: true, activateOutputs: true });
  return { outputs: model.outputs.map((o) => result.values[model.inputs.length + o.node] as tf.Tensor), preOutputs: result.preOutputs };
}

/** The outputs alone, in output order, for inference: each output layer's `forward`, which may fuse its activation into the product. */
export function forwardOutputs(model: BuiltModel, features: readonly tf.Tensor[], params: ReadonlyMap<string, tf.Tensor>, extras: ForwardExtras = {}): tf.Tensor[] {
  const { values } = evaluate(model, features, params, { ...extras, training: false });
  return model.outputs.map((o) => values[model.inputs.length + o.node] as tf.Tensor);
}

/**
 * Inference outputs starting from the given recurrent state (zeros for layers not listed), and
 * every recurrent layer's state after the last step, kept beyond any tidy scope: the primitive of
 * stateful stepping. The caller disposes the outputs and the state.
 */
export function forwardWithState(
  model: BuiltModel,
  features: readonly tf.Tensor[],
  extras: Pick<ForwardExtras, 'masks' | 'state'>,
): { outputs: tf.Tensor[]; state: Map<string, RecurrentState> } {
  const collect = new Map<string, RecurrentState>();
  const outputs = tf.tidy(() => {
    const out = forward(model, features, false, model.params.current(), { ...extras, collect }).outputs;
    for (const state of collect.values()) for (const t of Object.values(state)) tf.keep(t);
    return out;
  });
  return { outputs, state: collect };
}

/** The input of node `j` in inference mode: the features through every node it depends on. */
export function inputOfNode(model: BuiltModel, j: number, features: readonly tf.Tensor[], params: ReadonlyMap<string, tf.Tensor>): tf.Tensor {
  const { values } = evaluate(model, features, params, { training: false, upTo: j });
  return values[(model.nodes[j] as ModelNode).inputs[0] as number] as tf.Tensor;
}
