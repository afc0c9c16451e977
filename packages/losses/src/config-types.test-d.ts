import type { ComponentConfig, ComponentRef } from '@dl4ts/core';
import { describe, expectTypeOf, it } from 'vitest';
import type {} from './index';

describe('loss config types', () => {
  it('accepts every key spelling and the weights option where DL4J has it', () => {
    const refs: ComponentRef<'loss'>[] = ['SPARSE_MCXENT', 'sparse-mcxent', 'losses/kl-divergence', 'MEAN_SQUARED_LOGARITHMIC_ERROR', 'POISSON', 'EXPLL', 'RMSE_XENT'];
    const weighted: ComponentConfig<'loss'> = { type: 'MCXENT', weights: [1, 2, 1] };
    const plain: ComponentConfig<'loss'> = { type: 'losses/hinge' };
    expectTypeOf(weighted).toMatchTypeOf<ComponentConfig<'loss'>>();
    void [refs, plain];
  });

  it('rejects wrong option types, options a loss does not take, and unknown keys', () => {
    // @ts-expect-error weights is number[]
    const wrongType: ComponentConfig<'loss'> = { type: 'xent', weights: 'heavy' };
    // @ts-expect-error hinge takes no weights
    const noWeights: ComponentConfig<'loss'> = { type: 'losses/hinge', weights: [1] };
    // @ts-expect-error no such loss
    const unknown: ComponentRef<'loss'> = 'MCXENT2';
    void [wrongType, noWeights, unknown];
  });
});
