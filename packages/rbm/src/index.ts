export type { MonitorData, MonitorOptions } from './monitors';
export { meanFreeEnergy, pseudoLogLikelihood, pseudoLogLikelihoods, reconstructionError } from './monitors';
export type { PretrainOptions } from './pretrain';
export { pretrain, unlabeled } from './pretrain';
export type { RbmOptions, RbmSettings } from './rbm';
export { Rbm, rbmDefinition } from './rbm';
export { rbmPlugin, registerRbm } from './register-rbm';
export type { HiddenUnit, UnitType, VisibleUnit } from './units';
export { HIDDEN_UNITS, VISIBLE_UNITS, hiddenFreeEnergy, sampleUnits, unitMean, visibleFreeEnergy } from './units';
