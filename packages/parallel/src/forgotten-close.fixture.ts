// Not a vitest file: lifecycle.test.ts runs it as its own Node process.
// It trains on two workers and never calls close(); the process must still exit by itself.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { registerGradients } from '@dl4ts/core';
import { nodeWorkers } from './node';
import { ParallelTrainer } from './trainer';
import { classification, network } from './test-support';

await tf.setBackend('cpu');
await registerGradients();
const net = network({ seed: 1, input: 4, layers: [{ type: 'layers/output', nOut: 2, activation: 'softmax', loss: 'mcxent' }] });
const data = classification(32, 4, 2, 1);
const trainer = new ParallelTrainer(net, { transport: nodeWorkers(), workers: 2, backend: 'cpu' });
const result = await trainer.fit(data, { epochs: 2, batchSize: 8 });
console.log(`trained ${result.epochs} epochs on ${trainer.liveWorkers} workers`);
