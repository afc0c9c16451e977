// Data sets, batch sources and the options of fit, output, score and the parameters.
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, DataSet, Dl4tsError, Evaluation, MultiDataSet, NonFiniteScoreError, ShapeError, StreamingSource, ValueError, fitEarlyStopping, maxEpochs, oneHot, trainTestSplit } from '@dl4ts/core';
import type { BatchSource, FitOptions } from '@dl4ts/core';
import { SequenceDataSet } from '@dl4ts/rnn';
import type { BadInputCase } from '../support';
import { X, Y, mlpConfig, withNet } from '../support';

const fit = (options: Record<string, unknown>) => withNet((net) => net.fit({ features: X, labels: Y }, options as FitOptions));
const fitOn = (data: () => Parameters<import('@dl4ts/core').Network['fit']>[0], options: Record<string, unknown> = {}) => withNet(async (net) => net.fit(data(), options as FitOptions));
/** A source yielding one batch made of these arrays. */
const oneBatch = (features: number[][], labels: number[][]): BatchSource => ({
  async *batches() {
    yield { features: tf.tensor2d(features), labels: tf.tensor2d(labels) };
  },
});
const withData = async (make: () => DataSet, use: (data: DataSet) => unknown) => {
  const data = make();
  try {
    await use(data);
  } finally {
    data.dispose();
  }
};
const output = (input: () => tf.Tensor | unknown) =>
  withNet((net) => {
    const x = input();
    try {
      net.output(x as tf.Tensor).dispose();
    } finally {
      if (x instanceof tf.Tensor) x.dispose();
    }
  });

export const dataAndFitCases: BadInputCase[] = [
  // DataSet.from and friends.
  { name: 'DataSet.from rows that differ in number', run: () => DataSet.from(X, [[1, 0, 0]]).dispose(), error: ShapeError, received: '1' },
  { name: 'DataSet.from no rows', run: () => DataSet.from([], []).dispose(), error: Dl4tsError, received: '0' },
  { name: 'DataSet.from ragged rows', run: () => DataSet.from([[1, 2], [3]], Y.slice(0, 2)).dispose(), error: ShapeError, received: '1' },
  { name: 'DataSet.from strings', run: () => DataSet.from([['1', '2']] as never, [[1]]).dispose(), error: ValueError, received: '"1"' },
  { name: 'DataSet.from a number', run: () => DataSet.from(5 as never, Y).dispose(), error: ValueError, received: '5' },
  { name: 'DataSet.from null labels', run: () => DataSet.from(X, null as never).dispose(), error: ValueError, received: 'null' },
  { name: 'DataSet.adopt rank-3 features', run: () => DataSet.adopt(tf.zeros([3, 2, 1]) as unknown as tf.Tensor2D, tf.zeros([3, 3])).dispose(), error: ShapeError, received: '[3, 2, 1]' },
  { name: 'split with fraction 1.5', run: () => withData(() => DataSet.from(X, Y), (d) => d.split(1.5)), error: ValueError, received: '1.5' },
  { name: 'trainTestSplit with fraction 0', run: () => withData(() => DataSet.from(X, Y), (d) => trainTestSplit(d, 0)), error: ValueError, received: '0' },
  { name: 'batches of size 0', run: () => withData(() => DataSet.from(X, Y), (d) => [...d.batches(0)]), error: ValueError, received: '0' },
  { name: 'oneHot of class 3 among 3', run: () => oneHot([0, 3], 3).dispose(), error: ValueError, received: '3' },
  { name: 'oneHot of class 1.5', run: () => oneHot([1.5], 3).dispose(), error: ValueError, received: '1.5' },
  { name: 'oneHot with numClasses 0', run: () => oneHot([0], 0).dispose(), error: ValueError, received: '0' },
  { name: 'MultiDataSet with inputs of different rows', run: () => MultiDataSet.from({ features: [X, X.slice(0, 2)], labels: [Y] }).dispose(), error: ShapeError, received: '2' },
  { name: 'MultiDataSet with no features', run: () => MultiDataSet.from({ features: [], labels: [Y] }).dispose(), error: Dl4tsError, received: '0' },
  { name: 'SequenceDataSet with rank-2 features', run: () => SequenceDataSet.adopt({ features: tf.zeros([3, 2]), labels: tf.zeros([3, 3]) }).dispose(), error: ShapeError, received: '[3, 2]' },
  { name: 'SequenceDataSet with a mask of other steps', run: () => SequenceDataSet.adopt({ features: tf.zeros([2, 4, 3]), labels: tf.zeros([2, 4, 2]), featuresMask: tf.ones([2, 5]) }).dispose(), error: ShapeError, received: '[2, 5]' },
  { name: 'StreamingSource with shuffleBuffer -1', run: () => new StreamingSource(async function* () {}, { shuffleBuffer: -1 }), error: ConfigError, received: '-1' },
  // fit's options.
  { name: 'fit epochs -1', run: () => fit({ epochs: -1 }), error: ConfigError, received: '-1' },
  { name: 'fit epochs 1.5', run: () => fit({ epochs: 1.5 }), error: ConfigError, received: '1.5' },
  { name: 'fit epochs a string', run: () => fit({ epochs: '2' }), error: ConfigError, received: '"2"' },
  { name: 'fit batchSize 0', run: () => fit({ batchSize: 0 }), error: ConfigError, received: '0' },
  { name: 'fit batchSize NaN', run: () => fit({ batchSize: Number.NaN }), error: ConfigError, received: 'NaN' },
  { name: 'fit shuffle "no"', run: () => fit({ shuffle: 'no' }), error: ConfigError, received: '"no"' },
  { name: 'fit listeners an object', run: () => fit({ listeners: {} }), error: ConfigError, received: 'an object' },
  { name: 'fit listeners holding null', run: () => fit({ listeners: [null] }), error: ConfigError, received: 'non-object' },
  { name: 'fit onNonFiniteScore unknown', run: () => fit({ onNonFiniteScore: 'explode' }), error: ConfigError, received: '"explode"' },
  { name: 'fit checkBatches unknown', run: () => fit({ checkBatches: 'sometimes' }), error: ConfigError, received: '"sometimes"' },
  { name: 'fit epochs 0 trains nothing', run: () => fit({ epochs: 0 }), valid: 'core README: fit returns { epochs: 0 }' },
  { name: 'a listener that throws: fit fails with its error, nothing left behind', run: () => fit({ listeners: [{ onIterationEnd: () => { throw new ValueError('listener says no: 7'); } }] }), error: ValueError, received: '7' },
  {
    name: 'a diverging fit: stopped with a warning, the diverged epoch not counted',
    run: (warn) => withNet(async (net) => { const r = await net.fit({ features: [[1e30, 1e30], [1, 1], [0, 0]], labels: Y }, { epochs: 5 }); if (r.stopReason === undefined) throw new Error('did not stop'); }, mlpConfig((c) => void (c.defaults = { updater: { type: 'updaters/sgd', learningRate: 1e10 } })), warn),
    warns: /training diverged: epoch \d has mean score NaN; stopped/,
  },
  { name: 'a diverging fit with onNonFiniteScore throw', run: () => withNet((net) => net.fit({ features: [[1e30, 1e30], [1, 1], [0, 0]], labels: Y }, { epochs: 5, onNonFiniteScore: 'throw' }), mlpConfig((c) => void (c.defaults = { updater: { type: 'updaters/sgd', learningRate: 1e10 } }))), error: NonFiniteScoreError, received: 'mean score NaN' },
  // Data fit refuses.
  { name: 'fit on a disposed DataSet', run: () => fitOn(() => { const d = DataSet.from(X, Y); d.dispose(); return d; }), error: Dl4tsError, received: 'disposed' },
  { name: 'fit features of 3 columns for 2 inputs', run: () => fitOn(() => ({ features: [[1, 2, 3]], labels: [[1, 0, 0]] })), error: ShapeError, received: '3' },
  { name: 'fit labels of 2 columns for 3 classes', run: () => fitOn(() => ({ features: X, labels: [[1, 0], [0, 1], [1, 0]] })), error: ShapeError, received: '2' },
  { name: 'fit NaN in features', run: () => fitOn(() => ({ features: [[Number.NaN, 1], [0, 0], [1, 1]], labels: Y })), error: ValueError, received: '1 NaN' },
  { name: 'fit Infinity in labels', run: () => fitOn(() => ({ features: X, labels: [[Infinity, 0, 0], [0, 1, 0], [0, 0, 1]] })), error: ValueError, received: '1 NaN or infinite' },
  { name: 'fit mcxent labels with an all-zero row', run: () => fitOn(() => ({ features: X, labels: [[1, 0, 0], [0, 0, 0], [0, 0, 1]] })), error: ValueError, received: '[0, 0, 0]' },
  { name: 'fit mcxent labels with two classes in a row', run: () => fitOn(() => ({ features: X, labels: [[1, 1, 0], [0, 1, 0], [0, 0, 1]] })), error: ValueError, received: '[1, 1, 0]' },
  { name: 'fit mcxent soft labels (label smoothing)', run: () => fitOn(() => ({ features: X, labels: [[0.9, 0.05, 0.05], [0.05, 0.9, 0.05], [0.05, 0.05, 0.9]] })), valid: 'losses README: label checks' },
  { name: 'fit sparse-mcxent class 5 of 3', run: () => withNet((net) => net.fit({ features: X, labels: [[5], [0], [1]] }), mlpConfig((c) => void ((c.layers[1] as Record<string, unknown>).loss = 'sparse-mcxent'))), error: ValueError, received: '5' },
  { name: 'fit sparse-mcxent class 1.5', run: () => withNet((net) => net.fit({ features: X, labels: [[1.5], [0], [1]] }), mlpConfig((c) => void ((c.layers[1] as Record<string, unknown>).loss = 'sparse-mcxent'))), error: ValueError, received: '1.5' },
  { name: 'fit a BatchSource yielding NaN features', run: () => fitOn(() => oneBatch([[Number.NaN, 1], [0, 0], [1, 1]], Y)), error: ValueError, received: '1 NaN' },
  { name: 'fit a BatchSource yielding class 5 of 3 (sparse)', run: () => withNet((net) => net.fit(oneBatch(X, [[5], [0], [1]])), mlpConfig((c) => void ((c.layers[1] as Record<string, unknown>).loss = 'sparse-mcxent'))), error: ValueError, received: '5' },
  { name: 'fit a BatchSource yielding labels of another width', run: () => fitOn(() => oneBatch(X, [[1, 0], [0, 1], [1, 0]])), error: ShapeError, received: '2' },
  { name: 'fit a BatchSource yielding rank-1 features', run: () => fitOn(() => ({ async *batches() { yield { features: tf.tensor1d([1, 2]), labels: tf.tensor2d([[1, 0, 0]]) }; } })), error: ShapeError, received: '[2]' },
  { name: 'fit a SequenceDataSet with NaN features', run: () => withNet(async (net) => { const data = SequenceDataSet.adopt({ features: tf.tensor3d([[[Number.NaN, 1]], [[0, 1]]]), labels: tf.tensor2d([[1, 0, 0], [0, 1, 0]]) }); try { await net.fit(data); } finally { data.dispose(); } }, mlpConfig((c) => { c.input = [null, 2]; c.layers = [{ type: 'rnn/lstm', nOut: 3 }, { type: 'rnn/last-time-step' }, { type: 'layers/output', nOut: 3, activation: 'softmax', loss: 'mcxent' }]; })), error: ValueError, received: '1 NaN' },
  // output, score, parameters.
  { name: 'output of a disposed tensor', run: () => output(() => { const x = tf.tensor2d(X); x.dispose(); return x; }), error: Dl4tsError, received: 'disposed' },
  { name: 'output of 3 features for 2', run: () => output(() => tf.tensor2d([[1, 2, 3]])), error: ShapeError, received: '3' },
  { name: 'output of a rank-1 tensor', run: () => output(() => tf.tensor1d([1, 2])), error: ShapeError, received: '[2]' },
  { name: 'output of a plain array', run: () => output(() => X), error: ValueError, received: '[[0, 1], [1, 0], [1, 1]]' },
  { name: 'score of a plain array', run: () => withNet(async (net) => { const y = tf.tensor2d(Y); try { await net.score(X as never, y); } finally { y.dispose(); } }), error: ValueError, received: '[[0, 1], [1, 0], [1, 1]]' },
  { name: 'score with NaN features', run: () => withNet(async (net) => { const x = tf.tensor2d([[Number.NaN, 0], [0, 1], [1, 1]]); const y = tf.tensor2d(Y); try { await net.score(x, y); } finally { tf.dispose([x, y]); } }), error: ValueError, received: '1 NaN' },
  { name: 'score with mcxent labels all zero', run: () => withNet(async (net) => { const x = tf.tensor2d(X); const y = tf.zeros([3, 3]); try { await net.score(x, y); } finally { tf.dispose([x, y]); } }), error: ValueError, received: '[0, 0, 0]' },
  { name: 'getParam of an unknown name', run: () => withNet((net) => net.getParam('0_W')), error: ConfigError, received: '"0_W"' },
  { name: 'setParam of the wrong shape', run: () => withNet((net) => { const t = tf.zeros([3, 4]); try { net.setParam('dense_0/W', t); } finally { t.dispose(); } }), error: ShapeError, received: '[3, 4]' },
  { name: 'setParam with NaN values', run: () => withNet((net) => { const t = tf.fill([2, 4], Number.NaN); try { net.setParam('dense_0/W', t); } finally { t.dispose(); } }), error: ValueError, received: '8 NaN' },
  { name: 'setParam with a plain array', run: () => withNet((net) => net.setParam('dense_0/W', [[1, 2, 3, 4], [5, 6, 7, 8]] as never)), error: ValueError, received: '[[1, 2, 3, 4], [5, 6, 7, 8]]' },
  { name: 'two fits at once', run: () => withNet(async (net) => { const first = net.fit({ features: X, labels: Y }, { epochs: 3 }); try { await net.fit({ features: X, labels: Y }); } finally { await first; } }), error: Dl4tsError, received: 'already training' },
  // Evaluation and early stopping.
  { name: 'Evaluation of 1 class', run: () => new Evaluation(1), error: ValueError, received: '1' },
  { name: 'Evaluation topN 4 of 3', run: () => new Evaluation(3, { topN: 4 }), error: ConfigError, received: '4' },
  { name: 'Evaluation labels 2 for 3 classes', run: () => new Evaluation(3, { labels: ['a', 'b'] }), error: ConfigError, received: '2' },
  { name: 'Evaluation of predictions of another width', run: async () => { const y = tf.tensor2d(Y); const p = tf.zeros([3, 4]); try { await new Evaluation(3).eval(y, p); } finally { tf.dispose([y, p]); } }, error: ShapeError, received: '4' },
  { name: 'early stopping without epoch conditions', run: () => withNet(async (net) => { const d = DataSet.from(X, Y); try { await fitEarlyStopping(net, d, { epochConditions: [] }); } finally { d.dispose(); } }), error: ConfigError, received: '0' },
  { name: 'early stopping evaluateEveryEpochs 0', run: () => withNet(async (net) => { const d = DataSet.from(X, Y); try { await fitEarlyStopping(net, d, { epochConditions: [maxEpochs(1)], evaluateEveryEpochs: 0 }); } finally { d.dispose(); } }), error: ConfigError, received: '0' },
  { name: 'maxEpochs(0)', run: () => maxEpochs(0), error: ConfigError, received: '0' },
];
