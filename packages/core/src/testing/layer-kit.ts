import * as tf from '@tensorflow/tfjs-core';
import { createBuildContext } from '../build-context';
import type { BuildContext, ForwardContext, Layer, ParamDeclaration, Shape } from '../layer';
import type { Model } from '../model';
import { Rng } from '../random';
import type { Plugin } from '../registry';
import { Registry } from '../registry';

// What a plugin author's layer tests need, the same for every package: a registry, a layer built
// as Network builds it, forward contexts, seeded parameter values, and the config round trip.
// Test-runner agnostic: results are returned, the caller asserts.

/** A fresh registry with core's own components and the given plugins (and `register*` calls) installed. */
export function registryWith(...plugins: readonly (Plugin | ((registry: Registry) => unknown))[]): Registry {
  const registry = new Registry();
  for (const plugin of plugins) {
    if (typeof plugin === 'function') plugin(registry);
    else registry.use(plugin);
  }
  return registry;
}

/** The {@link BuildContext} `Network` passes, recording the declared parameters. */
export function recordingBuildContext(registry: Registry): { context: BuildContext; declarations: ParamDeclaration[] } {
  const declarations: ParamDeclaration[] = [];
  return { context: createBuildContext(registry, declarations), declarations };
}

/**
 * Creates a layer through the registry and builds it for `inputShape`, as `Network.init` does
 * (the name defaults to `l`). The network's own checks of unknown options and defaults are not
 * applied: the layer sees exactly `config`.
 */
export function buildLayer(registry: Registry, config: Readonly<Record<string, unknown>>, inputShape: Shape): { layer: Layer; outputShape: Shape; declarations: ParamDeclaration[] } {
  const layer = registry.create('layer', { name: 'l', ...config });
  const { context, declarations } = recordingBuildContext(registry);
  const outputShape = layer.build(inputShape, context);
  return { layer, outputShape, declarations };
}

/** An inference-mode forward context. */
export function inferenceContext(seed = 1): ForwardContext {
  return { training: false, rng: new Rng(seed) };
}

/** A training-mode forward context whose proposed state values are kept in `state` (the caller disposes them). */
export function trainingContext(seed = 1): { context: ForwardContext; state: Map<string, tf.Tensor> } {
  const state = new Map<string, tf.Tensor>();
  return { context: { training: true, rng: new Rng(seed), setState: (name, value) => void state.set(name, tf.keep(value)) }, state };
}

/** Each declared parameter's initial values from its own initialiser, seeded, by name (the caller disposes them). */
export function initialValues(declarations: readonly ParamDeclaration[], seed = 3): Record<string, tf.Tensor> {
  const rng = new Rng(seed);
  return Object.fromEntries(declarations.map((d) => [d.name, tf.tensor(d.init.init({ shape: d.shape, fanIn: d.fanIn, fanOut: d.fanOut, rng }), [...d.shape])]));
}

/**
 * The config round trip a saved model relies on: the layer's config through JSON and the registry
 * gives a layer with the same key and config, which builds to the same output shape with the same
 * parameter declarations. Returns the differences found (empty when it holds).
 */
export function configRoundTrip(registry: Registry, layer: Layer, inputShape: Shape): string[] {
  const problems: string[] = [];
  const json: unknown = JSON.parse(JSON.stringify(layer.config));
  const recreated = registry.create('layer', json);
  if (recreated.key !== layer.key) problems.push(`key ${recreated.key}, expected ${layer.key}`);
  if (JSON.stringify(recreated.config) !== JSON.stringify(layer.config)) problems.push(`config ${JSON.stringify(recreated.config)}, expected ${JSON.stringify(layer.config)}`);
  const a = recordingBuildContext(registry);
  const b = recordingBuildContext(registry);
  const shapeA = layer.build(inputShape, a.context);
  const shapeB = recreated.build(inputShape, b.context);
  if (JSON.stringify(shapeA) !== JSON.stringify(shapeB)) problems.push(`output shape [${shapeB.join(', ')}], expected [${shapeA.join(', ')}]`);
  const describe = (ds: readonly ParamDeclaration[]) => JSON.stringify(ds.map((d) => [d.name, d.shape, d.role, d.fanIn, d.fanOut, d.init.config]));
  if (describe(a.declarations) !== describe(b.declarations)) problems.push(`declarations ${describe(b.declarations)}, expected ${describe(a.declarations)}`);
  return problems;
}

/** A tensor's values as a plain array. */
export async function values(t: tf.Tensor): Promise<number[]> {
  return Array.from(await t.data());
}

/**
 * Every parameter of a model and every updater-state tensor (keyed `state:<layer>/<param>/<name>`)
 * as plain arrays: what "trains to bitwise the same" and "resumes bitwise" tests compare.
 */
export async function modelState(model: Model): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const name of model.paramNames()) out[name] = await readParam(model, name);
  for (const [name, t] of model.updaterState()) out[`state:${name}`] = await values(t);
  return out;
}

/** A copy of one parameter's values. */
export async function readParam(network: Model, name: string): Promise<number[]> {
  const t = network.getParam(name);
  try {
    return await values(t);
  } finally {
    t.dispose();
  }
}

/** Rows of a row-major matrix given as flat values. */
export function rows(flat: readonly number[], cols: number): number[][] {
  return Array.from({ length: flat.length / cols }, (_, r) => flat.slice(r * cols, r * cols + cols));
}
