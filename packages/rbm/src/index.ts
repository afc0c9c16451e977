export type { MonitorData, MonitorOptions } from './monitors';
export { meanFreeEnergy, pseudoLogLikelihood, pseudoLogLikelihoods, reconstructionError } from './monitors';
export type { PretrainOptions } from './pretrain';
export { pretrain, unlabeled } from './pretrain';
export type { RbmOptions, RbmSettings } from './rbm';
export { Rbm, rbmDefinition } from './rbm';
export { rbmPlugin, registerRbm } from './register-rbm';
export type { RbmSource, UnrollOptions } from './unroll';
export { unrollAutoencoder } from './unroll';
export type { HiddenUnit, UnitType, VisibleUnit } from './units';
export { HIDDEN_UNITS, VISIBLE_UNITS, hiddenFreeEnergy, sampleUnits, unitMean, visibleFreeEnergy } from './units';
// Re-exported so that this package's declarations load @dl4ts/layers' (its config types merge into
// core's maps): a project that imports only this package gets the activation, weight initialiser
// and layer keys its register function registers type-checked too.
export type { DenseOptions, OutputOptions } from '@dl4ts/layers';
