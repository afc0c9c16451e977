import { ConfigError, ValueError, WEIGHT_INIT_CONTRACT_VERSION, formatShape } from '@dl4ts/core';
import type { ComponentDefinition, ResolvedConfig, WeightInit, WeightInitContext } from '@dl4ts/core';
import type { DistributionSpec, Sampler } from './distributions';
import { TRUNCATED_NORMAL_STD, normalSampler, readDistribution, sample, truncatedNormalSampler, uniformSampler } from './distributions';
import type { NoOptions } from './options';
import { checkKnownOptions, choiceOption, numberOption } from './options';

/** Options of `layers/constant`. */
export interface ConstantOptions {
  /** The value of every entry, a finite number. */
  value: number;
}

/** Options of `layers/distribution`. */
export interface DistributionOptions {
  /** What to sample from. */
  distribution: DistributionSpec;
}

/** Options of `layers/var-scaling`: variance `scale / n`, `n` chosen by `mode`. */
export interface VarScalingOptions {
  /** Positive. Default 1. */
  scale?: number;
  /** `n` = fanIn, fanOut or their mean. Default `'fan-in'`. */
  mode?: 'fan-in' | 'fan-out' | 'fan-avg';
  /** Default `'truncated-normal'` (truncated at 2 std, std corrected so the variance is `scale / n`). */
  distribution?: 'normal' | 'uniform' | 'truncated-normal';
}

declare module '@dl4ts/core' {
  interface WeightInitConfigMap {
    'layers/constant': ConstantOptions;
    'layers/distribution': DistributionOptions;
    'layers/identity': NoOptions;
    'layers/lecun-normal': NoOptions;
    'layers/lecun-uniform': NoOptions;
    'layers/normal': NoOptions;
    'layers/ones': NoOptions;
    'layers/relu': NoOptions;
    'layers/relu-uniform': NoOptions;
    'layers/sigmoid-uniform': NoOptions;
    'layers/uniform': NoOptions;
    'layers/var-scaling': VarScalingOptions;
    'layers/xavier': NoOptions;
    'layers/xavier-fan-in': NoOptions;
    'layers/xavier-uniform': NoOptions;
    'layers/zero': NoOptions;
  }
}

type Fill = (context: WeightInitContext) => Float32Array;

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function defineInit(key: string, description: string, options: readonly string[], build: (config: ResolvedConfig, owner: string) => Fill): ComponentDefinition<'weightInit', WeightInit> {
  return {
    kind: 'weightInit',
    key,
    contractVersion: WEIGHT_INIT_CONTRACT_VERSION,
    provider: '@dl4ts/layers',
    description,
    create: (config) => {
      const owner = `Weight init "${key}"`;
      checkKnownOptions(owner, config, options);
      return { key, config, init: build(config, owner) };
    },
  };
}

type Fan = (context: WeightInitContext) => number;
const FAN_IN: Fan = (c) => c.fanIn;
const FAN_OUT: Fan = (c) => c.fanOut;
const FAN_SUM: Fan = (c) => c.fanIn + c.fanOut;
const FAN_AVG: Fan = (c) => (c.fanIn + c.fanOut) / 2;

/** `fan(context)`, checked positive: a zero fan would give infinite or NaN weights. */
function fanOf(owner: string, fan: Fan, context: WeightInitContext): number {
  const n = fan(context);
  if (!(Number.isFinite(n) && n > 0)) {
    throw new ValueError(`${owner}: needs positive fans, received fanIn=${context.fanIn}, fanOut=${context.fanOut} for a parameter of shape ${formatShape(context.shape)}`);
  }
  return n;
}

/** A random init whose distribution depends on the fans through `n = fan(context)`. */
function scaled(key: string, description: string, fan: Fan, sampler: (n: number) => Sampler): ComponentDefinition<'weightInit', WeightInit> {
  return defineInit(key, description, [], (_config, owner) => (context) => sample(size(context.shape), context.rng, sampler(fanOf(owner, fan, context))));
}

const normalVar = (numerator: number) => (n: number) => normalSampler(0, Math.sqrt(numerator / n));
const uniformLimit = (limit: (n: number) => number) => (n: number) => uniformSampler(-limit(n), limit(n));

function constant(value: number): Fill {
  return ({ shape }) => new Float32Array(size(shape)).fill(value);
}

const VAR_SCALING_FAN: Readonly<Record<NonNullable<VarScalingOptions['mode']>, Fan>> = { 'fan-in': FAN_IN, 'fan-out': FAN_OUT, 'fan-avg': FAN_AVG };

/**
 * Weight initialisers with DL4J's names and formulas (fan-in `n_in`, fan-out `n_out`). `N(0, v)`
 * has variance `v`; `U(-a, a)` is uniform.
 *
 * - zero, ones, constant(value)
 * - xavier: `N(0, 2 / (n_in + n_out))`; xavier-uniform: `U(-a, a)`, `a = sqrt(6 / (n_in + n_out))`
 * - xavier-fan-in, lecun-normal, normal: `N(0, 1 / n_in)` (DL4J treats the three alike)
 * - relu (He): `N(0, 2 / n_in)`; relu-uniform: `U(-a, a)`, `a = sqrt(6 / n_in)`
 * - lecun-uniform: `U(-a, a)`, `a = sqrt(3 / n_in)`
 * - uniform: `U(-a, a)`, `a = 1 / sqrt(n_in)`
 * - sigmoid-uniform: `U(-a, a)`, `a = 4 sqrt(6 / (n_in + n_out))`
 * - identity: the identity matrix, for square 2-D parameters only
 * - distribution({ distribution }): samples from a {@link DistributionSpec}
 * - var-scaling({ scale = 1, mode = 'fan-in', distribution = 'truncated-normal' }): variance `scale / n`
 *
 * Every value is drawn in JavaScript from the context's seeded generator, in row-major order.
 *
 * @example
 * ```ts
 * { type: 'layers/dense', nOut: 100, weightInit: { type: 'VAR_SCALING', mode: 'fan-avg', distribution: 'uniform' } }
 * ```
 */
export const weightInitDefinitions: readonly ComponentDefinition<'weightInit', WeightInit>[] = [
  defineInit('layers/zero', 'all zeros', [], () => constant(0)),
  defineInit('layers/ones', 'all ones', [], () => constant(1)),
  defineInit('layers/constant', 'every value equal to `value`', ['value'], (config, owner) => constant(numberOption(owner, config, 'value', undefined))),
  scaled('layers/xavier', 'normal, variance 2 / (fanIn + fanOut)', FAN_SUM, normalVar(2)),
  scaled('layers/xavier-uniform', 'uniform in +-sqrt(6 / (fanIn + fanOut))', FAN_SUM, uniformLimit((n) => Math.sqrt(6 / n))),
  scaled('layers/xavier-fan-in', 'normal, variance 1 / fanIn', FAN_IN, normalVar(1)),
  scaled('layers/relu', 'He: normal, variance 2 / fanIn', FAN_IN, normalVar(2)),
  scaled('layers/relu-uniform', 'He: uniform in +-sqrt(6 / fanIn)', FAN_IN, uniformLimit((n) => Math.sqrt(6 / n))),
  scaled('layers/lecun-normal', 'normal, variance 1 / fanIn', FAN_IN, normalVar(1)),
  scaled('layers/lecun-uniform', 'uniform in +-sqrt(3 / fanIn)', FAN_IN, uniformLimit((n) => Math.sqrt(3 / n))),
  scaled('layers/normal', 'normal, variance 1 / fanIn', FAN_IN, normalVar(1)),
  scaled('layers/uniform', 'uniform in +-1 / sqrt(fanIn)', FAN_IN, uniformLimit((n) => 1 / Math.sqrt(n))),
  scaled('layers/sigmoid-uniform', 'uniform in +-4 sqrt(6 / (fanIn + fanOut))', FAN_SUM, uniformLimit((n) => 4 * Math.sqrt(6 / n))),
  defineInit('layers/identity', 'the identity matrix (square 2-D parameters only)', [], (_config, owner) => ({ shape }) => {
    const [rows, cols] = shape;
    if (shape.length !== 2 || rows !== cols || rows === undefined) {
      throw new ConfigError(`${owner}: needs a square 2-D parameter [n, n], received shape ${formatShape(shape)}`);
    }
    const values = new Float32Array(rows * rows);
    for (let i = 0; i < rows; i++) values[i * rows + i] = 1;
    return values;
  }),
  defineInit('layers/distribution', 'samples from `distribution`: normal, uniform or truncated-normal', ['distribution'], (config, owner) => {
    const sampler = readDistribution(owner, config.distribution);
    return ({ shape, rng }) => sample(size(shape), rng, sampler);
  }),
  defineInit('layers/var-scaling', 'variance scale / n, n = fanIn, fanOut or their mean', ['scale', 'mode', 'distribution'], (config, owner) => {
    const scale = numberOption(owner, config, 'scale', 1, (v) => v > 0, 'a positive finite number');
    const fan = VAR_SCALING_FAN[choiceOption(owner, config, 'mode', ['fan-in', 'fan-out', 'fan-avg'], 'fan-in')];
    const distribution = choiceOption(owner, config, 'distribution', ['normal', 'uniform', 'truncated-normal'], 'truncated-normal');
    return (context) => {
      const variance = scale / fanOf(owner, fan, context);
      const sampler =
        distribution === 'normal'
          ? normalSampler(0, Math.sqrt(variance))
          : distribution === 'uniform'
            ? uniformSampler(-Math.sqrt(3 * variance), Math.sqrt(3 * variance))
            : truncatedNormalSampler(0, Math.sqrt(variance) / TRUNCATED_NORMAL_STD);
      return sample(size(context.shape), context.rng, sampler);
    };
  }),
];
