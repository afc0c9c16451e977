export { importModule } from './import-module';
export type { NodeWorkersOptions } from './node-workers';
export { nodeWorkers } from './node-workers';
export { openData } from './open-data';
