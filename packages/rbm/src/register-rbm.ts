import { defaultRegistry } from '@dl4ts/core';
import { registerLayers } from '@dl4ts/layers';
import { registerLosses } from '@dl4ts/losses';
import type { Plugin, Registry } from '@dl4ts/core';
import { rbmDefinition } from './rbm';

/** This package's components: the `rbm/rbm` layer. */
export const rbmPlugin: Plugin = {
  name: '@dl4ts/rbm',
  definitions: [rbmDefinition],
};

/**
 * Registers this package's components (idempotent), with `@dl4ts/layers` and `@dl4ts/losses`
 * (dependencies: their weight initialisers, and the dense and output layers and the loss that
 * `unrollAutoencoder` emits). For anything but the default SGD, networks also need
 * `@dl4ts/updaters`.
 *
 * @example
 * ```ts
 * registerRbm(); // into the default registry
 * ```
 */
export function registerRbm(registry: Registry = defaultRegistry): Registry {
  registerLayers(registry);
  registerLosses(registry);
  return registry.use(rbmPlugin);
}
