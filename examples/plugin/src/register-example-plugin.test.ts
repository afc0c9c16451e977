import * as tf from '@tensorflow/tfjs-core';
import { CONTRACT_VERSIONS, DuplicateKeyError, Network, Registry, UnknownKeyError, defaultRegistry } from '@dl4ts/core';
import type { NetworkConfig } from '@dl4ts/core';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_CONFIG, exampleRegistry, paramsBase64, predictTestSet, toBase64 } from './example-model';
import { gatedDenseDefinition } from './gated-dense';
import { examplePlugin, registerExamplePlugin } from './register-example-plugin';

const KEYS = [
  ['layer', 'example/gated-dense'],
  ['activation', 'example/beta-swish'],
  ['loss', 'example/log-cosh'],
  ['updater', 'example/lion'],
] as const;

describe('registerExamplePlugin', () => {
  it('registers the four example/ keys, each with its kind, provider and a supported contract version', () => {
    const registry = registerExamplePlugin(new Registry());
    expect(registry.hasPlugin('@dl4ts/example-plugin')).toBe(true);
    for (const [kind, key] of KEYS) {
      // Besides core's own components, which every registry holds.
      expect(registry.keys(kind).filter((k) => !k.startsWith('core/'))).toEqual([key]);
      const definition = registry.definition(kind, key);
      expect(definition.provider).toBe('@dl4ts/example-plugin');
      expect(CONTRACT_VERSIONS[kind]).toContain(definition.contractVersion);
    }
    expect(examplePlugin.definitions.map((d) => [d.kind, d.key])).toEqual(KEYS.map(([k, key]) => [k, key]));
  });

  it('is idempotent; registering one of its keys again by hand is a DuplicateKeyError naming the provider', () => {
    const registry = registerExamplePlugin(registerExamplePlugin(new Registry()));
    expect(registry.keys('layer')).toEqual(['example/gated-dense']);
    expect(() => registry.register(gatedDenseDefinition)).toThrow(DuplicateKeyError);
    expect(() => registry.register(gatedDenseDefinition)).toThrow('layer "example/gated-dense" is already registered (registered by @dl4ts/example-plugin)');
    // Without an argument it registers into the default registry, like the built-in packages.
    expect(registerExamplePlugin()).toBe(defaultRegistry);
    expect(defaultRegistry.has('updater', 'example/lion')).toBe(true);
  });

  it('leaves its keys unknown until it is registered: nothing registers on import', () => {
    const registry = exampleRegistry({ plugin: false });
    let error: unknown;
    try {
      registry.create('layer', { type: 'example/gated-dense', nOut: 2 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnknownKeyError);
    expect(error).toMatchObject({ key: 'example/gated-dense' });
    expect((error as UnknownKeyError).known).toContain('layers/dense');
  });

  it('round-trips the example network config through JSON to the same weights and outputs', async () => {
    const before = tf.memory().numTensors;
    const json = JSON.parse(JSON.stringify(EXAMPLE_CONFIG)) as NetworkConfig;
    expect(json).toEqual(EXAMPLE_CONFIG);
    const a = new Network(EXAMPLE_CONFIG, { registry: exampleRegistry() }).init();
    const b = new Network(json, { registry: exampleRegistry() }).init();
    expect(b.config).toEqual(a.config);
    expect(a.paramNames()).toEqual(['gated-dense_0/W', 'gated-dense_0/b', 'gated-dense_0/V', 'gated-dense_0/c', 'output_1/W', 'output_1/b']);
    expect(await paramsBase64(b)).toEqual(await paramsBase64(a));
    expect(toBase64(await predictTestSet(b))).toBe(toBase64(await predictTestSet(a)));
    // Every layer's resolved config survives JSON too (components referenced by key, no functions).
    for (const [i, layer] of a.layers.entries()) expect(JSON.parse(JSON.stringify(layer.config))).toEqual((b.layers[i] as typeof layer).config);
    a.dispose();
    b.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
