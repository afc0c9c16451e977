// Entry of a Node training worker thread (started by `nodeWorkers`); see worker-runtime.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { ConfigError } from '@dl4ts/core';
import type { FromWorker, ToWorker } from '../protocol';
import { runWorker } from '../worker-runtime';
import { importModule } from './import-module';

const port = parentPort;
if (port === null) throw new ConfigError('@dl4ts/parallel worker entry: not running in a worker thread');
const { index } = workerData as { index: number };
runWorker(
  {
    post: (message: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer),
    onMessage: (listener) => port.on('message', (message: ToWorker) => listener(message)),
  },
  importModule,
  index,
);
