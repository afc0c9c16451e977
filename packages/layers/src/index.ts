export { activationDefinitions } from './activations';
export type { DenseOptions } from './dense';
export { Dense, affine, checkDenseShape, declareDenseParams, denseDefinition } from './dense';
export type { OutputOptions } from './output';
export { Output, outputDefinition } from './output';
export { layersPlugin, registerLayers } from './register-layers';
export { weightInitDefinitions } from './weight-inits';
