import { ConfigError, WEIGHT_INIT_CONTRACT_VERSION } from '@dl4ts/core';
import type { ComponentDefinition, ResolvedConfig, WeightInit, WeightInitContext } from '@dl4ts/core';

declare module '@dl4ts/core' {
  interface WeightInitConfigMap {
    'layers/zero': Record<string, never>;
    'layers/ones': Record<string, never>;
    'layers/constant': { value: number };
    'layers/xavier': Record<string, never>;
    'layers/xavier-uniform': Record<string, never>;
    'layers/relu': Record<string, never>;
    'layers/uniform': Record<string, never>;
  }
}

type Fill = (context: WeightInitContext, config: ResolvedConfig) => Float32Array;

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function normal(std: number): Fill {
  return ({ shape, rng }) => Float32Array.from({ length: size(shape) }, () => rng.normal() * std);
}

function uniform(limit: number): Fill {
  return ({ shape, rng }) => Float32Array.from({ length: size(shape) }, () => rng.uniformRange(-limit, limit));
}

function init(key: string, description: string, fill: Fill): ComponentDefinition<'weightInit', WeightInit> {
  return {
    kind: 'weightInit',
    key,
    contractVersion: WEIGHT_INIT_CONTRACT_VERSION,
    provider: '@dl4ts/layers',
    description,
    create: (config) => ({ key, config, init: (context) => fill(context, config) }),
  };
}

/**
 * Weight initialisers with DL4J's names and formulas (fan-in n_in, fan-out n_out):
 *
 * - zero, ones, constant(value)
 * - xavier: N(0, 2 / (n_in + n_out))
 * - xavier-uniform: U(-s, s), s = sqrt(6 / (n_in + n_out))
 * - relu (He): N(0, 2 / n_in)
 * - uniform: U(-a, a), a = 1 / sqrt(n_in)
 */
export const weightInitDefinitions: readonly ComponentDefinition<'weightInit', WeightInit>[] = [
  init('layers/zero', 'all zeros', ({ shape }) => new Float32Array(size(shape))),
  init('layers/ones', 'all ones', ({ shape }) => new Float32Array(size(shape)).fill(1)),
  init('layers/constant', 'every value equal to `value`', ({ shape }, config) => {
    const value = config.value;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new ConfigError(`weightInit layers/constant: value must be a finite number, received ${String(value)}`);
    return new Float32Array(size(shape)).fill(value);
  }),
  init('layers/xavier', 'normal, variance 2 / (fanIn + fanOut)', (c, k) => normal(Math.sqrt(2 / (c.fanIn + c.fanOut)))(c, k)),
  init('layers/xavier-uniform', 'uniform in +-sqrt(6 / (fanIn + fanOut))', (c, k) => uniform(Math.sqrt(6 / (c.fanIn + c.fanOut)))(c, k)),
  init('layers/relu', 'He: normal, variance 2 / fanIn', (c, k) => normal(Math.sqrt(2 / c.fanIn))(c, k)),
  init('layers/uniform', 'uniform in +-1 / sqrt(fanIn)', (c, k) => uniform(1 / Math.sqrt(c.fanIn))(c, k)),
];
