import { defaultRegistry } from '@dl4ts/core';
import type { Plugin, Registry } from '@dl4ts/core';
import { betaSwishDefinition } from './beta-swish';
import { gatedDenseDefinition } from './gated-dense';
import { lionDefinition } from './lion';
import { logCoshDefinition } from './log-cosh';

/** This package's components, all under the `example/` namespace. */
export const examplePlugin: Plugin = {
  name: '@dl4ts/example-plugin',
  definitions: [gatedDenseDefinition, betaSwishDefinition, logCoshDefinition, lionDefinition],
};

/**
 * Registers `example/gated-dense`, `example/beta-swish`, `example/log-cosh` and `example/lion`
 * (idempotent). Nothing registers itself on import: call this in every process that builds,
 * trains or loads a model using them.
 *
 * @example
 * ```ts
 * const registry = new Registry();
 * registerLayers(registry);
 * registerExamplePlugin(registry);
 * const { network } = await loadModel('model.safetensors', { registry });
 * ```
 */
export function registerExamplePlugin(registry: Registry = defaultRegistry): Registry {
  return registry.use(examplePlugin);
}
