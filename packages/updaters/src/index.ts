export type { AdaDeltaOptions } from './adadelta';
export { adadelta, adadeltaDefinition } from './adadelta';
export type { AdaGradOptions } from './adagrad';
export { adagrad, adagradDefinition } from './adagrad';
export type { AdamOptions } from './adam';
export { adam, adamDefinition } from './adam';
export type { AdaMaxOptions } from './adamax';
export { adamax, adamaxDefinition } from './adamax';
export type { AmsGradOptions } from './amsgrad';
export { amsgrad, amsgradDefinition } from './amsgrad';
export type { NadamOptions } from './nadam';
export { nadam, nadamDefinition } from './nadam';
export type { NesterovsOptions } from './nesterovs';
export { nesterovs, nesterovsDefinition } from './nesterovs';
export type { NoneOptions } from './none';
export { none, noneDefinition } from './none';
export { registerUpdaters, updatersPlugin } from './register-updaters';
export type { RmsPropOptions } from './rmsprop';
export { rmsprop, rmspropDefinition } from './rmsprop';
export type {
  CosineSchedule,
  ExponentialSchedule,
  FixedSchedule,
  InverseSchedule,
  MapSchedule,
  PolySchedule,
  Schedule,
  Scheduled,
  ScheduleType,
  SigmoidSchedule,
  StepSchedule,
} from './schedules';
export { resolveSchedule, scheduleValue } from './schedules';
export type { SgdOptions } from './sgd';
export { sgd, sgdDefinition } from './sgd';
export type {
  ConjugateGradientOptions,
  HessianFreeOptions,
  HessianFreeStrategy,
  LbfgsOptions,
  LineGradientDescentOptions,
  LineSearchOptions,
  WholeVectorStrategy,
} from './optimizers';
export {
  conjugateGradient,
  conjugateGradientDefinition,
  hessianFree,
  hessianFreeDefinition,
  lbfgs,
  lbfgsDefinition,
  lineGradientDescent,
  lineGradientDescentDefinition,
  optimizerDefinitions,
} from './optimizers';
