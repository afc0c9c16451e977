import type { Network } from '@dl4ts/core';
import { readSafetensorsHeader } from '@dl4ts/core';
import type { PluginSpec } from './options';

/**
 * The packages named as providers of the model's components: the plugins workers need by default.
 * The artifact lists configured components only, so the provider of core's implicit default
 * updater (`updaters/sgd`, used where a layer names none) is added when the registry has one.
 */
export function providersOf(artifact: Uint8Array, network: Network): PluginSpec[] {
  const { components } = readSafetensorsHeader(artifact).metadata;
  const entries = JSON.parse(components ?? '[]') as { provider?: string }[];
  const providers = entries.map((e) => e.provider);
  if (network.registry.has('updater', 'updaters/sgd')) providers.push(network.registry.definition('updater', 'updaters/sgd').provider);
  return [...new Set(providers.filter((p): p is string => p !== undefined && p !== '@dl4ts/core'))];
}

