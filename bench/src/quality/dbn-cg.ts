// Model quality, MNIST deep belief net (issue 21): the fine-tuning of Hinton and Salakhutdinov
// (2006, backpropclassify.m) on the stack the `dbn` run pretrained: conjugate gradients with a few
// line searches on minibatches of 1,000 images, the pretrained layers frozen for the first epochs
// (only the new output layer learns, so its random weights do not send large gradients into the
// pretrained features), then every layer; early stopping on the 10,000 held-out training images.
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
import { activate, curveTable, machineLine, mnistSplits, pct, report, writeChart } from './common';
import { pretrainedNetwork, pretrainedSource } from './dbn-pretrained';
import { runArgs } from './run-args';
import { RunStore } from './run-store';
import { bestOf, runPhase } from './train-epochs';
import type { EpochsProgress } from './train-epochs';

const args = runArgs('dbn', { batch: '1000', iterations: '3', 'top-epochs': '5', 'max-epochs': '200', patience: '20', seed: '1' });
const { num, deadline } = args;
const registry = rbmRegistry();
const LAYERS = [...DBN_NAMES, 'out'];

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
  const store = new RunStore<{ phases: Record<string, EpochsProgress> }>(`${args.name}-cg`, { source: args.name, ...args.settings }, { phases: {} }, { fresh: args.fresh });
  console.log(`${store.resumed ? 'resuming' : 'starting'} ${store.folder} on ${backend}`);
  const data = await mnistSplits();
  const phases = store.state.progress.phases;
  const epochs = { batchSize: num('batch'), deadline };
  try {
    const top = await runPhase(store, phases, 'cg-top', registry, data, () => pretrainedNetwork(file, cgConfig(true), registry), { ...epochs, maxEpochs: num('top-epochs'), patience: num('top-epochs') });
    if (!top) return console.log('deadline reached while training the output layer; run again to resume');
    const all = await runPhase(store, phases, 'cg', registry, data, async () => {
      const net = new Network(cgConfig(false), { registry }).init();
      const topNet = await store.restore('cg-top', registry);
      copyRbmWeights(topNet, net, LAYERS);
      topNet.dispose();
      return net;
    }, { ...epochs, maxEpochs: num('max-epochs'), patience: num('patience') });
    if (!all) return console.log('deadline reached during fine-tuning; run again to resume');
    await writeChart(store, 'cg', 'MNIST DBN 784-500-500-2000-10: conjugate-gradient fine-tuning after CD-1 pretraining', 'dbn-cg', true);
    const best = await bestOf(store, 'cg', registry, data);
    const phase = phases.cg as EpochsProgress;
    const columns: [string, string, (v: number) => string][] = [['train', 'training loss', (v) => v.toFixed(4)], ['validation', 'validation loss', (v) => v.toFixed(4)], ['validationError', 'validation error', pct], ['testError', 'test error', pct], ['tensors', 'tensors above start', String]];
    report(
      'dbn',
      `\n## MNIST DBN 784-500-500-2000-10 fine-tuned by conjugate gradients, ${new Date().toISOString().slice(0, 16)}Z`,
      '',
      `Backend ${backend}; ${machineLine()}. Pretrained stack of ${source}; Polak-Ribiere conjugate gradients, ${num('iterations')} line searches per minibatch of ${num('batch')}; the output layer alone for ${num('top-epochs')} epochs, then every layer with early stopping on the 10,000 held out (${phase.ended ?? ''}); ${(store.elapsed('cg-top') + store.elapsed('cg')).toFixed(0)} s.`,
      '',
      `**Test error of the best validation epoch (${phase.bestEpoch}): ${pct(best.testError)}** (validation error ${pct(best.validationError)}).`,
      '',
      'Output layer alone:',
      '',
      ...curveTable(store.state.curves['cg-top'] ?? [], columns),
      '',
      'Every layer:',
      '',
      ...curveTable(store.state.curves.cg ?? [], columns),
      '',
    );
  } finally {
    store.save();
    data.dispose();
  }
}

await main();
