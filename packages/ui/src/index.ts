export type { ActivationStats, Histogram, LayerInfo, MemoryStats, ParamInfo, ParamStats, RunInfo, StatsEvent, StatsReport } from './stats';
export type { StatsStorage } from './storage';
export { MemoryStatsStorage, UnknownRunError } from './storage';
export type { FileStatsStorageOptions } from './file-storage';
export { FileStatsStorage, StatsFileError } from './file-storage';
export type { StatsListenerOptions } from './stats-listener';
export { StatsListener } from './stats-listener';
export { activationStats, histogram, meanMagnitude } from './summaries';
