// What every table of the bad-input suite shares: a case's shape, a registry with every package,
// and a small valid network to break one thing at a time.
import { Network, Registry } from '@dl4ts/core';
import type { Dl4tsError, NetworkConfig } from '@dl4ts/core';
import { registerCnn } from '@dl4ts/cnn';
import { registerLayers } from '@dl4ts/layers';
import { registerLosses } from '@dl4ts/losses';
import { registerRbm } from '@dl4ts/rbm';
import { registerRnn } from '@dl4ts/rnn';
import { registerUpdaters } from '@dl4ts/updaters';

/** The error classes a case may expect: dl4ts's own, each a `Dl4tsError`. */
export type ErrorClass = abstract new (...args: never[]) => Dl4tsError;

/**
 * One careless or hostile input through the public API. Either it must fail with `error`, whose
 * message must contain `received` (the value as the user gave it, so they can find it) and match
 * `message` where given; or it is legal but suspect and must `warn` (through the model's
 * `onWarning`, which `run` receives) without failing; or it is `valid`: a documented input that
 * works, with the reason.
 */
export type BadInputCase =
  | {
      readonly name: string;
      readonly run: () => unknown;
      readonly error: ErrorClass;
      readonly received: string;
      readonly message?: RegExp;
    }
  | {
      readonly name: string;
      readonly run: (onWarning: (message: string) => void) => unknown;
      readonly warns: RegExp;
    }
  | {
      readonly name: string;
      readonly run: () => unknown;
      readonly valid: string;
    };

/** Every component of every package, registered as a user would. */
export function fullRegistry(): Registry {
  const registry = new Registry();
  registerLayers(registry);
  registerLosses(registry);
  registerUpdaters(registry);
  registerRnn(registry);
  registerCnn(registry);
  registerRbm(registry);
  return registry;
}

export const registry = fullRegistry();

/** A valid MLP config 2-4-3 (softmax, mcxent, SGD 0.1) with `change` applied on top. */
export function mlpConfig(change: (config: Record<string, unknown> & { layers: Record<string, unknown>[] }) => void = () => undefined): NetworkConfig {
  const config = {
    seed: 1,
    input: 2,
    defaults: { updater: { type: 'updaters/sgd', learningRate: 0.1 } },
    layers: [
      { type: 'layers/dense', nOut: 4, activation: 'relu' },
      { type: 'layers/output', nOut: 3, activation: 'softmax', loss: 'mcxent' },
    ] as Record<string, unknown>[],
  };
  change(config);
  return config as unknown as NetworkConfig;
}

/** Builds and initialises a network from a config, disposing it again: for config cases. */
export function build(config: NetworkConfig, onWarning?: (message: string) => void): void {
  new Network(config, { registry, ...(onWarning === undefined ? {} : { onWarning }) }).init().dispose();
}

/** Runs `use` on a fresh 2-4-3 network and disposes it whatever happens. */
export async function withNet<T>(use: (net: Network) => T | Promise<T>, config: NetworkConfig = mlpConfig(), onWarning?: (message: string) => void): Promise<T> {
  const net = new Network(config, { registry, ...(onWarning === undefined ? {} : { onWarning }) }).init();
  try {
    return await use(net);
  } finally {
    net.dispose();
  }
}

/** Three examples of two features and their one-hot labels over three classes. */
export const X = [
  [0, 1],
  [1, 0],
  [1, 1],
];
export const Y = [
  [1, 0, 0],
  [0, 1, 0],
  [0, 0, 1],
];
