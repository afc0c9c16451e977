// Model quality, MNIST deep belief net (issue 21): the fine-tuning of Hinton and Salakhutdinov
// (2006, backpropclassify.m) on the stack the `dbn` run pretrained: conjugate gradients with a few
// line searches on minibatches of 1,000 images, the pretrained layers frozen for the first epochs
// (only the new output layer learns, so its random weights do not send large gradients into the
// pretrained features), then every layer; early stopping on the 10,000 held-out training images
// chooses the epoch count, and the same schedule then runs on all 60,000 for that count.
// It reads the pretrained weights from the `dbn` run (which must have finished pretraining) and
// writes nothing there. Resumable: ~/.cache/dl4ts-runs/<name>-cg.
//
//   node bench/dist/quality/dbn-cg.js [--name dbn] [--backend native] [--batch 1000]
//     [--iterations 3] [--top-epochs 5] [--max-epochs 200] [--patience 20] [--until ISO-TIME] [--fresh]
//
// Results: bench/results/quality/dbn.md (appended) and dbn-cg.html.
import { Network } from '@dl4ts/core';
import type { NetworkConfig } from '@dl4ts/core';
import { DBN_NAMES, copyRbmWeights, dbnSupervisedConfig, rbmRegistry } from '../rbm-models';
import { FIXED_COLUMNS, SUPERVISED_COLUMNS, activate, allTraining, curveTable, machineLine, mnistSplits, pct, report, writeChart } from './common';
import type { MnistSplits } from './common';
import { pretrainedNetwork, pretrainedSource } from './dbn-pretrained';
import { runArgs } from './run-args';
import { RunStore } from './run-store';
import { bestOf, runFixedPhase, runPhase } from './train-epochs';
import type { EpochsProgress, FixedEpochsProgress } from './train-epochs';

const args = runArgs('dbn', { batch: '1000', iterations: '3', 'top-epochs': '5', 'max-epochs': '200', patience: '20', seed: '1' });
const { num, deadline } = args;
const registry = rbmRegistry();
const LAYERS = [...DBN_NAMES, 'out'];

interface Progress {
  /** The phases on 50,000 images with early stopping. */
  phases: Record<string, EpochsProgress>;
  /** The phases on all 60,000 for a fixed count (absent in runs started before they existed). */
  fixed?: Record<string, FixedEpochsProgress>;
}

/** The fine-tuning net trained by conjugate gradients; with `frozenStack`, only the output layer learns. */
function cgConfig(frozenStack: boolean): NetworkConfig {
  // The updater settings are unused: a whole-vector strategy replaces the updaters.
  const base = dbnSupervisedConfig({ seed: num('seed'), lr: 0.1, decay: 1, momentum: 0.9 });
  return {
    ...base,
    layers: base.layers.map((layer) => (frozenStack && layer.type === 'rbm/rbm' ? { ...layer, frozen: true } : layer)),
    strategy: { type: 'updaters/conjugate-gradient', maxIterations: num('iterations') },
  };
}

async function main(): Promise<void> {
  const { folder: source, file } = pretrainedSource(args.name);
  const backend = await activate(args.backend);
  const store = new RunStore<Progress>(`${args.name}-cg`, { source: args.name, ...args.settings }, { phases: {} }, { fresh: args.fresh });
  console.log(`${store.resumed ? 'resuming' : 'starting'} ${store.folder} on ${backend}`);
  const data = await mnistSplits();
  const { phases } = store.state.progress;
  const fixed = (store.state.progress.fixed ??= {});
  const batchSize = num('batch');
  /** Every layer learning, from checkpoint `key` (where only the output layer learnt). */
  const unfrozenFrom = async (key: string): Promise<Network> => {
    const net = new Network(cgConfig(false), { registry }).init();
    const from = await store.restore(key, registry);
    copyRbmWeights(from, net, LAYERS);
    from.dispose();
    return net;
  };
  try {
    // On the first 50,000 images, early stopping on the last 10,000 choosing the epoch count.
    const epochs = { batchSize, deadline };
    if (!(await runPhase(store, phases, 'cg-top', registry, data, () => pretrainedNetwork(file, cgConfig(true), registry), { ...epochs, maxEpochs: num('top-epochs'), patience: num('top-epochs') }))) return console.log('deadline reached while training the output layer; run again to resume');
    if (!(await runPhase(store, phases, 'cg', registry, data, () => unfrozenFrom('cg-top'), { ...epochs, maxEpochs: num('max-epochs'), patience: num('patience') }))) return console.log('deadline reached during fine-tuning; run again to resume');
    // Then Hinton and Salakhutdinov's schedule again on all 60,000 for the chosen count.
    const chosen = (phases.cg as EpochsProgress).bestEpoch;
    const all = allTraining(data);
    try {
      const stages: [string, number, () => Promise<Network>][] = [
        ['all-top', num('top-epochs'), () => pretrainedNetwork(file, cgConfig(true), registry)],
        ['all', chosen, () => unfrozenFrom('all-top')],
      ];
      for (const [key, count, create] of stages) {
        const progress = (fixed[key] ??= { epoch: 0, epochs: count });
        if (!(await runFixedPhase(store, key, progress, registry, create, all, data.test, { batchSize, deadline }))) return console.log(`deadline reached during ${key}; run again to resume`);
      }
    } finally {
      all.dispose();
    }
    await writeReport(store, backend, source, data);
  } finally {
    store.save();
    data.dispose();
  }
}

async function writeReport(store: RunStore<Progress>, backend: string, source: string, data: MnistSplits): Promise<void> {
  await writeChart(store, 'cg', 'MNIST DBN 784-500-500-2000-10: conjugate-gradient fine-tuning after CD-1 pretraining', 'dbn-cg', true);
  await writeChart(store, 'all', 'MNIST DBN 784-500-500-2000-10: conjugate-gradient fine-tuning on all 60,000 images', 'dbn-cg-all', true);
  const best = await bestOf(store, 'cg', registry, data);
  const phase = store.state.progress.phases.cg as EpochsProgress;
  const curves = store.state.curves;
  const final = curves.all?.at(-1)?.testError ?? Number.NaN;
  const seconds = ['cg-top', 'cg', 'all-top', 'all'].map((key) => store.elapsed(key));
  report(
    'dbn',
    `\n## MNIST DBN 784-500-500-2000-10 fine-tuned by conjugate gradients, ${new Date().toISOString().slice(0, 16)}Z`,
    '',
    `Backend ${backend}; ${machineLine()}. Pretrained stack of ${source}; Polak-Ribiere conjugate gradients, ${num('iterations')} line searches per minibatch of ${num('batch')}; the output layer alone for ${num('top-epochs')} epochs, then every layer. On the first 50,000 images with early stopping on the last 10,000 (${phase.ended ?? ''}; ${(seconds[0]! + seconds[1]!).toFixed(0)} s), then the same schedule on all 60,000 for the ${phase.bestEpoch} epochs it chose (${(seconds[2]! + seconds[3]!).toFixed(0)} s).`,
    '',
    `**Test error of the best validation epoch (${phase.bestEpoch}): ${pct(best.testError)}** (validation error ${pct(best.validationError)}); **after ${phase.bestEpoch} epochs on all 60,000: ${pct(final)}** (the test set chose nothing).`,
    '',
    'Output layer alone, 50,000 images:',
    '',
    ...curveTable(curves['cg-top'] ?? [], SUPERVISED_COLUMNS),
    '',
    'Every layer, 50,000 images:',
    '',
    ...curveTable(curves.cg ?? [], SUPERVISED_COLUMNS),
    '',
    'All 60,000 images, output layer alone, then every layer:',
    '',
    ...curveTable(curves['all-top'] ?? [], FIXED_COLUMNS),
    '',
    ...curveTable(curves.all ?? [], FIXED_COLUMNS),
    '',
  );
}

await main();
