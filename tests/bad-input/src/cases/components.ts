// Options of specific components (recurrent, convolutional, RBM layers, the character codec) and
// of the data-parallel trainer, checked before anything runs.
import { ConfigError, ShapeError, ValueError } from '@dl4ts/core';
import { ParallelTrainer } from '@dl4ts/parallel';
import type { ParallelOptions } from '@dl4ts/parallel';
import { CharacterCodec } from '@dl4ts/rnn';
import type { BadInputCase } from '../support';
import { build, mlpConfig, withNet } from '../support';

/** A network config whose first layer is `first`, on input `input`, ending in a softmax output. */
const stack = (input: unknown, ...first: Record<string, unknown>[]) =>
  mlpConfig((c) => {
    c.input = input;
    c.layers = [...first, { type: 'layers/output', nOut: 3, activation: 'softmax', loss: 'mcxent' }];
  });
/** A transport that is never used: the trainer validates its options before it spawns workers. */
const transport = { spawn: () => Promise.reject(new Error('not spawned in this test')), defaultWorkers: () => 2 } as unknown as ParallelOptions['transport'];
const trainer = (options: Record<string, unknown>) => withNet((net) => void new ParallelTrainer(net, { transport, ...options } as ParallelOptions));

export const componentCases: BadInputCase[] = [
  { name: 'LSTM nOut 0', run: () => build(stack([null, 2], { type: 'rnn/lstm', nOut: 0 }, { type: 'rnn/last-time-step' })), error: ConfigError, received: '0' },
  { name: 'LSTM forgetGateBiasInit a string', run: () => build(stack([null, 2], { type: 'rnn/lstm', nOut: 3, forgetGateBiasInit: 'one' }, { type: 'rnn/last-time-step' })), error: ConfigError, received: '"one"' },
  { name: 'an output layer on sequences without last-time-step', run: () => build(stack([null, 2], { type: 'rnn/lstm', nOut: 3 })), error: ShapeError, received: '3' },
  { name: 'convolution kernel [3, 0]', run: () => build(stack([6, 6, 1], { type: 'cnn/convolution2d', nOut: 2, kernelSize: [3, 0] }, { type: 'cnn/flatten' })), error: ConfigError, received: '[3, 0]' },
  { name: 'convolution padding with mode same', run: () => build(stack([6, 6, 1], { type: 'cnn/convolution2d', nOut: 2, kernelSize: 3, convolutionMode: 'same', padding: 1 }, { type: 'cnn/flatten' })), error: ConfigError, received: '1' },
  { name: 'pooling type unknown', run: () => build(stack([6, 6, 1], { type: 'cnn/subsampling2d', poolingType: 'median', kernelSize: 2 }, { type: 'cnn/flatten' })), error: ConfigError, received: '"median"' },
  { name: 'reshape to a shape of another size', run: () => build(stack([6, 6, 1], { type: 'cnn/reshape', shape: [5, 7] }, { type: 'cnn/flatten' })), error: ShapeError, received: '[5, 7]' },
  { name: 'RBM hidden units unknown', run: () => build(stack(2, { type: 'rbm/rbm', nOut: 4, hiddenUnit: 'gaussianish' })), error: ConfigError, received: '"gaussianish"' },
  { name: 'RBM k 0 Gibbs steps', run: () => build(stack(2, { type: 'rbm/rbm', nOut: 4, k: 0 })), error: ConfigError, received: '0' },
  { name: 'embedding on 2.5 classes', run: () => build(stack(1, { type: 'layers/embedding', nIn: 2.5, nOut: 4 })), error: ConfigError, received: '2.5' },
  { name: 'batch normalization decay 1.5', run: () => build(stack(2, { type: 'layers/batch-normalization', decay: 1.5 })), error: ConfigError, received: '1.5' },
  { name: 'a character codec of no text', run: () => CharacterCodec.fromText(''), error: ValueError, received: 'received 0' },
  { name: 'ParallelTrainer workers 0', run: () => trainer({ workers: 0 }), error: ConfigError, received: '0' },
  { name: 'ParallelTrainer workers 1.5', run: () => trainer({ workers: 1.5 }), error: ConfigError, received: '1.5' },
  { name: 'ParallelTrainer averagingFrequency a string', run: () => trainer({ averagingFrequency: '5' }), error: ConfigError, received: '"5"' },
  { name: 'ParallelTrainer prefetch -1', run: () => trainer({ prefetch: -1 }), error: ConfigError, received: '-1' },
  { name: 'ParallelTrainer averageUpdaters "yes"', run: () => trainer({ averageUpdaters: 'yes' }), error: ConfigError, received: '"yes"' },
  { name: 'ParallelTrainer onWorkerFailure unknown', run: () => trainer({ onWorkerFailure: 'retry' }), error: ConfigError, received: '"retry"' },
  { name: 'ParallelTrainer backend an empty string', run: () => trainer({ backend: '' }), error: ConfigError, received: 'empty string' },
  { name: 'ParallelTrainer plugins not an array', run: () => trainer({ plugins: '@dl4ts/layers' }), error: ConfigError, received: '"@dl4ts/layers"' },
  { name: 'ParallelTrainer without a transport', run: () => withNet((net) => void new ParallelTrainer(net, {} as ParallelOptions)), error: ConfigError, received: 'transport' },
];
