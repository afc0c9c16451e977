// LeNet training (conv 5x5x20, max-pool, conv 5x5x50, max-pool, dense 500, softmax 10; batch 64,
// Adam) on MNIST images: dl4ts on the native backend and on wasm beside tfjs-layers on the same
// backends and PyTorch on the CPU (its better thread count is the anchor), in turns in one process.
import { type Contender, type ContenderResult, fitEpoch, foreign, interleave, on, reanchor, runCase } from '../harness';
import { mnistDir, mnistOrRandom } from '../data';
import { LENET_FLOPS, lenetNetwork, lenetTfjsLayers } from '../lenet-models';
import { findTorch, pytorchContender } from '../pytorch';
import { blasModeTitle } from '../blas-mode';

const BATCH = 64;

async function dl4ts(backend: string, samples: number): Promise<Contender> {
  return on(backend, async () => {
    const { data } = await mnistOrRandom(samples);
    const net = lenetNetwork(1);
    return {
      name: `dl4ts Network.fit, ${backend}`,
      backend,
      flopsPerUnit: LENET_FLOPS,
      round: () => fitEpoch(net, data, BATCH),
      dispose: () => {
        net.dispose();
        data.dispose();
      },
    };
  });
}

async function tfjsLayers(backend: string, samples: number): Promise<Contender> {
  // The data is dl4ts's (made and disposed outside foreign(), which counts only tfjs-layers' tensors).
  const { data } = await on(backend, () => mnistOrRandom(samples));
  const model = await on(backend, () =>
    foreign(() => {
      const layers = lenetTfjsLayers();
      return {
        name: `tfjs-layers model.fit, ${backend}`,
        backend,
        flopsPerUnit: LENET_FLOPS,
        round: async () => {
          await layers.fit(data.features, data.labels, { epochs: 1, batchSize: BATCH, shuffle: true, verbose: 0 });
          return data.size;
        },
        dispose: () => layers.dispose(),
      };
    }),
  );
  return {
    ...model,
    dispose: () => {
      model.dispose();
      data.dispose();
    },
  };
}

await runCase(
  'lenet',
  async ({ quick, rounds, log, native, nativeMissing }) => {
    const notes: string[] = [];
    const samples = quick ? 640 : 1920;
    const contenders: Contender[] = [];
    const torch = findTorch();
    if ('python' in torch) {
      for (const t of [1, 2]) contenders.push(await pytorchContender(torch.python, { model: 'lenet', threads: t, units: samples, flopsPerUnit: LENET_FLOPS }));
    } else {
      notes.push(`PyTorch skipped: ${torch.reason}`);
    }
    if (native === undefined) notes.push(`native backend skipped: ${nativeMissing ?? 'not requested'}`);
    else {
      notes.push(`OpenBLAS: ${blasModeTitle()}.`);
      contenders.push(await dl4ts('native', samples), await tfjsLayers('native', samples));
    }
    contenders.push(await dl4ts('wasm', samples), await tfjsLayers('wasm', samples));
    const measured = await interleave(contenders, rounds(3), { log });
    for (const c of contenders) c.dispose();
    const rows: ContenderResult[] = reanchor(measured, (row) => row.name.startsWith('PyTorch'));
    const find = (name: string) => rows.find((r) => r.name === name);
    const ratio = (a: string, b: string) => {
      const [x, y] = [find(a), find(b)];
      return x === undefined || y === undefined ? 'n/a' : `${(x.perSecond / y.perSecond).toFixed(2)}x`;
    };
    const torchBest = rows.find((r) => r.anchor && r.name.startsWith('PyTorch'))?.name ?? '';
    const metrics: Record<string, string> = {
      'dl4ts native vs best PyTorch': ratio('dl4ts Network.fit, native', torchBest),
      'dl4ts native vs tfjs-layers on native': ratio('dl4ts Network.fit, native', 'tfjs-layers model.fit, native'),
      'dl4ts wasm vs tfjs-layers on wasm': ratio('dl4ts Network.fit, wasm', 'tfjs-layers model.fit, wasm'),
    };
    notes.push(`${samples} ${mnistDir() === undefined ? 'random' : 'MNIST'} images per round for every contender; median of the timed rounds after one warm-up round each.`);
    return { title: `LeNet training on MNIST, batch ${BATCH}, Adam: native and wasm beside tfjs-layers and PyTorch`, unit: 'samples/s', rows, notes, metrics };
  },
  {},
  { native: {} },
);
