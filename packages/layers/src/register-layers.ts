import { defaultRegistry } from '@dl4ts/core';
import type { Plugin, Registry } from '@dl4ts/core';
import { activationLayerDefinition } from './activation-layer';
import { activationDefinitions } from './activations';
import { autoEncoderDefinition } from './autoencoder';
import { batchNormalizationDefinition } from './batch-normalization';
import { denseDefinition } from './dense';
import { dropoutDefinition } from './dropout';
import { embeddingDefinition } from './embedding';
import { outputDefinition } from './output';
import { weightInitDefinitions } from './weight-inits';

/** Every layer, activation and weight initialiser of this package. */
export const layersPlugin: Plugin = {
  name: '@dl4ts/layers',
  definitions: [
    denseDefinition,
    outputDefinition,
    dropoutDefinition,
    activationLayerDefinition,
    batchNormalizationDefinition,
    embeddingDefinition,
    autoEncoderDefinition,
    ...activationDefinitions,
    ...weightInitDefinitions,
  ],
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
