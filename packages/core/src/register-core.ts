import { backpropDefinition } from './backprop';
import type { Plugin, Registry } from './registry';
import { defaultRegistry } from './registry';

/** Core's own components: the standard backprop training strategy. */
export const corePlugin: Plugin = { name: '@dl4ts/core', definitions: [backpropDefinition] };

/** Registers core's components (idempotent). */
export function registerCore(registry: Registry = defaultRegistry): Registry {
  return registry.use(corePlugin);
}
