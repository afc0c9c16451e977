// Core's own tests run on the tfjs CPU backend with gradients registered, as an app would after
// selectBackend. (Core itself depends on no backend; this is a dev dependency of its tests.)
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { registerGradients } from './src/gradients';

await tf.setBackend('cpu');
await registerGradients();
