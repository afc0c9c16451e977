export { checkBinaryLabels, checkDistributionLabels } from './check-distribution-labels';
export { checkSparseLabels } from './check-sparse-labels';
export { cosineProximityDefinition } from './cosine-proximity';
export { crossEntropyLosses, mcxentDefinition, negativeLogLikelihoodDefinition, sparseMcxentDefinition, xentDefinition } from './cross-entropy';
export type { LossSpec, NoOptions, ScoreContext, WeightsOption } from './define-loss';
export { activated, defineLoss, sumOutputs } from './define-loss';
export { klDivergenceDefinition, klDivergenceLosses, reconstructionCrossEntropyDefinition } from './kl-divergence';
export { lossDefinitions } from './losses';
export { hingeDefinition, marginLosses, squaredHingeDefinition } from './margin-losses';
export {
  expllDefinition,
  l1Definition,
  l2Definition,
  meanAbsoluteErrorDefinition,
  meanAbsolutePercentageErrorDefinition,
  meanSquaredLogarithmicErrorDefinition,
  mseDefinition,
  poissonDefinition,
  regressionLosses,
  rmseXentDefinition,
  squaredLossDefinition,
} from './regression-losses';
export { lossesPlugin, registerLosses } from './register-losses';
