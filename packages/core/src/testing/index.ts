/**
 * Shared test helpers for dl4ts packages and plugins: gradient checks, leak checks and array
 * comparison. Test-runner agnostic: they return results, the caller asserts.
 */
export type { GradientCheckOptions, GradientCheckResult, GradientMismatch } from './gradient-check';
export { checkGradients } from './gradient-check';
export { compareArrays, leakedTensors } from './memory';
