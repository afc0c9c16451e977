import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import type { AnyBatch, Batch, TrainingTarget } from '@dl4ts/core';
import { isMultiBatch } from '@dl4ts/core';

/**
 * Test support (not exported): a {@link TrainingTarget} over a plain function of a parameter map,
 * counting its evaluations, so the optimisers can be tested on Rosenbrock and friends without a
 * network.
 */
export interface FunctionTarget extends TrainingTarget {
  /** Calls to `score` and to `scoreAndGradients` so far. */
  readonly calls: { score: number; gradient: number };
  /**
   * One entry per gradient evaluation (the optimisers evaluate the gradient at each accepted
   * point): the score there, the parameter values, and the evaluations (score + gradient) made so far.
   */
  readonly trace: { evaluations: number; score: number; params: number[] }[];
  /** Current parameter values, read to the host. */
  values(): Promise<Record<string, number[]>>;
  dispose(): void;
}

export type Objective = (params: ReadonlyMap<string, Tensor>, batch: Batch) => Tensor;

/** The fixtures' objectives take a network's batch, one input and one output. */
function single(batch: AnyBatch): Batch {
  if (isMultiBatch(batch)) throw new Error('test objectives take a single-input batch');
  return batch;
}

/** A target whose score is `objective(params, batch)`, with parameters initialised from `initial`. */
export function functionTarget(initial: Record<string, { values: number[]; shape: number[] }>, objective: Objective): FunctionTarget {
  const variables = new Map<string, tf.Variable>();
  for (const [name, { values, shape }] of Object.entries(initial)) {
    const value = tf.tensor(values, shape, 'float32');
    variables.set(name, tf.variable(value));
    value.dispose();
  }
  const calls = { score: 0, gradient: 0 };
  const trace: { evaluations: number; score: number; params: number[] }[] = [];
  const merged = (params?: ReadonlyMap<string, Tensor>): Map<string, Tensor> => new Map<string, Tensor>([...variables, ...(params ?? [])]);
  return {
    calls,
    trace,
    counters: { iteration: 0, epoch: 0 },
    trainableParams: () => variables,
    score(batch, _training, params) {
      calls.score++;
      return objective(merged(params), single(batch));
    },
    scoreAndGradients(batch, _training, params) {
      calls.gradient++;
      const all = merged(params);
      const names = [...variables.keys()];
      const { value, grads } = tf.valueAndGrads((...xs: Tensor[]) => objective(new Map([...all, ...names.map((n, i): [string, Tensor] => [n, xs[i] as Tensor])]), single(batch)))(
        names.map((n) => all.get(n) as Tensor),
      );
      const flat = names.flatMap((n) => Array.from((all.get(n) as Tensor).dataSync()));
      trace.push({ evaluations: calls.score + calls.gradient, score: value.dataSync()[0] as number, params: flat });
      return { score: value, gradients: new Map(names.map((n, i) => [n, grads[i] as Tensor])) };
    },
    applyGradients() {
      throw new Error('whole-vector optimisers must not call applyGradients');
    },
    setParams(values) {
      for (const [name, value] of values) (variables.get(name) as tf.Variable).assign(value);
    },
    async values() {
      const out: Record<string, number[]> = {};
      for (const [name, v] of variables) out[name] = Array.from(await v.data());
      return out;
    },
    dispose() {
      for (const v of variables.values()) v.dispose();
    },
  };
}

/** Rosenbrock's function `(1 - x)^2 + 100 (y - x^2)^2` of the parameter `w = (x, y)`. */
export const rosenbrock: Objective = (params) =>
  tf.tidy(() => {
    const w = params.get('w') as Tensor;
    const [x, y] = tf.split(w, 2);
    return tf.sum(tf.add(tf.square(tf.sub(1, x as Tensor)), tf.mul(100, tf.square(tf.sub(y as Tensor, tf.square(x as Tensor))))));
  });

/** A batch the function targets ignore. */
export function dummyBatch(): Batch {
  return { features: tf.zeros([1, 1]), labels: tf.zeros([1, 1]) };
}

/** Park-Miller minimal standard generator in [0, 1): deterministic test data without core's Rng. */
export function lcg(seed: number): () => number {
  let state = seed % 2147483647;
  if (state <= 0) state += 2147483646;
  return () => {
    state = (state * 16807) % 2147483647;
    return (state - 1) / 2147483646;
  };
}
