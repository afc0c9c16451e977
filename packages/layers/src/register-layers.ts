import { defaultRegistry } from '@dl4ts/core';
import type { Plugin, Registry } from '@dl4ts/core';
import { activationDefinitions } from './activations';
import { denseDefinition } from './dense';
import { outputDefinition } from './output';
import { weightInitDefinitions } from './weight-inits';

/** Every layer, activation and weight initialiser of this package. */
export const layersPlugin: Plugin = {
  name: '@dl4ts/layers',
  definitions: [denseDefinition, outputDefinition, ...activationDefinitions, ...weightInitDefinitions],
};

/**
 * Registers this package's components (idempotent).
 *
 * @example
 * ```ts
 * registerLayers(); // into the default registry
 * ```
 */
export function registerLayers(registry: Registry = defaultRegistry): Registry {
  return registry.use(layersPlugin);
}
