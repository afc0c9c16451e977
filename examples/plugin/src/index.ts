export type { BetaSwishOptions } from './beta-swish';
export { BETA_SWISH, betaSwish, betaSwishDefinition } from './beta-swish';
export type { GatedDenseOptions } from './gated-dense';
export { GATED_DENSE, GatedDense, gatedDenseDefinition } from './gated-dense';
export type { LionOptions } from './lion';
export { LION, lion, lionDefinition } from './lion';
export type { LogCoshOptions } from './log-cosh';
export { LOG_COSH, logCosh, logCoshDefinition } from './log-cosh';
export { examplePlugin, registerExamplePlugin } from './register-example-plugin';
