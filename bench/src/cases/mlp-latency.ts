// Inference latency: one sample through the MLP 784-500-250-10, from input tensor to values read
// back (`await data()`), dl4ts Network.output beside tfjs-layers model.predict, on wasm.
import * as tf from '@tensorflow/tfjs-core';
import { foreign, interleave, runCase } from '../harness';
import { LATENCY_CALLS, latencyContender } from '../latency';
import { mlpNetwork, mlpTfjsLayers } from '../mlp-models';

await runCase('mlp-latency', async ({ rounds, log }) => {
  const x = tf.randomUniform([1, 784], 0, 1, 'float32', 5) as tf.Tensor2D;
  const net = mlpNetwork(1);
  const contenders = [
    foreign(() => {
      const model = mlpTfjsLayers();
      return latencyContender({ name: 'tfjs-layers model.predict (anchor)', predict: (input) => model.predict(input) as tf.Tensor, dispose: () => model.dispose(), anchor: true }, x);
    }),
    latencyContender({ name: 'dl4ts Network.output', predict: (input) => net.output(input), dispose: () => net.dispose() }, x),
  ];
  const rows = await interleave(contenders, rounds(5), { log });
  for (const c of contenders) c.dispose();
  x.dispose();
  const metrics: Record<string, string | number> = {};
  for (const row of rows) metrics[`${row.name}: median latency`] = `${(1000 / row.perSecond).toFixed(3)} ms`;
  return {
    title: 'MLP 784-500-250-10 inference, one sample, read back with await data()',
    unit: 'inferences/s',
    rows,
    notes: [`${LATENCY_CALLS} calls per round; latency = 1 / rate.`],
    metrics,
  };
});
