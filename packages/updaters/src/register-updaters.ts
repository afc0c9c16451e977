import { defaultRegistry } from '@dl4ts/core';
import type { Plugin, Registry } from '@dl4ts/core';
import { nesterovsDefinition } from './nesterovs';
import { sgdDefinition } from './sgd';

/** Every updater of this package. */
export const updatersPlugin: Plugin = { name: '@dl4ts/updaters', definitions: [sgdDefinition, nesterovsDefinition] };

/** Registers this package's updaters (idempotent). */
export function registerUpdaters(registry: Registry = defaultRegistry): Registry {
  return registry.use(updatersPlugin);
}
