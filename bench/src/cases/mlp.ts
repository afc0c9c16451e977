// MLP 784-500-250-10, batch 128: training samples/s of dl4ts Network.fit beside tfjs-layers
// model.fit on the same backend (wasm), interleaved in one process; then test accuracy after one
// epoch over the 60,000 MNIST training images, against the figure recorded before the speed work.
import * as tf from '@tensorflow/tfjs-core';
import { DataSet, Evaluation } from '@dl4ts/core';
import { loadMnist } from '@dl4ts/core/node';
import { installWasmKernelFixes } from '@dl4ts/backend-wasm';
import { type Contender, denseTrainingFlops, fitEpoch, foreign, interleave, recordForeignTensors, runCase } from '../harness';
import { mnistDir, mnistOrRandom } from '../data';
import { MLP_SIZES, mlpNetwork, mlpTfjsLayers } from '../mlp-models';

/** Test accuracy of mlpConfig(42) after its first epoch, from the accuracy bench of 2026-11-23 (bench/README.md). */
const RECORDED_EPOCH1_ACCURACY = 0.9524;
const FLOPS = denseTrainingFlops(MLP_SIZES);

/** Runs `body` on tfjs-backend-wasm's stock kernels when `stock`, else on dl4ts's kernel fixes. */
async function withKernels<T>(stock: boolean, body: () => Promise<T>): Promise<T> {
  const restore = installWasmKernelFixes();
  if (stock) restore();
  try {
    return await body();
  } finally {
    installWasmKernelFixes();
  }
}

function dl4ts(name: string, stock: boolean, data: DataSet): Contender {
  const net = mlpNetwork(1);
  return {
    name,
    flopsPerUnit: FLOPS,
    round: () =>
      withKernels(stock, () => fitEpoch(net, data, 128)),
    dispose: () => net.dispose(),
  };
}

function tfjsLayers(name: string, stock: boolean, data: DataSet, anchor = false): Contender {
  return foreign(() => {
    const model = mlpTfjsLayers();
    return {
      name,
      anchor,
      flopsPerUnit: FLOPS,
      round: () =>
        withKernels(stock, async () => {
          await model.fit(data.features, data.labels, { epochs: 1, batchSize: 128, shuffle: true, verbose: 0 });
          return data.size;
        }),
      dispose: () => model.dispose(),
    };
  });
}

async function accuracy(predict: (x: tf.Tensor2D) => tf.Tensor, test: DataSet): Promise<number> {
  const output = predict(test.features);
  const evaluation = await new Evaluation(10).eval(test.labels, output);
  output.dispose();
  return evaluation.accuracy();
}

await runCase('mlp', async ({ quick, rounds, log }) => {
  const samples = quick ? 1280 : 3840;
  const { data, real } = await mnistOrRandom(samples);
  const contenders = [
    tfjsLayers('tfjs-layers model.fit, stock wasm kernels (anchor)', true, data, true),
    dl4ts('dl4ts Network.fit', false, data),
    tfjsLayers('tfjs-layers model.fit, with dl4ts kernel fixes', false, data),
    dl4ts('dl4ts Network.fit, stock wasm kernels', true, data),
  ];
  const rows = await interleave(contenders, rounds(3), { log });
  for (const c of contenders) c.dispose();
  data.dispose();

  const notes = [`${samples} ${real ? 'MNIST' : 'random (MNIST not found)'} images per round; median of the timed rounds after one warm-up round each.`];
  const metrics: Record<string, string | number> = {};
  const dir = mnistDir();
  if (dir === undefined) {
    notes.push('accuracy check skipped: MNIST not found (set DL4TS_DATA to the folder holding mnist/)');
  } else {
    const train = await loadMnist(dir, { split: 'train', scale: true, limit: quick ? 6000 : undefined });
    const test = await loadMnist(dir, { split: 'test', scale: true });
    const net = mlpNetwork(42);
    await net.fit(train, { epochs: 1, batchSize: 128 });
    const ours = await accuracy((x) => net.output(x), test);
    net.dispose();
    const beforeModel = tf.memory().numTensors;
    const model = mlpTfjsLayers();
    await model.fit(train.features, train.labels, { epochs: 1, batchSize: 128, shuffle: true, verbose: 0 });
    const theirs = await accuracy((x) => model.predict(x) as tf.Tensor, test);
    model.dispose();
    recordForeignTensors(tf.memory().numTensors - beforeModel);
    train.dispose();
    test.dispose();
    metrics['dl4ts test accuracy after 1 epoch'] = `${(100 * ours).toFixed(2)}%`;
    metrics['recorded before the speed work'] = `${(100 * RECORDED_EPOCH1_ACCURACY).toFixed(2)}%`;
    metrics['difference, points'] = (100 * (ours - RECORDED_EPOCH1_ACCURACY)).toFixed(2);
    metrics['tfjs-layers test accuracy after 1 epoch'] = `${(100 * theirs).toFixed(2)}%`;
    if (!quick && Math.abs(ours - RECORDED_EPOCH1_ACCURACY) > 0.003) notes.push('ACCURACY CHANGED by more than 0.3 points');
  }
  return { title: 'MLP 784-500-250-10 training, batch 128, Nesterov, L2 1e-4', unit: 'samples/s', rows, notes, metrics };
});
