/**
 * Shared test helpers for dl4ts packages and plugins: gradient checks, leak checks, array
 * comparison and the cross-backend conformance suite. Test-runner agnostic: they return results,
 * the caller asserts.
 */
export type { GradientCheckOptions, GradientCheckResult, GradientMismatch } from './gradient-check';
export { checkGradients } from './gradient-check';
export { compareArrays, leakedTensors } from './memory';
export type { ConformanceOptions, ConformanceReport } from './conformance';
export type { ConformanceResult, ConformanceTolerance } from './conformance-types';
export { CONFORMANCE_TOLERANCE, runConformance } from './conformance';
export type { ArrayValue, LayerCase, LossCase } from './conformance-cases';
export { DEFAULT_LAYER_CASES, SAVE_LOAD_CONFIG, activationInput, lossCase, normals } from './conformance-cases';
export type { VertexCase } from './conformance-vertices';
export { DEFAULT_VERTEX_CASES } from './conformance-vertices';
export { networkTarget } from './network-target';
export { syntheticClassification } from './synthetic-data';
export { buildLayer, configRoundTrip, inferenceContext, initialValues, modelState, readParam, recordingBuildContext, registryWith, rows, trainingContext, values } from './layer-kit';
export type { Matrix } from './float64';
export { FLOAT32_TOLERANCE, closeness, logSoftmax64, matMul64, sigmoid64, softmax64, softplus64 } from './float64';
