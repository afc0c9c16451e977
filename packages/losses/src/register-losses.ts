import { defaultRegistry } from '@dl4ts/core';
import type { Plugin, Registry } from '@dl4ts/core';
import { lossDefinitions } from './losses';

/** Every loss of this package. */
export const lossesPlugin: Plugin = { name: '@dl4ts/losses', definitions: lossDefinitions };

/** Registers this package's losses (idempotent). */
export function registerLosses(registry: Registry = defaultRegistry): Registry {
  return registry.use(lossesPlugin);
}
