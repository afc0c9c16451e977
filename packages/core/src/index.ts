export type { Activation, ActivationContext } from './activation';
export { ACTIVATION_CONTRACT_VERSION } from './activation';
export type { Availability, Backend, BackendSelection } from './backend';
export { BACKEND_CONTRACT_VERSION, activateTfjsBackend, selectBackend } from './backend';
export { backpropStrategy } from './backprop';
export type { ArrayInput, BatchSource } from './data-set';
export { DataSet, toTensor2D } from './data-set';
export {
  BackendError,
  ConfigError,
  ContractVersionError,
  Dl4tsError,
  DuplicateKeyError,
  ShapeError,
  UnknownKeyError,
  ValueError,
  formatShape,
} from './errors';
export { Evaluation } from './evaluation';
export { registerGradients } from './gradients';
export type {
  BuildContext,
  ForwardContext,
  Layer,
  LayerCommonOptions,
  OutputLayer,
  ParamDeclaration,
  PretrainableLayer,
  ParamMap,
  ParamRole,
  ResolvedLayerConfig,
  Shape,
} from './layer';
export { LAYER_CONTRACT_VERSION, isOutputLayer, isPretrainable } from './layer';
export type { Loss, LossInput } from './loss';
export { LOSS_CONTRACT_VERSION } from './loss';
export type { FitOptions, NetworkOptions, TrainingListener } from './network';
export { Network } from './network';
export type { LayerConfig, LayerDefaults, NetworkConfig } from './network-config';
export { DEFAULT_SEED, activationLossWarning } from './network-config';
export { Rng } from './random';
export { corePlugin, registerCore } from './register-core';
export type {
  ActivationConfigMap,
  ComponentConfig,
  ComponentDefinition,
  ComponentKind,
  ComponentRef,
  ConfigMaps,
  KeyOf,
  KeySpelling,
  LayerConfigMap,
  LossConfigMap,
  Plugin,
  ResolvedConfig,
  ShortName,
  StrategyConfigMap,
  UpdaterConfigMap,
  WeightInitConfigMap,
} from './registry';
export { CONTRACT_VERSIONS, Registry, defaultRegistry } from './registry';
export type { Batch, TrainingStrategy, TrainingTarget } from './training-strategy';
export { STRATEGY_CONTRACT_VERSION } from './training-strategy';
export type { Updater, UpdaterState, UpdaterStep } from './updater';
export { UPDATER_CONTRACT_VERSION } from './updater';
export type { WeightInit, WeightInitContext } from './weight-init';
export { WEIGHT_INIT_CONTRACT_VERSION } from './weight-init';
