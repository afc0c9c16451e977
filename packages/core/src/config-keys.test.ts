import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { LAYER_COMMON_OPTIONS, optionNames } from './config-keys';
import { ConfigError } from './errors';
import type { Layer, LayerCommonOptions } from './layer';
import { Network } from './network';
import type { NetworkConfig } from './network-config';
import type { ResolvedConfig } from './registry';
import { testRegistry } from './test-support';
import { closestKey } from './unknown-keys';

declare module './registry' {
  interface LayerConfigMap {
    /** y = x, no parameters; takes activation only. */
    'keys/pass': { activation?: LayerCommonOptions['activation'] };
  }
}

const UPDATER = { type: 'ts/sgd', lr: 0.1 } as const;
const layers = (hidden: Record<string, unknown>): NetworkConfig['layers'] => [{ type: 'ts/dense', nOut: 5, ...hidden } as never, { type: 'ts/out', nOut: 1 }];
const build = (config: NetworkConfig, registry = testRegistry()) => new Network(config, { registry }).init();

/** A parameterless layer that keeps the config it was given, to see which defaults reached it. */
function withPassLayer(seen: ResolvedConfig[]) {
  const registry = testRegistry();
  registry.register({
    kind: 'layer',
    key: 'keys/pass',
    contractVersion: 1,
    options: ['activation'],
    create: (config): Layer => {
      seen.push(config);
      return { key: 'keys/pass', config: config as ResolvedConfig & { name: string }, build: (shape) => shape, forward: (x) => x };
    },
  });
  return registry;
}

describe('config keys', () => {
  it('finds the closest known key within a third of its length in edits', () => {
    expect(closestKey('activaton', ['activation', 'weightInit'])).toBe('activation');
    expect(closestKey('weightinit', ['activation', 'weightInit'])).toBe('weightInit');
    expect(closestKey('epochz', ['seed', 'input', 'epochs'])).toBe('epochs');
    expect(closestKey('xyz', ['activation', 'weightInit'])).toBeUndefined();
    expect(closestKey('nOt', ['nOut', 'nIn'])).toBe('nOut');
  });

  it('lists exactly the option names given, checked by the compiler against the options type', () => {
    expect(optionNames<{ nOut: number; nIn?: number }>({ nOut: true, nIn: true })).toEqual(['nOut', 'nIn']);
    // @ts-expect-error -- nIn is missing: the list must name every option of the type
    optionNames<{ nOut: number; nIn?: number }>({ nOut: true });
    // @ts-expect-error -- nInn is not an option of the type
    optionNames<{ nOut: number }>({ nOut: true, nInn: true });
    expect(Object.keys(LAYER_COMMON_OPTIONS)).toContain('gradientNormalizationThreshold');
  });

  it('rejects a misspelled layer option at init, naming the layer, the key and the closest known key', () => {
    const config: NetworkConfig = { input: 4, defaults: { updater: UPDATER }, layers: layers({ activaton: 'relu' }) };
    expect(() => build(config)).toThrow(ConfigError);
    expect(() => build(config)).toThrow('Layer 0 "dense_0" (ts/dense): unknown option "activaton"; did you mean "activation"?');
    expect(() => build({ ...config, layers: layers({ name: 'h', nOt: 3 }) })).toThrow('Layer 0 "h" (ts/dense): unknown option "nOt"; did you mean "nOut"?');
  });

  it("points Deeplearning4j's spellings of layer options to the dl4ts names", () => {
    const config: NetworkConfig = { input: 4, defaults: { updater: UPDATER }, layers: layers({ dropOut: 0.5 }) };
    expect(() => build(config)).toThrow('Layer 0 "dense_0" (ts/dense): unknown option "dropOut"; did you mean "dropout"? Deeplearning4j\'s "dropOut" is "dropout" in dl4ts.');
    expect(() => build({ ...config, layers: layers({ activationFunction: 'relu' }) })).toThrow('Deeplearning4j\'s "activationFunction" is "activation" in dl4ts.');
  });

  it('rejects unknown top-level keys, saying where fit options and layer options go', () => {
    const base: NetworkConfig = { seed: 1, input: 4, defaults: { updater: UPDATER }, layers: layers({}) };
    expect(() => build({ ...base, epochz: 3 } as never)).toThrow('Network config: unknown option "epochz"; did you mean "epochs"? epochs, batchSize, shuffle and listeners are options of fit');
    expect(() => build({ ...base, epochs: 3 } as never)).toThrow('Network config: unknown option "epochs". epochs, batchSize, shuffle and listeners are options of fit');
    expect(() => build({ ...base, updater: UPDATER } as never)).toThrow('unknown option "updater". layer options go on a layer, or in defaults');
    expect(() => build({ ...base, sede: 2 } as never)).toThrow('unknown option "sede"; did you mean "seed"?');
  });

  it('rejects unknown keys in defaults, and per-layer options there', () => {
    const base: NetworkConfig = { input: 4, layers: layers({}) };
    expect(() => build({ ...base, defaults: { updater: UPDATER, weightinit: 'xavier' } as never })).toThrow('Network defaults: unknown option "weightinit"; did you mean "weightInit"?');
    expect(() => build({ ...base, defaults: { updater: UPDATER, name: 'x' } as never })).toThrow('name is per layer, not a default');
    expect(() => build({ ...base, defaults: 'relu' as never })).toThrow('Network: defaults must be an object of layer options, received "relu"');
  });

  it('rejects a seed that is not an integer with a ConfigError, not a RangeError from the generator', () => {
    expect(() => build({ seed: 'abc' as never, input: 4, defaults: { updater: UPDATER }, layers: layers({}) })).toThrow('Network: seed must be an integer, received "abc"');
    expect(() => build({ seed: 1.5, input: 4, defaults: { updater: UPDATER }, layers: layers({}) })).toThrow(ConfigError);
  });

  it('gives a layer only the defaults it declares that it takes', () => {
    const seen: ResolvedConfig[] = [];
    const registry = withPassLayer(seen);
    const config: NetworkConfig = { input: 4, defaults: { updater: UPDATER, l2: 0.1, activation: 'ts/identity' as never, dropout: 0.9 }, layers: [{ type: 'keys/pass' }, { type: 'ts/out', nOut: 1 }] };
    // The activation is resolved by the layer only when it builds; this layer never asks for it.
    const net = build(config, registry);
    expect(seen[0]).toEqual({ type: 'keys/pass', name: 'pass_0', activation: 'ts/identity', dropout: 0.9 });
    expect(net.layers[1]?.config).toMatchObject({ updater: UPDATER, l2: 0.1, dropout: 0.9 });
    net.dispose();
    // A key the layer does not take is an error there, even one every trainable layer takes.
    expect(() => build({ ...config, layers: [{ type: 'keys/pass', l2: 0.1 } as never, { type: 'ts/out', nOut: 1 }] }, registry)).toThrow('Layer 0 "pass_0" (keys/pass): unknown option "l2". It takes activation, dropout, frozen, name');
  });

  it('requires a layer definition to declare its options, and a trainable layer to take the training options', () => {
    const registry = testRegistry();
    expect(() => registry.register({ kind: 'layer', key: 'keys/bare', contractVersion: 1, create: () => ({}) })).toThrow('Cannot register layer "keys/bare": a layer definition declares the options it takes');
    registry.register({
      kind: 'layer',
      key: 'keys/scale',
      contractVersion: 1,
      options: ['nOut'],
      create: (config): Layer => ({
        key: 'keys/scale',
        config: config as ResolvedConfig & { name: string },
        build: (shape, context) => {
          context.addParam({ name: 'w', shape: [...shape], role: 'weight', init: context.weightInit({ type: 'ts/uniform' }), fanIn: 1, fanOut: 1 });
          return shape;
        },
        forward: (x, p) => tf.mul(x, p.w as tf.Tensor),
      }),
    });
    expect(() => build({ input: 4, defaults: { updater: UPDATER }, layers: [{ type: 'keys/scale' } as never, { type: 'ts/out', nOut: 1 }] }, registry)).toThrow(
      'Layer definition "keys/scale" declares trainable parameters but does not take l1, l2, l1Bias, l2Bias, updater, biasUpdater',
    );
  });
});
