// One CSV load in a fresh process, for the csv-load case: `node dist/csv/load-child.js FILE
// [NUM_CLASSES]` loads FILE with loadCsv (label column last) and prints one JSON line: seconds,
// rows, the resident set before the load and at its peak, and the progress callbacks seen.
import * as tf from '@tensorflow/tfjs-core';
import { cpuBackend } from '@dl4ts/backend-cpu';
import { selectBackend } from '@dl4ts/core';
import { loadCsv } from '@dl4ts/core/node';

const [path, classes] = process.argv.slice(2);
if (path === undefined) throw new Error('usage: load-child FILE [NUM_CLASSES]');
await selectBackend('cpu', [cpuBackend()]);
const before = process.memoryUsage().rss;
const started = performance.now();
let progressCalls = 0;
const data = await loadCsv(path, {
  labelColumn: -1,
  ...(classes === undefined ? {} : { numClasses: Number(classes) }),
  onProgress: () => {
    progressCalls++;
  },
});
const seconds = (performance.now() - started) / 1000;
// maxRSS is in KiB on Linux.
const peak = process.resourceUsage().maxRSS * 1024;
console.log(JSON.stringify({ seconds, rows: data.size, features: data.features.shape[1], labels: data.labels.shape[1], rssBefore: before, rssPeak: peak, progressCalls, tensors: tf.memory().numTensors }));
data.dispose();
