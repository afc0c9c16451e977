import { defaultRegistry } from '@dl4ts/core';
import { registerLayers } from '@dl4ts/layers';
import type { ComponentDefinition, Plugin, Registry } from '@dl4ts/core';
import { convolution2dDefinition } from './convolution2d';
import { globalPoolingDefinition } from './global-pooling';
import { flattenDefinition, reshapeDefinition } from './reshape';
import { cropping2dDefinition, spaceToDepthDefinition, upsampling2dDefinition, zeroPadding2dDefinition } from './spatial';
import { deconvolution2dDefinition } from './deconvolution2d';
import { depthwiseConvolution2dDefinition, separableConvolution2dDefinition } from './depthwise';
import { subsampling2dDefinition } from './subsampling2d';

const definitions: readonly ComponentDefinition[] = [
  convolution2dDefinition,
  deconvolution2dDefinition,
  depthwiseConvolution2dDefinition,
  separableConvolution2dDefinition,
  subsampling2dDefinition,
  globalPoolingDefinition,
  reshapeDefinition,
  flattenDefinition,
  zeroPadding2dDefinition,
  cropping2dDefinition,
  upsampling2dDefinition,
  spaceToDepthDefinition,
];

/** This package's layers as a plugin. */
export const cnnPlugin: Plugin = { name: '@dl4ts/cnn', definitions };

/**
 * Registers this package's layers (idempotent), and `@dl4ts/layers` (a dependency): the
 * activations, weight initialisers and batch normalisation a convolutional network uses. The
 * output layer's loss comes from a loss package the application registers.
 *
 * @example
 * ```ts
 * registerCnn(registry);
 * ```
 */
export function registerCnn(registry: Registry = defaultRegistry): Registry {
  registerLayers(registry);
  return registry.use(cnnPlugin);
}
