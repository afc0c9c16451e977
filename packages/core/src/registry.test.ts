import { describe, expect, it } from 'vitest';
import { ConfigError, ContractVersionError, DuplicateKeyError, UnknownKeyError } from './errors';
import type { ComponentDefinition } from './registry';
import { Registry } from './registry';

function def(key: string, kind: ComponentDefinition['kind'] = 'activation', contractVersion = 1): ComponentDefinition {
  return { kind, key, contractVersion, provider: 'test-plugin', create: (config) => ({ made: config }) };
}

describe('Registry', () => {
  it("holds core's own components from construction: core/backprop needs no registerCore", async () => {
    const registry = new Registry();
    expect(registry.keys('strategy')).toEqual(['core/backprop']);
    // The defaults a config may leave out are core's own, so core names no other package's keys.
    expect([registry.keys('activation'), registry.keys('weightInit'), registry.keys('updater')]).toEqual([['core/identity'], ['core/xavier'], ['core/sgd']]);
    // A package's component of the same short name wins over core's fallback.
    registry.register({ kind: 'activation', key: 'pkg/identity', contractVersion: 1, create: (c) => c });
    expect(registry.resolve('activation', 'identity').type).toBe('pkg/identity');
    expect(registry.resolve('activation', 'core/identity').type).toBe('core/identity');
    expect(registry.resolve('strategy', 'backprop')).toEqual({ type: 'core/backprop' });
    const { testRegistry } = await import('./test-support');
    const { Network } = await import('./network');
    const net = new Network({ input: 2, strategy: 'core/backprop', defaults: { updater: { type: 'ts/sgd', lr: 0.1 } }, layers: [{ type: 'ts/out', nOut: 1 }] }, { registry: testRegistry() }).init();
    const result = await net.fit({ features: [[1, 2]], labels: [[1]] }, { epochs: 1 });
    expect(result.epochs).toBe(1);
    net.dispose();
  });

  it('creates a registered component from its full key, passing the resolved config', () => {
    const registry = new Registry();
    registry.register(def('test/leaky-relu'));
    expect(registry.create('activation', { type: 'test/leaky-relu', alpha: 0.2 })).toEqual({ made: { type: 'test/leaky-relu', alpha: 0.2 } });
  });

  it('throws DuplicateKeyError when a key is registered twice, naming the first provider', () => {
    const registry = new Registry();
    registry.register(def('test/relu'));
    expect(() => registry.register(def('test/relu'))).toThrow(DuplicateKeyError);
    expect(() => registry.register(def('test/relu'))).toThrow(/"test\/relu" is already registered \(registered by test-plugin\)/);
  });

  it('keeps kinds apart: the same key may exist once per kind', () => {
    const registry = new Registry();
    registry.register(def('test/relu', 'activation'));
    expect(() => registry.register(def('test/relu', 'weightInit'))).not.toThrow();
    expect(registry.keys('weightInit')).toEqual(['core/xavier', 'test/relu']);
  });

  it('lists the known keys when a key is unknown', () => {
    const registry = new Registry();
    registry.register(def('test/tanh'));
    registry.register(def('test/relu'));
    let caught: unknown;
    try {
      registry.create('activation', 'test/gelu');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UnknownKeyError);
    const error = caught as UnknownKeyError;
    expect(error.message).toContain('Unknown activation "test/gelu"');
    expect(error.message).toContain('Known activation keys: core/identity, test/relu, test/tanh.');
    expect(error.known).toEqual(['core/identity', 'test/relu', 'test/tanh']);
    expect(error.key).toBe('test/gelu');
  });

  it('names the first-party package that provides an unknown namespaced key', () => {
    const registry = new Registry();
    expect(() => registry.create('layer', { type: 'rnn/lstm' })).toThrow(/"rnn\/\*" keys come from @dl4ts\/rnn: install it and call registerRnn\(registry\)/);
  });

  it("resolves short names and DL4J's upper-case names to the full key", () => {
    const registry = new Registry();
    registry.register(def('test/leaky-relu'));
    expect(registry.resolve('activation', 'leaky-relu')).toEqual({ type: 'test/leaky-relu' });
    expect(registry.resolve('activation', 'LEAKY_RELU')).toEqual({ type: 'test/leaky-relu' });
    expect(registry.resolve('activation', 'LEAKYRELU')).toEqual({ type: 'test/leaky-relu' });
    expect(registry.resolve('activation', { type: 'leakyrelu', alpha: 0.1 })).toEqual({ type: 'test/leaky-relu', alpha: 0.1 });
  });

  it('refuses a short name that two namespaces share', () => {
    const registry = new Registry();
    registry.register(def('a/relu'));
    registry.register(def('b/relu'));
    expect(() => registry.resolve('activation', 'relu')).toThrow(/ambiguous: it matches "a\/relu", "b\/relu"/);
    expect(registry.resolve('activation', 'b/relu')).toEqual({ type: 'b/relu' });
  });

  it('rejects keys that are not namespaced kebab case', () => {
    const registry = new Registry();
    expect(() => registry.register(def('relu'))).toThrow(ConfigError);
    expect(() => registry.register(def('Test/Relu'))).toThrow(/lower-case kebab case/);
  });

  it('rejects a plugin written against an unsupported contract version', () => {
    const registry = new Registry();
    expect(() => registry.register(def('test/future', 'layer', 99))).toThrow(ContractVersionError);
    expect(() => registry.register(def('test/future', 'layer', 99))).toThrow(/contract version 99, this @dl4ts\/core supports 1/);
  });

  it('installs a plugin once: using it again is a no-op, a clashing plugin throws', () => {
    const registry = new Registry();
    const plugin = { name: 'test-plugin', definitions: [def('test/one'), def('test/two')] };
    registry.use(plugin).use(plugin);
    expect(registry.keys('activation')).toEqual(['core/identity', 'test/one', 'test/two']);
    expect(registry.hasPlugin('test-plugin')).toBe(true);
    expect(() => registry.use({ name: 'other', definitions: [def('test/one')] })).toThrow(DuplicateKeyError);
  });

  it('explains a malformed reference', () => {
    const registry = new Registry();
    expect(() => registry.resolve('loss', 42)).toThrow(/Expected a loss key or a \{ type: string \} config object, received number 42/);
    expect(() => registry.resolve('loss', { kind: 'mse' })).toThrow(/an object without a string "type" \(keys: kind\)/);
  });
});
