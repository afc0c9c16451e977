// Model quality, MNIST MLP (issue 21): 784-500-250-10 ReLU/softmax as Deeplearning4j's guides
// describe it, with the regularisation they recommend: dropout, L2, Nesterov momentum and early
// stopping on a validation split (the last 10,000 training images). Beside it the learning-rate
// sweep of the guides' tuning advice (1e-1, 1e-3, 1e-6 by default), each rate trained for the same
// epochs with everything else equal. Resumable: the state lives in ~/.cache/dl4ts-runs/<--name>.
//
//   node bench/dist/quality/mlp.js [--name mlp] [--backend native] [--lr 0.05] [--lr-decay 0.98]
//     [--momentum 0.9] [--l2 1e-5] [--input-retain 0.8] [--hidden-retain 0.5] [--max-epochs 100]
//     [--patience 15] [--sweep 0.1,0.001,0.000001] [--sweep-epochs 20] [--until ISO-TIME] [--fresh]
//
// Results: bench/results/quality/mlp.md (appended) and the chart pages beside it.
import { Network } from '@dl4ts/core';
import type { NetworkConfig } from '@dl4ts/core';
import { builtInRegistry } from '../mlp-models';
import { SUPERVISED_COLUMNS, activate, curveTable, machineLine, mnistSplits, report, writeChart } from './common';
import type { MnistSplits } from './common';
import { RunStore } from './run-store';
import { runArgs } from './run-args';
import { phaseRow, runPhase } from './train-epochs';
import type { EpochsProgress } from './train-epochs';

const args = runArgs(
  'mlp',
  {
    lr: '0.05',
    'lr-decay': '0.98',
    momentum: '0.9',
    l2: '1e-5',
    'input-retain': '0.8',
    'hidden-retain': '0.5',
    'max-epochs': '100',
    patience: '15',
    batch: '128',
    sweep: '0.1,0.001,0.000001',
    'sweep-epochs': '20',
    seed: '1',
  },
);
const { settings, num, deadline } = args;
const sweep = settings.sweep.split(',').filter((s) => s !== '').map(Number);
const registry = builtInRegistry();
const batchSize = num('batch');
const network = (config: NetworkConfig): Network => new Network(config, { registry }).init();

/** 784-500-250-10: ReLU, He (`relu`) init, dropout on each layer's input (DL4J's retain probability), L2, Nesterov momentum. */
function mlpConfig(lr: number, decay: number): NetworkConfig {
  const inputRetain = num('input-retain');
  const hiddenRetain = num('hidden-retain');
  return {
    seed: num('seed'),
    input: 784,
    defaults: {
      activation: 'relu',
      weightInit: 'relu',
      l2: num('l2'),
      updater: { type: 'updaters/nesterovs', learningRate: { type: 'exponential', initialValue: lr, gamma: decay, scheduleType: 'epoch' }, momentum: num('momentum') },
    },
    layers: [
      { type: 'layers/dense', nOut: 500, ...(inputRetain < 1 ? { dropout: inputRetain } : {}) },
      { type: 'layers/dense', nOut: 250, ...(hiddenRetain < 1 ? { dropout: hiddenRetain } : {}) },
      { type: 'layers/output', nOut: 10, activation: 'softmax', loss: 'mcxent', weightInit: 'xavier', ...(hiddenRetain < 1 ? { dropout: hiddenRetain } : {}) },
    ],
  };
}

type Progress = Record<string, EpochsProgress>;

async function main(): Promise<void> {
  const backend = await activate(args.backend);
  const store = new RunStore<Progress>(args.name, settings, {}, { fresh: args.fresh });
  console.log(`${store.resumed ? 'resuming' : 'starting'} ${store.folder} on ${backend}`);
  const data = await mnistSplits();
  try {
    if (!(await runPhase(store, store.state.progress, 'main', registry, data, () => network(mlpConfig(num('lr'), num('lr-decay'))), { maxEpochs: num('max-epochs'), patience: num('patience'), batchSize, deadline }))) return console.log('deadline reached; run again to resume');
    await writeChart(store, 'main', 'MNIST MLP 784-500-250-10: dropout, L2, Nesterov, early stopping', 'mlp', true);
    for (const lr of sweep) {
      // A constant rate: the sweep compares rates, not schedules; no early stopping, the same epochs for each.
      const key = `lr ${lr}`;
      const epochs = num('sweep-epochs');
      if (!(await runPhase(store, store.state.progress, key, registry, data, () => network(mlpConfig(lr, 1)), { maxEpochs: epochs, patience: epochs, batchSize, deadline }))) return console.log('deadline reached; run again to resume');
      await writeChart(store, key, `MNIST MLP 784-500-250-10, learning rate ${lr}`, `mlp-lr-${lr}`, true);
    }
    await writeReport(store, backend, data);
  } finally {
    store.save();
    data.dispose();
  }
}

async function writeReport(store: RunStore<Progress>, backend: string, data: MnistSplits): Promise<void> {
  const { progress, curves } = store.state;
  const rows: string[] = [];
  for (const key of Object.keys(progress)) {
    const label = key === 'main' ? `lr ${num('lr')} x ${num('lr-decay')}^epoch, early stopping` : `${key}, constant`;
    rows.push(await phaseRow(store, key, progress[key] as EpochsProgress, registry, data, label, (e) => 1 - e));
  }
  report(
    'mlp',
    `\n## MNIST MLP 784-500-250-10, ${new Date().toISOString().slice(0, 16)}Z`,
    '',
    `Backend ${backend}; ${machineLine()}. Run folder ${store.folder}; settings ${JSON.stringify(store.state.settings)}.`,
    '',
    '| run | test accuracy (best validation epoch) | validation accuracy | best epoch | time, training and per-epoch evaluation |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  );
  for (const key of Object.keys(progress)) report('mlp', `${key}:`, '', ...curveTable(curves[key] ?? [], SUPERVISED_COLUMNS), '');
}

await main();
