export type { NesterovsOptions } from './nesterovs';
export { nesterovs, nesterovsDefinition } from './nesterovs';
export { registerUpdaters, updatersPlugin } from './register-updaters';
export type { SgdOptions } from './sgd';
export { sgd, sgdDefinition } from './sgd';
