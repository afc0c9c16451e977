// Network configs: the shape of the config, layer options, defaults, updaters and schedules.
import { ConfigError, ShapeError, UnknownKeyError, ValueError } from '@dl4ts/core';
import type { BadInputCase } from '../support';
import { build, mlpConfig } from '../support';

type Change = (config: Record<string, unknown> & { layers: Record<string, unknown>[] }) => void;
const layer = (index: number, options: Record<string, unknown>): Change => (c) => Object.assign(c.layers[index] as object, options);
const updater = (options: Record<string, unknown>): Change => (c) => {
  c.defaults = { updater: { type: 'updaters/sgd', learningRate: 0.1, ...options } };
};
const config = (name: string, change: Change, error: BadInputCase extends infer C ? (C extends { error: infer E } ? E : never) : never, received: string, message?: RegExp): BadInputCase => ({
  name,
  run: () => build(mlpConfig(change)),
  error,
  received,
  ...(message === undefined ? {} : { message }),
});

export const networkConfigCases: BadInputCase[] = [
  // The config as a whole.
  { name: 'config null', run: () => build(null as never), error: ConfigError, received: 'null' },
  { name: 'config a string', run: () => build('mlp' as never), error: ConfigError, received: '"mlp"' },
  config('layers not an array', (c) => void (c.layers = { 0: {} } as never), ConfigError, '{ 0: {} }'),
  config('layers empty', (c) => void (c.layers = []), ConfigError, 'layers'),
  config('a layer null', (c) => void (c.layers[0] = null as never), ConfigError, 'null'),
  config('input missing', (c) => void delete c.input, ConfigError, 'input'),
  config('input 0', (c) => void (c.input = 0), ConfigError, '0'),
  config('input -2', (c) => void (c.input = -2), ConfigError, '-2'),
  config('input 2.5', (c) => void (c.input = 2.5), ConfigError, '2.5'),
  config('input a string', (c) => void (c.input = '2'), ConfigError, '"2"'),
  config('input NaN', (c) => void (c.input = Number.NaN), ConfigError, 'NaN'),
  config('seed a string', (c) => void (c.seed = 'abc'), ConfigError, '"abc"'),
  config('seed NaN', (c) => void (c.seed = Number.NaN), ConfigError, 'NaN'),
  config('seed 1.5', (c) => void (c.seed = 1.5), ConfigError, '1.5'),
  config('a misspelt top-level key', (c) => void (c.layer = []), ConfigError, 'layer'),
  config('defaults not an object', (c) => void (c.defaults = 'sgd'), ConfigError, '"sgd"'),
  config('a function in the config', layer(0, { activation: (x: unknown) => x }), ConfigError, 'function'),
  config('a Date in the config', layer(0, { biasInit: new Date(0) }), ConfigError, 'Date'),
  config('a circular reference', (c) => void (c.defaults = { self: c }), ConfigError, 'refers back'),
  // Layers.
  config('unknown layer type', layer(0, { type: 'layers/dens' }), UnknownKeyError, 'layers/dens', /layers\/dense/),
  config('layer type missing', (c) => void delete c.layers[0]?.type, ConfigError, 'type'),
  config('nOut 0', layer(0, { nOut: 0 }), ConfigError, '0'),
  config('nOut -4', layer(0, { nOut: -4 }), ConfigError, '-4'),
  config('nOut 1.5', layer(0, { nOut: 1.5 }), ConfigError, '1.5'),
  config('nOut a string', layer(0, { nOut: '4' }), ConfigError, '"4"'),
  config('nOut NaN', layer(0, { nOut: Number.NaN }), ConfigError, 'NaN'),
  config('nOut 1e9 (4e9 weights)', layer(1, { nOut: 1e9 }), ValueError, '1000000000', /16\.0 GB/),
  config('a misspelt layer option', layer(0, { nout: 4 }), ConfigError, 'nout', /nOut/),
  config("DL4J's lossFunction on an output layer", layer(1, { lossFunction: 'mcxent' }), ConfigError, 'lossFunction', /loss/),
  config("DL4J's dropOut", layer(0, { dropOut: 0.5 }), ConfigError, 'dropOut', /dropout/),
  config('unknown activation', layer(0, { activation: 'relu6x' }), UnknownKeyError, 'relu6x'),
  config('activation a number', layer(0, { activation: 3 }), ConfigError, '3'),
  config('unknown weight init', layer(0, { weightInit: 'xavierr' }), UnknownKeyError, 'xavierr', /xavier/),
  config('unknown loss', layer(1, { loss: 'mcxnet' }), UnknownKeyError, 'mcxnet'),
  config('dropout 1.5', layer(0, { dropout: 1.5 }), ConfigError, '1.5'),
  config('dropout -0.1', layer(0, { dropout: -0.1 }), ConfigError, '-0.1'),
  config('dropout a string', layer(0, { dropout: 'half' }), ConfigError, '"half"'),
  config('l2 negative', layer(0, { l2: -1e-4 }), ConfigError, '-0.0001'),
  config('l1 NaN', layer(0, { l1: Number.NaN }), ConfigError, 'NaN'),
  config('hasBias a string', layer(0, { hasBias: 'no' }), ConfigError, '"no"'),
  config('unknown gradient normalization', layer(0, { gradientNormalization: 'clip' }), ConfigError, 'clip'),
  config('an output layer with no loss', (c) => void delete c.layers[1]?.loss, ConfigError, 'loss'),
  config('a dense layer last', (c) => void c.layers.pop(), ConfigError, 'dense'),
  // Updaters and schedules.
  config('unknown updater', updater({ type: 'updaters/adamm' }), UnknownKeyError, 'updaters/adamm', /adam/),
  config('learning rate NaN', updater({ learningRate: Number.NaN }), ConfigError, 'NaN'),
  config('learning rate 0', updater({ learningRate: 0 }), ConfigError, '0'),
  config('learning rate -0.1', updater({ learningRate: -0.1 }), ConfigError, '-0.1'),
  config('learning rate Infinity', updater({ learningRate: Number.POSITIVE_INFINITY }), ConfigError, 'Infinity'),
  config('learning rate a string', updater({ learningRate: '0.1' }), ConfigError, '"0.1"'),
  config('Adam beta1 1.5', updater({ type: 'updaters/adam', learningRate: 1e-3, beta1: 1.5 }), ConfigError, '1.5'),
  config('Adam beta2 -0.1', updater({ type: 'updaters/adam', learningRate: 1e-3, beta2: -0.1 }), ConfigError, '-0.1'),
  config('Adam epsilon 0', updater({ type: 'updaters/adam', learningRate: 1e-3, epsilon: 0 }), ConfigError, '0'),
  config('Nesterovs momentum -1', updater({ type: 'updaters/nesterovs', momentum: -1 }), ConfigError, '-1'),
  config('Nesterovs momentum 1', updater({ type: 'updaters/nesterovs', momentum: 1 }), ConfigError, '1'),
  config('RmsProp decay 2', updater({ type: 'updaters/rmsprop', rmsDecay: 2 }), ConfigError, '2'),
  config('unknown updater option', updater({ momentun: 0.9 }), ConfigError, 'momentun'),
  config('exponential schedule without gamma', updater({ learningRate: { type: 'exponential', initialValue: 0.1 } }), ConfigError, 'undefined', /gamma/),
  config('poly schedule without maxIter', updater({ learningRate: { type: 'poly', initialValue: 0.1, power: 2 } }), ConfigError, 'undefined', /maxIter/),
  config('step schedule with step 0', updater({ learningRate: { type: 'step', initialValue: 0.1, decayRate: 0.5, step: 0 } }), ConfigError, '0'),
  config('unknown schedule type', updater({ learningRate: { type: 'cosinus', initialValue: 0.1 } }), ConfigError, 'cosinus'),
  config('map schedule without iteration 0', updater({ learningRate: { type: 'map', values: { 5: 0.1 } } }), ConfigError, '5'),
  {
    name: 'poly schedule with power 0.5 past maxIter: the rate is 0 from maxIter on, as in DL4J (no NaN)',
    run: () => build(mlpConfig(updater({ learningRate: { type: 'poly', initialValue: 0.1, power: 0.5, maxIter: 1 } }))),
    valid: 'updaters README: poly schedule',
  },
  // Legal but suspect: built, with a warning naming the layer and what to use instead.
  { name: 'softmax with xent', run: (warn) => build(mlpConfig(layer(1, { loss: 'xent' })), warn), warns: /Output layer "output_1": softmax with XENT .* use MCXENT with softmax/ },
  { name: 'softmax with mse', run: (warn) => build(mlpConfig(layer(1, { loss: 'mse' })), warn), warns: /softmax with MSE learns slowly/ },
  { name: 'sigmoid with mcxent', run: (warn) => build(mlpConfig(layer(1, { activation: 'sigmoid' })), warn), warns: /sigmoid with MCXENT does not normalise over classes/ },
  // Shapes that do not fit.
  config('a convolution on flat input', (c) => void (c.layers[0] = { type: 'cnn/convolution2d', nOut: 4, kernelSize: 3 }), ShapeError, '[2]'),
  config('a kernel larger than the image', (c) => {
    c.input = [4, 4, 1];
    c.layers = [{ type: 'cnn/convolution2d', nOut: 2, kernelSize: 5 }, { type: 'cnn/flatten' }, { type: 'layers/output', nOut: 3, activation: 'softmax', loss: 'mcxent' }];
  }, ShapeError, '5'),
  config('convolution stride 0', (c) => {
    c.input = [4, 4, 1];
    c.layers = [{ type: 'cnn/convolution2d', nOut: 2, kernelSize: 2, stride: 0 }, { type: 'cnn/flatten' }, { type: 'layers/output', nOut: 3, activation: 'softmax', loss: 'mcxent' }];
  }, ConfigError, '0'),
  config('an LSTM on flat input', (c) => void (c.layers[0] = { type: 'rnn/lstm', nOut: 4 }), ShapeError, '[2]'),
  config('an RBM with unknown visible units', (c) => void (c.layers[0] = { type: 'rbm/rbm', nOut: 4, visibleUnit: 'poisson' }), ConfigError, 'poisson'),
];
