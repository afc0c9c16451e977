/**
 * Node-only file loaders of `@dl4ts/core/node`. The parsers they use (IDX, CSV, gzip) are
 * platform-neutral and exported from `@dl4ts/core`.
 */
export { readChunks, readDataFile } from './files';
export type { LoadMnistOptions } from './load-mnist';
export { loadMnist } from './load-mnist';
export { loadCsv, streamCsv } from './load-csv';
export type { SaveModelFileOptions, SaveStep } from './model-files';
export { loadAny, loadGraph, loadModel, saveModel } from './model-files';
export type { SweepOptions } from './temp-files';
export { STALE_TEMP_AGE_MS, sweepStaleTemps } from './temp-files';
export type { CheckpointFile, CheckpointListenerOptions } from './checkpoint-listener';
export { CheckpointListener, listCheckpoints } from './checkpoint-listener';
export { LocalFileModelSaver } from './local-file-model-saver';
