import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, LOSS_CONTRACT_VERSION, ShapeError, formatShape } from '@dl4ts/core';
import type { ComponentDefinition, Loss, LossInput, ResolvedConfig } from '@dl4ts/core';

/** Config of a loss without options. */
export type NoOptions = Record<never, never>;

/** Config of a loss that takes DL4J's per-output weights. */
export interface WeightsOption {
  /**
   * One weight per output (length nOut), multiplying that output's term, as DL4J's `weights` row
   * vector. Checked against nOut when the loss first sees an output: a `ShapeError` otherwise.
   */
  weights?: number[];
}

/** Smallest value fed to a log or a division where DL4J has no guard and no fused form applies. */
export const EPS = 1e-10;
/**
 * DL4J's `Nd4j.EPS_THRESHOLD`, its clip for binary cross-entropy, KL divergence and cosine norms.
 * Binary cross-entropy needs it large: 1 - 1e-10 rounds to 1 in float32 and log(1 - p) = -Infinity.
 */
export const DL4J_EPS = 1e-5;

/** What a loss's math receives besides its input. */
export interface ScoreContext {
  /** Number of outputs, the last dimension of `preOutput`. */
  readonly nOut: number;
  /** `[nOut]` per-output weights, when configured. */
  readonly weights: tf.Tensor | undefined;
}

/** How to define a loss: its math and what it accepts. */
export interface LossSpec {
  readonly key: string;
  readonly description: string;
  /** Whether it takes the `weights` option. */
  readonly weighted?: boolean;
  /** `'dense'` (default): labels are the shape of `preOutput`. `'sparse'`: one class index per example. */
  readonly labels?: 'dense' | 'sparse';
  /** Per-example scores `[batch]`. Labels, weights and options are already checked. */
  score(input: LossInput, context: ScoreContext): tf.Tensor;
  /** Optional label check run by core once per data set (see the Loss contract). */
  checkLabels?(labels: tf.Tensor, nOut: number): Promise<void>;
}

/**
 * Builds a registry definition from a loss's math. It checks the config once (unknown options,
 * weight values) and, on every call, that labels match `preOutput` and weights match nOut.
 *
 * @example
 * ```ts
 * defineLoss({ key: 'my-plugin/l4', description: 'Sum of (y - a)^4', score: ({ labels, preOutput, activation, mask }) =>
 *   sumOutputs(tf.pow(tf.sub(labels, activation.apply(preOutput, { training: true })), 4), { mask }) });
 * ```
 */
export function defineLoss(spec: LossSpec): ComponentDefinition<'loss', Loss> {
  const { key } = spec;
  return {
    kind: 'loss',
    key,
    contractVersion: LOSS_CONTRACT_VERSION,
    provider: '@dl4ts/losses',
    description: spec.description,
    create: (config: ResolvedConfig) => {
      const weights = readWeights(key, config, spec.weighted === true);
      const loss: Loss = {
        key,
        config,
        scoreArray: (input) => {
          const nOut = input.preOutput.shape[input.preOutput.rank - 1] as number;
          checkLabelShape(key, input.labels, input.preOutput, spec.labels ?? 'dense');
          if (weights !== undefined && weights.length !== nOut) {
            throw new ShapeError(`Loss "${key}": weights has ${weights.length} entries, expected one per output (nOut=${nOut})`, [weights.length], [nOut]);
          }
          return spec.score(input, { nOut, weights: weights === undefined ? undefined : tf.tensor1d(Float32Array.from(weights), 'float32') });
        },
      };
      return {
        ...loss,
        ...(spec.labels === 'sparse' ? { labelWidth: () => 1 } : {}),
        ...(spec.checkLabels !== undefined ? { checkLabels: spec.checkLabels } : {}),
      };
    },
  };
}

/** Sums per-element terms over the outputs: `sum_i w_i m_i t_i`, divided by nOut when `mean`. */
export function sumOutputs(terms: tf.Tensor, options: { mask?: tf.Tensor | undefined; weights?: tf.Tensor | undefined; mean?: boolean }): tf.Tensor {
  let t = terms;
  if (options.weights !== undefined) t = tf.mul(t, options.weights);
  if (options.mask !== undefined) t = tf.mul(t, options.mask);
  const sum = tf.sum(t, -1);
  return options.mean === true ? tf.div(sum, terms.shape[terms.rank - 1] as number) : sum;
}

/** The activation's output `a = f(z)`, as DL4J computes it for a loss (training mode). */
export function activated({ preOutput, activation, context }: LossInput): tf.Tensor {
  return activation.apply(preOutput, context ?? { training: true });
}

function readWeights(key: string, config: ResolvedConfig, weighted: boolean): readonly number[] | undefined {
  const unknown = Object.keys(config).filter((k) => k !== 'type' && !(weighted && k === 'weights'));
  if (unknown.length > 0) {
    const takes = weighted ? 'it takes only "weights"' : 'it takes no options';
    throw new ConfigError(`Loss "${key}": unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}; ${takes}`);
  }
  const weights = config.weights;
  if (weights === undefined) return undefined;
  if (!Array.isArray(weights) || weights.length === 0 || !weights.every((w) => typeof w === 'number' && Number.isFinite(w))) {
    throw new ConfigError(`Loss "${key}": weights must be a non-empty array of finite numbers (one per output), received ${JSON.stringify(weights)}`);
  }
  return weights as number[];
}

function checkLabelShape(key: string, labels: tf.Tensor, preOutput: tf.Tensor, kind: 'dense' | 'sparse'): void {
  if (kind === 'dense') {
    if (!tf.util.arraysEqual(labels.shape, preOutput.shape)) {
      throw new ShapeError(`Loss "${key}": labels have shape ${formatShape(labels.shape)}, expected the output's shape ${formatShape(preOutput.shape)}`, labels.shape, preOutput.shape);
    }
    return;
  }
  const batch = preOutput.shape[0] as number;
  const ok = labels.shape[0] === batch && (labels.rank === 1 || (labels.rank === 2 && labels.shape[1] === 1));
  if (!ok) {
    throw new ShapeError(`Loss "${key}": labels have shape ${formatShape(labels.shape)}, expected class indices [${batch}, 1] or [${batch}]`, labels.shape, [batch, 1]);
  }
}
