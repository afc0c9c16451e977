// MLP 784-500-250-10 training on the native backend (OpenBLAS and native kernels) beside PyTorch
// on the CPU (its best thread count, 1 or 2, is the anchor), dl4ts on wasm, tfjs-layers on the same
// native backend, and the bare addon loop (the ceiling), in turns in one process; then test
// accuracy after one native epoch over the 60,000 MNIST images, and a profile of the native step.
//
// The suite runs this file twice: as `mlp-native` with OpenBLAS as the machine has it, and as
// `mlp-native-best` with every contender on the best kernel for the CPU (see ../blas-mode.ts).
import * as tf from '@tensorflow/tfjs-core';
import { DataSet, Evaluation } from '@dl4ts/core';
import { loadMnist } from '@dl4ts/core/node';
import { type Contender, type ContenderResult, denseTrainingFlops, fitEpoch, foreign, interleave, on, reanchor, recordForeignTensors, runCase } from '../harness';
import { bareMlp } from '../bare-mlp';
import { mnistDir, mnistOrRandom } from '../data';
import { MLP_SIZES, mlpGraph, mlpNetwork, mlpTfjsLayers } from '../mlp-models';
import { profileSteps } from '../native-profile';
import { sgemmGflops } from '../sgemm-ceiling';
import { findTorch, pytorchContender } from '../pytorch';
import { blasModeTitle } from '../blas-mode';
import { defaultNativeThreads } from '@dl4ts/backend-native';
import { nativeName, threadCounts } from '../native-threads';

const RECORDED_EPOCH1_ACCURACY = 0.9524;
const FLOPS = denseTrainingFlops(MLP_SIZES);
const BATCH = 128;

async function dl4ts(name: string, backend: string, samples: number, before?: () => void, asGraph = false): Promise<Contender> {
  return on(backend, async () => {
    const { data } = await mnistOrRandom(samples);
    const net = asGraph ? mlpGraph(1) : mlpNetwork(1);
    return {
      name,
      backend,
      flopsPerUnit: FLOPS,
      ...(before === undefined ? {} : { before }),
      round: () => fitEpoch(net, data, BATCH),
      dispose: () => {
        net.dispose();
        data.dispose();
      },
    };
  });
}

await runCase(
  'mlp-native',
  async ({ quick, rounds, log, native, nativeMissing }) => {
    const blas = blasModeTitle();
    const notes: string[] = [`OpenBLAS: ${blas}.`];
    if (native === undefined) {
      return { title: 'MLP 784-500-250-10 training on the native backend', unit: 'samples/s', rows: [], notes: [`skipped: ${nativeMissing ?? 'native backend not requested'}`] };
    }
    const addon = native.addon()!;
    const threads = (n: number) => () => addon.setThreads(n);
    const samples = quick ? 1280 : 3840;
    const contenders: Contender[] = [];
    const torch = findTorch();
    if ('python' in torch) {
      for (const t of [1, 2]) contenders.push(await pytorchContender(torch.python, { model: 'mlp', threads: t, units: samples, flopsPerUnit: FLOPS }));
    } else {
      notes.push(`PyTorch skipped: ${torch.reason}`);
    }
    for (const t of threadCounts()) contenders.push(await dl4ts(nativeName('dl4ts Network.fit', t), 'native', samples, threads(t)));
    // The same MLP as a ComputationGraph: what the graph costs over the network per step.
    contenders.push(await dl4ts(nativeName('dl4ts ComputationGraph.fit (the MLP as a graph)', defaultNativeThreads()), 'native', samples, threads(defaultNativeThreads()), true));
    contenders.push(await dl4ts('dl4ts Network.fit, wasm', 'wasm', samples));
    contenders.push(
      await on('native', () =>
        foreign(() => {
          const model = mlpTfjsLayers();
          let data: DataSet | undefined;
          return {
            name: 'tfjs-layers model.fit, native, default threads',
            backend: 'native',
            flopsPerUnit: FLOPS,
            before: threads(defaultNativeThreads()),
            round: async () => {
              data ??= (await mnistOrRandom(samples)).data;
              await model.fit(data.features, data.labels, { epochs: 1, batchSize: BATCH, shuffle: true, verbose: 0 });
              return data.size;
            },
            dispose: () => {
              model.dispose();
              data?.dispose();
            },
          };
        }),
      ),
    );
    const { data: bareData } = await on('native', () => mnistOrRandom(samples));
    const bareX = (await bareData.features.data()) as Float32Array;
    const bareY = (await bareData.labels.data()) as Float32Array;
    bareData.dispose();
    contenders.push({ ...bareMlp(addon, bareX, bareY, samples, MLP_SIZES, FLOPS), before: threads(defaultNativeThreads()) });
    const measured = await interleave(contenders, rounds(3), { log });
    for (const c of contenders) c.dispose();
    const rows: ContenderResult[] = reanchor(measured, (row) => row.name.startsWith('PyTorch'));
    addon.setThreads(defaultNativeThreads());

    const byName = (prefix: string) => rows.find((r) => r.name.startsWith(prefix));
    const ours = byName(nativeName('dl4ts Network.fit', defaultNativeThreads()));
    const metrics: Record<string, string | number> = {};
    const ratio = (a: ContenderResult | undefined, b: ContenderResult | undefined) => (a === undefined || b === undefined ? 'n/a' : `${(a.perSecond / b.perSecond).toFixed(2)}x`);
    metrics['native vs best PyTorch'] = ratio(ours, rows.find((r) => r.anchor && r.name.startsWith('PyTorch')));
    metrics['native vs dl4ts on wasm'] = ratio(ours, byName('dl4ts Network.fit, wasm'));
    metrics['native vs tfjs-layers on native'] = ratio(ours, byName('tfjs-layers'));
    metrics['native vs the bare addon loop'] = ratio(ours, byName('bare loop'));
    metrics['ComputationGraph vs Network, same MLP, native (at least 0.95x wanted)'] = ratio(byName('dl4ts ComputationGraph.fit'), ours);
    for (const c of contenders) if ('info' in c) metrics[`${c.name}: 512x512 sgemm`] = `${(c as unknown as { info: { gemm_gflops: number } }).info.gemm_gflops} GFLOP/s`;
    // The step's rate beside the machine's own sgemm at the same thread count: the large square
    // product, and the step's largest product shape.
    const t = defaultNativeThreads();
    const square = sgemmGflops(addon, t, [1024, 1024, 1024]);
    const layer = sgemmGflops(addon, t, [BATCH, 784, 500], 50);
    if (ours?.gflops !== undefined) {
      metrics[`MLP step GFLOP/s beside the machine's sgemm (${t} threads)`] = `${ours.gflops.toFixed(1)} of ${square.toFixed(0)} (1024^3), ${((100 * ours.gflops) / square).toFixed(0)}%; ${BATCH}x784x500 alone: ${layer.toFixed(0)}`;
    }

    // Where the native step's time goes.
    await tf.setBackend('native');
    const { data: profData } = await mnistOrRandom(1280);
    const profNet = mlpNetwork(3);
    await profNet.fit(profData, { epochs: 1, batchSize: BATCH });
    Object.assign(metrics, await profileSteps(() => profNet.fit(profData, { epochs: 1, batchSize: BATCH }).then(() => undefined), 1280 / BATCH));
    profNet.dispose();
    profData.dispose();

    const dir = mnistDir();
    if (dir === undefined) {
      notes.push('accuracy check skipped: MNIST not found (set DL4TS_DATA to the folder holding mnist/)');
    } else if (!quick) {
      const train = await loadMnist(dir, { split: 'train', scale: true });
      const test = await loadMnist(dir, { split: 'test', scale: true });
      const net = mlpNetwork(42);
      await net.fit(train, { epochs: 1, batchSize: BATCH });
      const output = net.output(test.features);
      const accuracy = (await new Evaluation(10).eval(test.labels, output)).accuracy();
      output.dispose();
      net.dispose();
      train.dispose();
      test.dispose();
      metrics['native test accuracy after 1 epoch'] = `${(100 * accuracy).toFixed(2)}%`;
      metrics['recorded before the speed work (wasm)'] = `${(100 * RECORDED_EPOCH1_ACCURACY).toFixed(2)}%`;
      metrics['difference, points'] = (100 * (accuracy - RECORDED_EPOCH1_ACCURACY)).toFixed(2);
      if (Math.abs(accuracy - RECORDED_EPOCH1_ACCURACY) > 0.003) notes.push('ACCURACY CHANGED by more than 0.3 points');
    }
    recordForeignTensors(0);
    notes.push(`${samples} ${mnistDir() === undefined ? 'random' : 'MNIST'} images per round for every contender; median of the timed rounds after one warm-up round each; the anchor is PyTorch's faster thread count.`);
    return { title: `MLP 784-500-250-10 training, batch ${BATCH}, Nesterov, L2 1e-4: native backend beside PyTorch (${blas})`, unit: 'samples/s', rows, notes, metrics };
  },
  {},
  { native: {} },
);
