import { corePlugin } from './core-plugin';
import type { Registry } from './registry';
import { defaultRegistry } from './registry';

export { corePlugin } from './core-plugin';

/**
 * Registers core's components (idempotent). Every `Registry` holds them from construction, so this
 * is needed only by code written against older versions; it is kept for them.
 */
export function registerCore(registry: Registry = defaultRegistry): Registry {
  return registry.use(corePlugin);
}
