import { createBuildContext } from '../build-context';
import * as tf from '@tensorflow/tfjs-core';
import type { Backend } from '../backend';
import { registerGradients } from '../gradients';
import type { ParamDeclaration } from '../layer';
import { resolveLayerConfig } from '../network-config';
import { Rng } from '../random';
import type { Registry } from '../registry';
import { DEFAULT_LAYER_CASES, activationInput, lossCase, normals, type LayerCase } from './conformance-cases';
import { saveLoadChecks } from './conformance-save-load';
import type { ConformanceResult, ConformanceTolerance } from './conformance-types';
import { difference, read, tensorOf, weightedGrads, type Computed, type ConformanceCase } from './conformance-values';
import type { VertexCase } from './conformance-vertices';
import { DEFAULT_VERTEX_CASES, vertexCase } from './conformance-vertices';


/** The default {@link ConformanceTolerance}. */
export const CONFORMANCE_TOLERANCE: ConformanceTolerance = {
  forward: { atol: 1e-4, rtol: 1e-3 },
  gradient: { atol: 1e-3, rtol: 1e-2 },
};

/** Options of {@link runConformance}. */
export interface ConformanceOptions {
  /** Holds every component checked (and, for save/load, the layers, loss and updater of {@link SAVE_LOAD_CONFIG}). */
  readonly registry: Registry;
  /** Computes the expected values; usually the cpu backend. */
  readonly reference: Backend;
  /** The backend under test. It is the active backend when the suite returns. */
  readonly target: Backend;
  /** Activation keys. Default: every activation in the registry. */
  readonly activations?: readonly string[];
  /** Loss keys. Default: every loss in the registry. */
  readonly losses?: readonly string[];
  /** Default {@link DEFAULT_LAYER_CASES}. */
  readonly layers?: readonly LayerCase[];
  /** Graph vertices. Default {@link DEFAULT_VERTEX_CASES}: every vertex core registers. */
  readonly vertices?: readonly VertexCase[];
  /** Train, save on one backend, load on the other, compare predictions, both ways. Default true. */
  readonly saveLoad?: boolean;
  readonly tolerance?: ConformanceTolerance;
}


/** What {@link runConformance} returns; the caller asserts on it (the suite is test-runner agnostic). */
export interface ConformanceReport {
  readonly reference: string;
  readonly target: string;
  readonly results: readonly ConformanceResult[];
  readonly failures: readonly ConformanceResult[];
  /** Tensors left allocated by the whole run (0 when nothing leaks). */
  readonly leakedTensors: number;
}

type Case = ConformanceCase;

/**
 * Runs every activation, loss, layer and vertex case on `reference` and on `target` in this process and
 * compares forward outputs and gradients within the tolerance; then trains a small network, saves
 * it on one backend, loads it on the other and compares predictions, in both directions.
 *
 * @example
 * ```ts
 * const report = await runConformance({ registry, reference: cpuBackend(), target: wasmBackend() });
 * expect(report.failures).toEqual([]);
 * ```
 */
export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  const { registry, reference, target } = options;
  const tolerance = options.tolerance ?? CONFORMANCE_TOLERANCE;
  await registerGradients();
  const cases = [
    ...(options.activations ?? registry.keys('activation')).map((key) => activationCase(registry, key)),
    ...(options.losses ?? registry.keys('loss')).map((key) => lossCaseOf(registry, key)),
    ...(options.layers ?? DEFAULT_LAYER_CASES).map((c) => layerCase(registry, c)),
    ...(options.vertices ?? DEFAULT_VERTEX_CASES).map((c) => vertexCase(registry, c)),
  ];
  await reference.activate();
  const before = tf.memory().numTensors;
  const expected = await Promise.all(cases.map((c) => settle(c.compute)));
  await target.activate();
  const actual = await Promise.all(cases.map((c) => settle(c.compute)));
  const results: ConformanceResult[] = cases.map((c, i) => compareCase(c, expected[i]!, actual[i]!, tolerance));
  if (options.saveLoad ?? true) results.push(...(await saveLoadChecks(registry, reference, target, tolerance)));

  await target.activate();
  return { reference: reference.name, target: target.name, results, failures: results.filter((r) => !r.ok), leakedTensors: tf.memory().numTensors - before };
}

async function settle(compute: () => Promise<Computed>): Promise<Computed | Error> {
  try {
    return await compute();
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

function activationCase(registry: Registry, key: string): Case {
  const input = activationInput();
  return {
    kind: 'activation',
    name: key,
    async compute() {
      const activation = registry.create('activation', key);
      // Inference mode: RReLU uses its mean slope, so the function is deterministic.
      const context = { training: false, rng: new Rng(1) };
      const x = tensorOf(input);
      const outputs = tf.tidy(() => activation.apply(x, context));
      const gradients = tf.tidy(() => weightedGrads((t) => activation.apply(t, context), [x], input.shape));
      // Read before x is freed: the identity returns its input.
      const result = await read(outputs, gradients);
      x.dispose();
      return result;
    },
  };
}

function lossCaseOf(registry: Registry, key: string): Case {
  return {
    kind: 'loss',
    name: key,
    async compute() {
      const loss = registry.create('loss', key);
      const { activation: activationKey, labels, preOutput } = lossCase(loss, key);
      const activation = registry.create('activation', activationKey);
      const [y, z] = [tensorOf(labels), tensorOf(preOutput)];
      const score = (p: tf.Tensor) => loss.scoreArray({ labels: y, preOutput: p, activation });
      const outputs = tf.tidy(() => score(z));
      const gradients = tf.tidy(() => tf.grads((p: tf.Tensor) => tf.sum(score(p)))([z]));
      tf.dispose([y, z]);
      return read(outputs, gradients);
    },
  };
}

function layerCase(registry: Registry, spec: LayerCase): Case {
  const batch = spec.batch ?? 3;
  const input = normals(53, [batch, ...spec.input]);
  return {
    kind: 'layer',
    name: spec.name,
    async compute() {
      const config = resolveLayerConfig(registry, undefined, spec.layer as never, 0);
      const layer = registry.definition('layer', config.type).create(config);
      const declarations: ParamDeclaration[] = [];
      const outShape = layer.build([...spec.input], createBuildContext(registry, declarations));
      const params = layerParams(declarations);
      const trainable = declarations.filter((d) => d.role !== 'state').map((d) => d.name);
      // setState is a no-op: the suite checks one step's outputs, not the running statistics.
      const context = { training: spec.training ?? false, rng: new Rng(3), ...(spec.training === true ? { setState: () => undefined } : {}) };
      const x = tensorOf(input);
      const run = (xs: tf.Tensor, values: readonly tf.Tensor[]) => {
        const map: Record<string, tf.Tensor> = { ...params };
        trainable.forEach((name, i) => (map[name] = values[i]!));
        return layer.forward(xs, map, context);
      };
      const trainableTensors = trainable.map((name) => params[name]!);
      const outputs = tf.tidy(() => run(x, trainableTensors));
      const gradients = tf.tidy(() => weightedGrads((xs, ...values) => run(xs, values), [x, ...trainableTensors], [batch, ...outShape]));
      const result = await read(outputs, gradients);
      tf.dispose([x, ...Object.values(params)]);
      return result;
    },
  };
}

/** The layer's own initial values, trainable ones perturbed so that zero biases and unit gammas are exercised too. */
function layerParams(declarations: readonly ParamDeclaration[]): Record<string, tf.Tensor> {
  const rng = new Rng(71);
  const params: Record<string, tf.Tensor> = {};
  for (const d of declarations) {
    const values = Float32Array.from(d.init.init({ shape: d.shape, fanIn: d.fanIn, fanOut: d.fanOut, rng }));
    if (d.role !== 'state') for (let i = 0; i < values.length; i++) values[i] = values[i]! + 0.2 * rng.normal();
    params[d.name] = tf.tensor(values, [...d.shape], 'float32');
  }
  return params;
}

function compareCase(c: Case, expected: Computed | Error, actual: Computed | Error, tolerance: ConformanceTolerance): ConformanceResult {
  const base = { kind: c.kind, name: c.name };
  if (expected instanceof Error) return { ...base, ok: false, forwardError: Number.NaN, gradientError: Number.NaN, detail: `reference failed: ${expected.message}` };
  if (actual instanceof Error) return { ...base, ok: false, forwardError: Number.NaN, gradientError: Number.NaN, detail: `target failed: ${actual.message}` };
  const forward = difference(actual.outputs, expected.outputs, tolerance.forward);
  const gradients = expected.gradients.map((e, i) => difference(actual.gradients[i] ?? new Float32Array(), e, tolerance.gradient));
  const gradientError = Math.max(0, ...gradients.map((g) => g.worst));
  const problems = [
    ...(forward.ok ? [] : [`outputs differ by up to ${forward.worst.toExponential(2)}`]),
    ...gradients.flatMap((g, i) => (g.ok ? [] : [`gradient ${i} differs by up to ${g.worst.toExponential(2)}`])),
  ];
  return { ...base, ok: problems.length === 0, forwardError: forward.worst, gradientError, ...(problems.length > 0 ? { detail: problems.join('; ') } : {}) };
}
