import { defaultRegistry } from '@dl4ts/core';
import type { Plugin, Registry } from '@dl4ts/core';
import { rbmDefinition } from './rbm';

/** This package's components: the `rbm/rbm` layer. */
export const rbmPlugin: Plugin = {
  name: '@dl4ts/rbm',
  definitions: [rbmDefinition],
};

/**
 * Registers this package's components (idempotent). Networks using them also need
 * `@dl4ts/layers` (weight initialisers, the output layer), a loss package and, for anything but
 * the default SGD, `@dl4ts/updaters`.
 *
 * @example
 * ```ts
 * registerRbm(); // into the default registry
 * ```
 */
export function registerRbm(registry: Registry = defaultRegistry): Registry {
  return registry.use(rbmPlugin);
}
