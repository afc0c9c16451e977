export type { NodeWorkersOptions } from './node-workers';
export { nodeWorkers } from './node-workers';
