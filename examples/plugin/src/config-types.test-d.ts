import type { ComponentConfig, ComponentRef, LayerConfig, NetworkConfig } from '@dl4ts/core';
import { describe, expectTypeOf, it } from 'vitest';
import type {} from './index';

// Checked by `tsc --noEmit` (this package's typecheck): every @ts-expect-error must be an error.
describe('plugin config types, through declaration merging', () => {
  it('accepts the plugin keys in every spelling, with their typed options', () => {
    const layer: LayerConfig = { type: 'example/gated-dense', nOut: 16, gateBiasInit: 1, activation: { type: 'example/beta-swish', beta: 1.5 } };
    const activation: ComponentRef<'activation'> = 'BETA_SWISH';
    const loss: ComponentConfig<'loss'> = { type: 'log-cosh', reduction: 'sum' };
    const updater: ComponentConfig<'updater'> = { type: 'example/lion', learningRate: 3e-3, beta2: 0.98 };
    const network: NetworkConfig = { input: 4, defaults: { updater }, layers: [layer] };
    expectTypeOf(network.layers).toEqualTypeOf<LayerConfig[]>();
    void [activation, loss];
  });

  it('rejects wrong option types, options a component does not take, and unknown keys', () => {
    // @ts-expect-error nOut is a number
    const badLayer: LayerConfig = { type: 'example/gated-dense', nOut: '16' };
    // @ts-expect-error beta is a number
    const badActivation: ComponentConfig<'activation'> = { type: 'example/beta-swish', beta: 'steep' };
    // @ts-expect-error reduction is 'mean' | 'sum'
    const badLoss: ComponentConfig<'loss'> = { type: 'example/log-cosh', reduction: 'median' };
    // @ts-expect-error lion takes no momentum
    const badUpdater: ComponentConfig<'updater'> = { type: 'example/lion', momentum: 0.9 };
    // @ts-expect-error no such key
    const unknown: ComponentRef<'updater'> = 'example/lion2';
    void [badLayer, badActivation, badLoss, badUpdater, unknown];
  });
});
