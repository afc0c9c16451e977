// This package's tests run on the tfjs CPU backend with gradients registered, as core's own tests
// do (tfjs-backend-cpu is a dev dependency of the tests only).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { registerGradients } from '@dl4ts/core';

await tf.setBackend('cpu');
await registerGradients();
