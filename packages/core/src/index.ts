export type { Activation, ActivationContext } from './activation';
export { ACTIVATION_CONTRACT_VERSION } from './activation';
export type { Availability, Backend, BackendSelection } from './backend';
export { BACKEND_CONTRACT_VERSION, activateTfjsBackend, selectBackend } from './backend';
export type { FusedKernelName, FusedUpdaterRule, FusedUpdaterRuleName } from './fused-kernels';
export { FUSED_KERNELS, FUSED_KERNEL_CONTRACT_VERSION, FUSED_UPDATER_RULES, backendOffers, fusedApplyUpdate, scaledAdd, sumOfSquares, countNonFinite, dropoutMask } from './fused-kernels';
export type { FusedKernelSpecs } from './fused-kernel-specs';
export { fusedKernelAttrs, runFusedKernel } from './fused-kernel-specs';
export { backpropStrategy } from './backprop';
export type { ArrayInput, BatchSource } from './data-set';
export { DataSet, toTensor2D, trainTestSplit } from './data-set';
export type { ColumnStats, FitInput } from './data/column-stats';
export { columnStats } from './data/column-stats';
export type { CsvOptions, CsvRow, CsvTable } from './data/csv';
export { csvRows, parseCsv } from './data/csv';
export type { CsvDataSetOptions } from './data/csv-data-set';
export { csvDataSet, csvSource } from './data/csv-data-set';
export type { DataLocation } from './data/errors';
export { DataFormatError, DataTooLargeError, NotFittedError } from './data/errors';
export type { CsvLoadOptions, CsvProgress } from './data/csv-columns';
export { gunzip, gunzipStream, isGzip, maybeGunzip, maybeGunzipStream } from './data/gzip';
export type { IdxArray, IdxDType } from './data/idx';
export { parseIdx } from './data/idx';
export type { ImageScalerJSON } from './data/image-scaler';
export { ImageScaler } from './data/image-scaler';
export type { MinMaxJSON } from './data/min-max';
export { MinMax } from './data/min-max';
export type { MnistOptions } from './data/mnist';
export { mnistDataSet } from './data/mnist';
export type { Affine, NormalizerJSONBase } from './data/normalizer';
export { Normalizer } from './data/normalizer';
export type { NormalizerJSON } from './data/normalizer-from-json';
export { normalizerFromJSON } from './data/normalizer-from-json';
export { oneHot, oneHotArray } from './data/one-hot';
export type { StandardizeJSON } from './data/standardize';
export { Standardize } from './data/standardize';
export type { RowStream, StreamRow, StreamingSourceOptions } from './data/streaming-source';
export { StreamingSource } from './data/streaming-source';
export {
  ArtifactError,
  NonFiniteScoreError,
  BackendError,
  ConfigError,
  ContractVersionError,
  Dl4tsError,
  DuplicateKeyError,
  ShapeError,
  UnknownKeyError,
  ValueError,
  formatShape,
  formatValue,
} from './errors';
export type { Averaging, EvaluationOptions } from './evaluation';
export { Evaluation } from './evaluation';
export { registerGradients } from './gradients';
export { denseGradient, fusedDense } from './fused-dense';
export type { FusedDenseActivation } from './fused-dense';
export type {
  BuildContext,
  ForwardContext,
  GradientNormalization,
  Layer,
  LayerCommonOptions,
  LayerConfigOf,
  OutputLayer,
  ParamDeclaration,
  PretrainableLayer,
  ParamMap,
  ParamRole,
  RecurrentLayer,
  RecurrentState,
  ResolvedLayerConfig,
  Shape,
} from './layer';
export { LAYER_CONTRACT_VERSION, isOutputLayer, isPretrainable, isRecurrent } from './layer';
export type { Loss, LossInput } from './loss';
export { LOSS_CONTRACT_VERSION } from './loss';
export type { FitOptions, NetworkOptions } from './network';
export type { EpochInfo, FitEndInfo, FitResult, FitStartInfo, GradientInfo, IterationInfo, TrainingListener } from './listener';
export type { ScoreIterationListenerOptions, ScorePoint } from './listeners/score-listeners';
export { CollectScoresListener, ScoreIterationListener } from './listeners/score-listeners';
export type { PerformanceListenerOptions, PerformanceReport } from './listeners/performance-listener';
export { PerformanceListener, formatDuration, formatPerformance } from './listeners/performance-listener';
export type { EvaluationOf, EvaluationRecord, EvaluativeListenerOptions } from './listeners/evaluative-listener';
export { EvaluativeListener } from './listeners/evaluative-listener';
export type { EvaluateOptions } from './evaluate';
export { evaluateClassifier, evaluateRegression, heldOutScore } from './evaluate';
export type { EarlyStoppingConfig, EarlyStoppingResult, TerminationReason } from './early-stopping/early-stopping';
export { fitEarlyStopping } from './early-stopping/early-stopping';
export type { EpochTerminationCondition, IterationTerminationCondition } from './early-stopping/termination';
export { bestScore, invalidScore, maxEpochs, maxScore, maxTime, scoreImprovement } from './early-stopping/termination';
export type { ClassificationMetric, RegressionMetric, ScoreCalculator } from './early-stopping/score-calculators';
export { classificationCalculator, lossCalculator, regressionCalculator } from './early-stopping/score-calculators';
export type { ModelSaver } from './early-stopping/model-saver';
export { InMemoryModelSaver } from './early-stopping/model-saver';
export { Network } from './network';
export type { ModelOptions } from './model';
export { Model, sameKind } from './model';
export { epochShuffleRng } from './built-model';
export type { GraphInputs, GraphOutputOptions } from './graph/computation-graph';
export { ComputationGraph } from './graph/computation-graph';
export type { GraphConfig, GraphVertexConfig } from './graph/graph-config';
export type { ElementwiseOp } from './graph/vertices';
export type { MultiDataSetArrays } from './graph/multi-data-set';
export type { FineTuneConfig } from './transfer/transfer-common';
export type { NOutReplaceOptions } from './transfer/transfer-learning';
export { TransferLearning } from './transfer/transfer-learning';
export { GraphTransferLearning } from './transfer/graph-transfer-learning';
export { MultiDataSet } from './graph/multi-data-set';
export type { ResolvedVertexConfig, Vertex, VertexCommonOptions, VertexConfigOf, VertexContext } from './graph/vertex';
export { VERTEX_CONTRACT_VERSION } from './graph/vertex';
export type { NonFiniteScoreAction } from './non-finite-score';
export { DivergenceGuard, TrainingSnapshot, nonFiniteAction, nonFiniteMessage } from './non-finite-score';
export type { OptionFlags } from './config-keys';
export { LAYER_COMMON_OPTIONS, optionNames } from './config-keys';
export { closestKey, rejectUnknownKeys } from './unknown-keys';
export type { LayerConfig, LayerDefaults, NetworkConfig } from './network-config';
export { DEFAULT_SEED, activationLossWarning } from './network-config';
export { Rng, dropoutMaskValues } from './random';
export { corePlugin, registerCore } from './register-core';
export { RegressionEvaluation } from './regression-evaluation';
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
  VertexConfigMap,
  WeightInitConfigMap,
} from './registry';
export { CONTRACT_VERSIONS, Registry, defaultRegistry } from './registry';
export type { AnyBatch, Batch, GradientOptions, MultiBatch, RecurrentStates, StrategyState, TrainingStrategy, TrainingTarget } from './training-strategy';
export { STRATEGY_CONTRACT_VERSION, batchRows, batchTensors, disposeBatch, isMultiBatch, mapBatch, toMultiBatch } from './training-strategy';
export { abortReason, notifyListeners } from './fit-loop';
export type { Updater, UpdaterState, UpdaterStep } from './updater';
export { UPDATER_CONTRACT_VERSION } from './updater';
export type { WeightInit, WeightInitContext } from './weight-init';
export { WEIGHT_INIT_CONTRACT_VERSION } from './weight-init';
export type { LoadModelOptions, LoadedGraph, LoadedModel, SaveModelOptions } from './io/model-artifact';
export { MODEL_FORMAT, MODEL_FORMAT_VERSION, deserializeAny, deserializeGraph, deserializeModel, serializeModel } from './io/model-artifact';
export type { SafetensorsData, SafetensorsDtype, SafetensorsHeader, SafetensorsLimits, SafetensorsTensor } from './io/safetensors';
export { encodeSafetensors, readSafetensorsData, readSafetensorsHeader } from './io/safetensors';
