// Model quality, MNIST deep belief net (issue 21): what pretraining buys. The net quality/dbn.js
// pretrains and fine-tunes (784-500-500-2000-10, sigmoid units, softmax output), trained here by
// backprop alone from xavier weights, at each of the given learning rates, with the fine-tuning's
// updater (Nesterov momentum, the learning rate decayed per epoch), batch and early stopping on the
// last 10,000 training images. Needs no pretrained stack.
// Resumable: the state lives in ~/.cache/dl4ts-runs/<--name>.
//
//   node bench/dist/quality/dbn-random.js [--name dbn-random] [--backend native]
//     [--lrs 0.3,0.1,0.03,0.01] [--lr-decay 0.97] [--momentum 0.9] [--batch 100]
//     [--max-epochs 100] [--patience 15] [--until ISO-TIME] [--fresh]
//
// Results: bench/results/quality/dbn.md (appended) and dbn-random-lr<lr>.html.
import { Network } from '@dl4ts/core';
import { dbnSupervisedConfig, rbmRegistry } from '../rbm-models';
import { SUPERVISED_COLUMNS, activate, curveTable, machineLine, mnistSplits, report, writeChart } from './common';
import { runArgs } from './run-args';
import { RunStore } from './run-store';
import { phaseRow, runPhase } from './train-epochs';
import type { EpochsProgress } from './train-epochs';

const args = runArgs('dbn-random', {
  lrs: '0.3,0.1,0.03,0.01',
  'lr-decay': '0.97',
  momentum: '0.9',
  batch: '100',
  'max-epochs': '100',
  patience: '15',
  seed: '1',
});
const { num, settings, deadline } = args;
const registry = rbmRegistry();
const lrs = settings.lrs.split(',').filter((s) => s !== '').map(Number);
if (lrs.length === 0 || lrs.some((lr) => !(lr > 0))) throw new RangeError(`--lrs: expected positive learning rates separated by commas, received ${JSON.stringify(settings.lrs)}`);

const title = (lr: number) => `MNIST 784-500-500-2000-10 from random (xavier) weights, backprop lr ${lr} x ${num('lr-decay')}^epoch`;

async function main(): Promise<void> {
  const backend = await activate(args.backend);
  const store = new RunStore<{ phases: Record<string, EpochsProgress> }>(args.name, settings, { phases: {} }, { fresh: args.fresh });
  console.log(`${store.resumed ? 'resuming' : 'starting'} ${store.folder} on ${backend}`);
  const data = await mnistSplits();
  const phases = store.state.progress.phases;
  const epochs = { batchSize: num('batch'), deadline, maxEpochs: num('max-epochs'), patience: num('patience') };
  try {
    for (const lr of lrs) {
      const key = `random-lr${lr}`;
      const config = dbnSupervisedConfig({ seed: num('seed'), lr, decay: num('lr-decay'), momentum: num('momentum') });
      if (!(await runPhase(store, phases, key, registry, data, () => new Network(config, { registry }).init(), epochs))) return console.log(`deadline reached during ${key}; run again to resume`);
      await writeChart(store, key, title(lr), `dbn-${key}`, true);
    }
    const rows: string[] = [];
    for (const lr of lrs) rows.push(await phaseRow(store, `random-lr${lr}`, phases[`random-lr${lr}`] as EpochsProgress, registry, data, String(lr)));
    report(
      'dbn',
      `\n## MNIST 784-500-500-2000-10 from random (xavier) weights, no pretraining, ${new Date().toISOString().slice(0, 16)}Z`,
      '',
      `Backend ${backend}; ${machineLine()}. Run folder ${store.folder}; settings ${JSON.stringify(store.state.settings)}. Nesterov momentum ${num('momentum')}, batch ${num('batch')}, learning rate x ${num('lr-decay')} per epoch; early stopping on the 10,000 held out.`,
      '',
      '| learning rate | test error (best validation epoch) | validation error | best epoch | time, training and per-epoch evaluation |',
      '| --- | --- | --- | --- | --- |',
      ...rows,
      '',
    );
    for (const lr of lrs) report('dbn', `random-lr${lr}:`, '', ...curveTable(store.state.curves[`random-lr${lr}`] ?? [], SUPERVISED_COLUMNS), '');
  } finally {
    store.save();
    data.dispose();
  }
}

await main();
