import type { Model } from '@dl4ts/core';
import { readSafetensorsHeader } from '@dl4ts/core';
import type { PluginSpec } from './options';

/**
 * The packages named as providers of the model's components: the plugins workers need by default.
 * Core's own components (the defaults a config leaves out) are in every registry and need none.
 */
export function providersOf(artifact: Uint8Array, _network: Model): PluginSpec[] {
  const { components } = readSafetensorsHeader(artifact).metadata;
  const entries = JSON.parse(components ?? '[]') as { provider?: string }[];
  const providers = entries.map((e) => e.provider);
  return [...new Set(providers.filter((p): p is string => p !== undefined && p !== '@dl4ts/core'))];
}

