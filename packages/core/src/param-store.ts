import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError, ValueError, formatShape } from './errors';
import type { Layer, LayerCommonOptions, ParamDeclaration, ParamMap, ParamRole } from './layer';
import type { Rng } from './random';
import type { Registry, ResolvedConfig } from './registry';
import type { Updater, UpdaterState } from './updater';

/** The updater of a trainable layer whose config names none (DL4J's SGD default), core's own. */
export const DEFAULT_UPDATER = { type: 'core/sgd', learningRate: 1e-3 };

/** One parameter with everything the update pipeline needs to train it. */
export interface ParamSlot {
  readonly layer: string;
  readonly name: string;
  readonly role: ParamRole;
  /**
   * Set by the layer's `frozen` option: left out of gradient training, still pretrainable. A frozen
   * parameter holds no updater state until pretraining first updates it (see {@link ParamStore.stateFor}).
   */
  readonly frozen: boolean;
  readonly variable: tf.Variable;
  readonly updater: Updater | undefined;
  state: UpdaterState;
  readonly l1: number;
  readonly l2: number;
  readonly weightDecay: number;
  readonly weightDecayApplyLR: boolean;
}

/**
 * A network's parameters, keyed `<layer>/<param>` in layer order: the variables, each one's
 * updater and its state, its penalties, and the state values layers propose during a step. Owns
 * every tensor it holds.
 */
export class ParamStore {
  readonly slots = new Map<string, ParamSlot>();
  /** State values proposed by layers during the current training step (e.g. running means). */
  private readonly pending = new Map<string, tf.Tensor>();

  /** Creates a layer's declared parameters from `rng`, with their updaters and initial state. */
  create(layer: Layer, declarations: readonly ParamDeclaration[], rng: Rng, registry: Registry, defaultUpdater: unknown): void {
    const cfg = layer.config as ResolvedConfig & LayerCommonOptions;
    for (const d of declarations) {
      checkParamSize(layer.config.name, d);
      const values = d.init.init({ shape: d.shape, fanIn: d.fanIn, fanOut: d.fanOut, rng });
      const expected = d.shape.reduce((a, b) => a * b, 1);
      if (values.length !== expected) throw new ShapeError(`Weight init ${d.init.key} produced ${values.length} values for "${layer.config.name}/${d.name}", expected ${expected}`);
      const trainable = d.role !== 'state';
      const updaterRef = d.role === 'bias' ? (cfg.biasUpdater ?? cfg.updater) : cfg.updater;
      // The updater first: a config it rejects must not leave a variable behind.
      const updater = trainable ? registry.create('updater', updaterRef ?? defaultUpdater) : undefined;
      const initial = tf.tensor(values, [...d.shape], 'float32');
      const variable = tf.variable(initial, trainable);
      initial.dispose(); // the variable holds its own reference to the data
      const bias = d.role === 'bias';
      this.slots.set(`${layer.config.name}/${d.name}`, {
        layer: layer.config.name,
        name: d.name,
        role: d.role,
        frozen: cfg.frozen === true,
        variable,
        updater,
        state: updater === undefined || cfg.frozen === true ? {} : initialState(updater, variable),
        l1: trainable ? ((bias ? cfg.l1Bias : cfg.l1) ?? 0) : 0,
        l2: trainable ? ((bias ? cfg.l2Bias : cfg.l2) ?? 0) : 0,
        weightDecay: trainable ? ((bias ? cfg.weightDecayBias : cfg.weightDecay) ?? 0) : 0,
        weightDecayApplyLR: cfg.weightDecayApplyLR ?? true,
      });
    }
  }

  /** One parameter's slot; a {@link ConfigError} listing the known names otherwise. */
  slot(name: string): ParamSlot {
    const slot = this.slots.get(name);
    if (slot === undefined) throw new ConfigError(`Unknown parameter "${name}"; known: ${[...this.slots.keys()].join(', ')}`);
    return slot;
  }

  /** Every parameter's variable, by key. */
  current(): Map<string, tf.Tensor> {
    const params = new Map<string, tf.Tensor>();
    for (const [key, slot] of this.slots) params.set(key, slot.variable);
    return params;
  }

  /**
   * The updater state a slot's next update starts from: a frozen parameter's is created on its
   * first update (pretraining), so a feature extractor holds none while other layers train.
   */
  stateFor(slot: ParamSlot): UpdaterState {
    if (slot.frozen && slot.updater !== undefined && Object.keys(slot.state).length === 0) {
      const updater = slot.updater;
      slot.state = tf.tidy(() => updater.initState(slot.variable));
      for (const t of Object.values(slot.state)) tf.keep(t);
    }
    return slot.state;
  }

  /** Number of parameter values, in total or of one layer. */
  count(layer?: string): number {
    let n = 0;
    for (const slot of this.slots.values()) if (layer === undefined || slot.layer === layer) n += slot.variable.size;
    return n;
  }

  /** Records a state value a layer proposed during a training step; {@link commitState} assigns it. */
  propose(layer: string, param: string, value: tf.Tensor): void {
    const key = `${layer}/${param}`;
    if (this.slots.get(key)?.role !== 'state') throw new ConfigError(`Layer "${layer}" set "${param}", which is not one of its state parameters`);
    this.pending.get(key)?.dispose();
    this.pending.set(key, tf.keep(value));
  }

  /** Assigns the state values layers proposed during the step that just finished. */
  commitState(): void {
    for (const [key, value] of this.pending) (this.slots.get(key) as ParamSlot).variable.assign(value);
    this.discardState();
  }

  discardState(): void {
    for (const value of this.pending.values()) value.dispose();
    this.pending.clear();
  }

  /** Every updater's state, keyed `<layer>/<param>/<state name>` (the store's own tensors). */
  updaterState(): Map<string, tf.Tensor> {
    const result = new Map<string, tf.Tensor>();
    for (const [key, slot] of this.slots) for (const [name, t] of Object.entries(slot.state)) result.set(`${key}/${name}`, t);
    return result;
  }

  /**
   * Replaces updater state from {@link updaterState}'s layout: the same keys and shapes; values are
   * copied. A frozen parameter's state may be given in full or left out (it then holds none).
   */
  setUpdaterState(values: ReadonlyMap<string, tf.Tensor>): void {
    // Each slot's state names and shapes; a frozen slot's only where the values give its state.
    const expected = new Map<string, readonly number[]>();
    const given = new Map<ParamSlot, string[]>();
    for (const slot of this.slots.values()) {
      const shapes = stateShapes(slot);
      const prefix = `${slot.layer}/${slot.name}/`;
      const names = Object.keys(shapes);
      if (slot.frozen && !names.some((n) => values.has(prefix + n))) continue;
      given.set(slot, names);
      for (const n of names) expected.set(prefix + n, shapes[n] as readonly number[]);
    }
    const missing = [...expected.keys()].filter((k) => !values.has(k));
    const extra = [...values.keys()].filter((k) => !expected.has(k));
    if (missing.length > 0 || extra.length > 0) {
      const parts = [missing.length > 0 ? `missing ${missing.join(', ')}` : '', extra.length > 0 ? `unknown ${extra.join(', ')}` : ''];
      throw new ConfigError(`setUpdaterState: ${parts.filter((p) => p !== '').join('; ')}`);
    }
    for (const [key, shape] of expected) {
      const value = values.get(key) as tf.Tensor;
      if (!tf.util.arraysEqual(value.shape, [...shape])) throw new ShapeError(`setUpdaterState: "${key}" has shape ${formatShape(value.shape)}, expected ${formatShape(shape)}`, value.shape, shape);
    }
    for (const slot of this.slots.values()) {
      const prefix = `${slot.layer}/${slot.name}/`;
      const next: UpdaterState = {};
      for (const name of given.get(slot) ?? []) next[name] = tf.keep(tf.tidy(() => tf.clone(tf.cast(values.get(prefix + name) as tf.Tensor, 'float32'))));
      for (const t of Object.values(slot.state)) t.dispose();
      slot.state = next;
    }
  }

  /** Frees every variable, updater state and pending state value. */
  dispose(): void {
    for (const slot of this.slots.values()) {
      slot.variable.dispose();
      for (const t of Object.values(slot.state)) t.dispose();
    }
    this.slots.clear();
    this.discardState();
  }
}

/** The names and shapes of a slot's updater state: what it holds, or for a frozen slot without any, what its updater would create. */
function stateShapes(slot: ParamSlot): Record<string, readonly number[]> {
  const updater = slot.updater;
  if (!slot.frozen || updater === undefined || Object.keys(slot.state).length > 0) return Object.fromEntries(Object.entries(slot.state).map(([n, t]) => [n, t.shape]));
  const initial = tf.tidy(() => updater.initState(slot.variable));
  const shapes = Object.fromEntries(Object.entries(initial).map(([n, t]) => [n, t.shape]));
  tf.dispose(Object.values(initial));
  return shapes;
}

/** The most values one tfjs tensor holds (sizes are int32 in its kernels). */
export const MAX_PARAM_VALUES = 2 ** 31 - 1;

/** A parameter too large for one tensor is refused with the size it would need, before any allocation. */
function checkParamSize(layer: string, d: ParamDeclaration): void {
  const values = d.shape.reduce((a, b) => a * b, 1);
  if (values <= MAX_PARAM_VALUES) return;
  const gb = (values * 4) / 1e9;
  throw new ValueError(
    `Layer "${layer}": parameter ${d.name} of shape [${d.shape.join(', ')}] would hold ${values.toLocaleString('en-US')} values (${gb.toFixed(1)} GB of float32); one tensor holds at most ${MAX_PARAM_VALUES.toLocaleString('en-US')}`,
  );
}

/** An updater's initial state for a new variable; the variable is freed if the updater fails. */
function initialState(updater: Updater, variable: tf.Variable): UpdaterState {
  try {
    return tf.tidy(() => updater.initState(variable));
  } catch (error) {
    variable.dispose();
    throw error;
  }
}

/** The entries of `params` that belong to `layer`, by parameter name. */
export function layerParams(layer: Layer, params: ReadonlyMap<string, tf.Tensor>): ParamMap {
  const result: Record<string, tf.Tensor> = {};
  const prefix = `${layer.config.name}/`;
  for (const [key, value] of params) if (key.startsWith(prefix)) result[key.slice(prefix.length)] = value;
  return result;
}
