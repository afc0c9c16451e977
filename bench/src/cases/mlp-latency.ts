// Inference latency: one sample through the MLP 784-500-250-10, from input tensor to values read
// back (`await data()`), dl4ts Network.output beside tfjs-layers model.predict, on wasm.
import * as tf from '@tensorflow/tfjs-core';
import { type Contender, foreign, interleave, runCase } from '../harness';
import { mlpNetwork, mlpTfjsLayers } from '../mlp-models';

const CALLS = 500;

function contender(name: string, predict: (x: tf.Tensor2D) => tf.Tensor, dispose: () => void, x: tf.Tensor2D, anchor = false): Contender {
  return {
    name,
    anchor,
    round: async () => {
      for (let i = 0; i < CALLS; i++) {
        const y = predict(x);
        await y.data();
        y.dispose();
      }
      return CALLS;
    },
    dispose,
  };
}

await runCase('mlp-latency', async ({ rounds, log }) => {
  const x = tf.randomUniform([1, 784], 0, 1, 'float32', 5) as tf.Tensor2D;
  const net = mlpNetwork(1);
  const contenders = [
    foreign(() => {
      const model = mlpTfjsLayers();
      return contender('tfjs-layers model.predict (anchor)', (input) => model.predict(input) as tf.Tensor, () => model.dispose(), x, true);
    }),
    contender('dl4ts Network.output', (input) => net.output(input), () => net.dispose(), x),
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
    notes: [`${CALLS} calls per round; latency = 1 / rate.`],
    metrics,
  };
});
