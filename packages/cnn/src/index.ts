export type { Convolution2DConfig, Convolution2DOptions } from './convolution2d';
export type { ConvolutionWindowOptions } from './convolution-options';
export type { Deconvolution2DConfig, Deconvolution2DOptions } from './deconvolution2d';
export { Deconvolution2D, deconvolution2dDefinition } from './deconvolution2d';
export type { DepthwiseConvolution2DOptions, SeparableConvolution2DOptions } from './depthwise';
export { DepthwiseConvolution2D, SeparableConvolution2D, depthwiseConvolution2dDefinition, separableConvolution2dDefinition } from './depthwise';
export { Convolution2D, convolution2dDefinition } from './convolution2d';
export type { ConvolutionMode, PaddingOption, Pair, PairOption, Sides, WindowGeometry, WindowOptions } from './geometry';
export { outputSize, windowGeometry } from './geometry';
export type { GlobalPoolingOptions } from './global-pooling';
export { GlobalPooling, globalPoolingDefinition } from './global-pooling';
export type { PoolingType, PoolingTypeName } from './pooling';
export { cnnPlugin, registerCnn } from './register-cnn';
export type { ReshapeOptions } from './reshape';
export { Flatten, Reshape, flattenDefinition, reshapeDefinition } from './reshape';
export type { Cropping2DOptions, SidesOption, SpaceToDepthOptions, Upsampling2DOptions, ZeroPadding2DOptions } from './spatial';
export { Cropping2D, SpaceToDepth, Upsampling2D, ZeroPadding2D, cropping2dDefinition, spaceToDepthDefinition, upsampling2dDefinition, zeroPadding2dDefinition } from './spatial';
export type { Subsampling2DOptions } from './subsampling2d';
export { Subsampling2D, subsampling2dDefinition } from './subsampling2d';
// Re-exported so that this package's declarations load @dl4ts/layers' (its config types merge into
// core's maps): a project that imports only @dl4ts/cnn gets 'layers/batch-normalization', 'relu'
// and the other keys registerCnn registers type-checked too.
export type { BatchNormalizationOptions, DenseOptions, OutputOptions } from '@dl4ts/layers';
