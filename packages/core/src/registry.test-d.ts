import { describe, expectTypeOf, it } from 'vitest';
import type { ComponentConfig, ComponentRef, KeySpelling } from './registry';
import { Registry } from './registry';
import type { Activation } from './activation';
import type { Layer } from './layer';
import type { Updater } from './updater';
import type { WeightInit } from './weight-init';

// A plugin adds its config types to core's maps; the compiler then checks them like built-ins.
declare module './registry' {
  interface LayerConfigMap {
    'my-plugin/gated-unit': { nOut: number; gate?: 'sigmoid' | 'tanh' };
  }
  interface ActivationConfigMap {
    'my-plugin/leaky-relu': { alpha?: number };
  }
}

describe('plugin config types through declaration merging', () => {
  it('accepts a well-typed plugin config', () => {
    const ok: ComponentConfig<'layer'> = { type: 'my-plugin/gated-unit', nOut: 4, gate: 'tanh' };
    expectTypeOf(ok).toMatchTypeOf<ComponentConfig<'layer'>>();
  });

  it('rejects wrong option types and unknown keys', () => {
    // @ts-expect-error nOut must be a number
    const wrongType: ComponentConfig<'layer'> = { type: 'my-plugin/gated-unit', nOut: 'four' };
    // @ts-expect-error gate is 'sigmoid' | 'tanh'
    const wrongEnum: ComponentConfig<'layer'> = { type: 'my-plugin/gated-unit', nOut: 4, gate: 'relu' };
    // @ts-expect-error nOut is required
    const missing: ComponentConfig<'layer'> = { type: 'my-plugin/gated-unit' };
    // @ts-expect-error no such layer key
    const unknown: ComponentConfig<'layer'> = { type: 'my-plugin/nope', nOut: 4 };
    void [wrongType, wrongEnum, missing, unknown];
  });

  it('types every accepted spelling of a key', () => {
    expectTypeOf<KeySpelling<'my-plugin/leaky-relu'>>().toEqualTypeOf<'my-plugin/leaky-relu' | 'leaky-relu' | 'LEAKY_RELU'>();
    const byShortName: ComponentRef<'activation'> = 'leaky-relu';
    const byConfig: ComponentRef<'activation'> = { type: 'LEAKY_RELU', alpha: 0.01 };
    // @ts-expect-error alpha must be a number
    const bad: ComponentRef<'activation'> = { type: 'leaky-relu', alpha: 'x' };
    void [byShortName, byConfig, bad];
  });
});

describe('the registry creates typed instances', () => {
  it("returns each kind's contract, with no assertion from the caller", () => {
    const registry = new Registry();
    expectTypeOf(registry.create('activation', 'core/identity')).toEqualTypeOf<Activation>();
    expectTypeOf(registry.create('layer', { type: 'x' })).toEqualTypeOf<Layer>();
    expectTypeOf(registry.create('updater', 'core/sgd')).toEqualTypeOf<Updater>();
    expectTypeOf(registry.definition('weightInit', 'core/xavier').create).returns.toEqualTypeOf<WeightInit>();
  });
});
