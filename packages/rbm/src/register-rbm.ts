import { defaultRegistry } from '@dl4ts/core';
import { registerLayers } from '@dl4ts/layers';
import type { Plugin, Registry } from '@dl4ts/core';
import { rbmDefinition } from './rbm';

/** This package's components: the `rbm/rbm` layer. */
export const rbmPlugin: Plugin = {
  name: '@dl4ts/rbm',
  definitions: [rbmDefinition],
};

/**
 * Registers this package's components (idempotent), and `@dl4ts/layers` (a dependency: its weight
 * initialisers, and the dense and output layers `unrollAutoencoder` emits). Networks using them
 * also need a loss package and, for anything but the default SGD, `@dl4ts/updaters`.
 *
 * @example
 * ```ts
 * registerRbm(); // into the default registry
 * ```
 */
export function registerRbm(registry: Registry = defaultRegistry): Registry {
  registerLayers(registry);
  return registry.use(rbmPlugin);
}
