// The MLP case on the multithreaded wasm backend (2 XNNPACK threads, through dl4ts's Node loader):
// dl4ts Network.fit beside tfjs-layers model.fit, both on the same 2-thread backend in one process.
// Compare with the `mlp` case (1 thread) across processes.
import { installWasmKernelFixes } from '@dl4ts/backend-wasm';
import { type Contender, denseTrainingFlops, fitEpoch, foreign, interleave, runCase } from '../harness';
import { mnistOrRandom } from '../data';
import { MLP_SIZES, mlpNetwork, mlpTfjsLayers } from '../mlp-models';
import type { DataSet } from '@dl4ts/core';

const FLOPS = denseTrainingFlops(MLP_SIZES);
const THREADS = 2;

function dl4ts(data: DataSet): Contender {
  const net = mlpNetwork(1);
  return {
    name: `dl4ts Network.fit, ${THREADS} threads`,
    flopsPerUnit: FLOPS,
    round: () => fitEpoch(net, data, 128),
    dispose: () => net.dispose(),
  };
}

function tfjsLayers(stock: boolean): (data: DataSet) => Contender {
  return (data) =>
    foreign(() => {
      const model = mlpTfjsLayers();
      return {
        name: `tfjs-layers model.fit, ${THREADS} threads, ${stock ? 'stock wasm kernels (anchor)' : 'with dl4ts kernel fixes'}`,
        anchor: stock,
        flopsPerUnit: FLOPS,
        round: async () => {
          const restore = installWasmKernelFixes();
          if (stock) restore();
          try {
            await model.fit(data.features, data.labels, { epochs: 1, batchSize: 128, shuffle: true, verbose: 0 });
          } finally {
            installWasmKernelFixes();
          }
          return data.size;
        },
        dispose: () => model.dispose(),
      };
    });
}

await runCase(
  'mlp-threads',
  async ({ quick, rounds, log }) => {
    const samples = quick ? 1280 : 3840;
    const { data, real } = await mnistOrRandom(samples);
    const contenders = [tfjsLayers(true)(data), dl4ts(data), tfjsLayers(false)(data)];
    const rows = await interleave(contenders, rounds(3), { log });
    for (const c of contenders) c.dispose();
    data.dispose();
    return {
      title: `MLP 784-500-250-10 training, batch 128, on wasm with ${THREADS} threads`,
      unit: 'samples/s',
      rows,
      notes: [`${samples} ${real ? 'MNIST' : 'random (MNIST not found)'} images per round; wasmBackend({ threads: ${THREADS} }) for every contender.`],
    };
  },
  { threads: THREADS },
);
