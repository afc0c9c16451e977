// RBM CD-1 pretraining, 784-500 binary units, batch 100, on the native backend beside dl4ts on
// wasm (the anchor: this case measures what the native backend gives dl4ts's RBM), and the
// hand-written tfjs-core CD-1 on both backends; then a profile of the native step.
//
// The suite runs this file as `rbm-native` (OpenBLAS as the machine has it) and as
// `rbm-native-best` (the best kernel for the CPU; see ../blas-mode.ts).
import * as tf from '@tensorflow/tfjs-core';
import { type Contender, interleave, on, runCase } from '../harness';
import { blasModeTitle } from '../blas-mode';
import { defaultNativeThreads } from '@dl4ts/backend-native';
import { nativeName, threadCounts } from '../native-threads';
import { mnistOrRandom } from '../data';
import { profileSteps } from '../native-profile';
import { RBM_BATCH, dl4tsRbm, tfjsCoreRbm } from '../rbm-models';

await runCase(
  'rbm-native',
  async ({ quick, rounds, log, native, nativeMissing }) => {
    const blas = blasModeTitle();
    const title = `RBM CD-1 pretraining, 784-500 binary units, batch ${RBM_BATCH}, SGD lr 0.1: native backend beside wasm (${blas})`;
    if (native === undefined) return { title, unit: 'samples/s', rows: [], notes: [`skipped: ${nativeMissing ?? 'native backend not requested'}`] };
    const addon = native.addon()!;
    const threads = (n: number) => () => addon.setThreads(n);
    const samples = quick ? 1000 : 6000;
    const datasets: { dispose(): void }[] = [];
    let real = false;
    const make = async (backend: string, create: (data: Awaited<ReturnType<typeof mnistOrRandom>>['data']) => Contender, before?: () => void): Promise<Contender> =>
      on(backend, async () => {
        const loaded = await mnistOrRandom(samples);
        real = loaded.real;
        datasets.push(loaded.data);
        return { ...create(loaded.data), backend, ...(before === undefined ? {} : { before }) };
      });
    const contenders: Contender[] = [
      await make('wasm', (d) => ({ ...dl4tsRbm(d, 'dl4ts Network.pretrainLayer, wasm (anchor)'), anchor: true })),
      ...(await Promise.all(threadCounts().map((t) => make('native', (d) => dl4tsRbm(d, nativeName('dl4ts Network.pretrainLayer', t)), threads(t))))),
      await make('native', (d) => tfjsCoreRbm(d, 'tfjs-core CD-1 hand-written, native, default threads', false), threads(defaultNativeThreads())),
      await make('wasm', (d) => tfjsCoreRbm(d, 'tfjs-core CD-1 hand-written, wasm', false)),
    ];
    const rows = await interleave(contenders, rounds(3), { log });
    for (const c of contenders) c.dispose();
    for (const d of datasets) d.dispose();
    addon.setThreads(defaultNativeThreads());
    const anchor = rows.find((r) => r.anchor);
    const ours = rows.find((r) => r.name === nativeName('dl4ts Network.pretrainLayer', defaultNativeThreads()));
    const metrics: Record<string, string | number> = {
      'native vs dl4ts on wasm': ours === undefined || anchor === undefined ? 'n/a' : `${(ours.perSecond / anchor.perSecond).toFixed(2)}x`,
    };

    await tf.setBackend('native');
    const { data } = await mnistOrRandom(1000);
    const profiled = dl4tsRbm(data);
    const epoch = () => profiled.round().then(() => undefined);
    await epoch();
    Object.assign(metrics, await profileSteps(epoch, 1000 / RBM_BATCH));
    profiled.dispose();
    data.dispose();
    return {
      title,
      unit: 'samples/s',
      rows,
      notes: [
        `OpenBLAS: ${blas}.`,
        `${samples} ${real ? 'MNIST' : 'random (MNIST not found)'} images per round (one pretraining epoch) for every contender, each on its own backend; median of the timed rounds after one warm-up round.`,
      ],
      metrics,
    };
  },
  {},
  { native: {} },
);
