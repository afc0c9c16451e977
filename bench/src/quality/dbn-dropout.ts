// Model quality, MNIST deep belief net (issue 21): the stack the `dbn` run pretrained, fine-tuned
// with dropout (Hinton et al. 2012, Srivastava et al. 2014) at a learning rate that decays slowly,
// for as many epochs as early stopping on the 10,000 held-out training images allows. quality/dbn.js
// has a dropout phase too, at the plain fine-tuning's fast decay (0.97 per epoch), where the
// dropout net stopped learning long before it fitted the data; this runner takes its own settings.
// It reads the pretrained weights from the `dbn` run and writes nothing there.
// Resumable: ~/.cache/dl4ts-runs/<name>-<run>.
//
//   node bench/dist/quality/dbn-dropout.js [--name dbn] [--run dropout] [--backend native]
//     [--lr 0.1] [--lr-decay 0.995] [--momentum 0.9] [--retain-input 0.8] [--retain-hidden 0.5]
//     [--batch 100] [--max-epochs 300] [--patience 50] [--until ISO-TIME] [--fresh]
//
// Results: bench/results/quality/dbn.md (appended) and dbn-<run>.html.
import { dbnSupervisedConfig, rbmRegistry } from '../rbm-models';
import { SUPERVISED_COLUMNS, activate, curveTable, machineLine, mnistSplits, pct, report, writeChart } from './common';
import { pretrainedNetwork, pretrainedSource } from './dbn-pretrained';
import { runArgs } from './run-args';
import { RunStore } from './run-store';
import { bestOf, runPhase } from './train-epochs';
import type { EpochsProgress } from './train-epochs';

const args = runArgs('dbn', {
  run: 'dropout',
  lr: '0.1',
  'lr-decay': '0.995',
  momentum: '0.9',
  'retain-input': '0.8',
  'retain-hidden': '0.5',
  batch: '100',
  'max-epochs': '300',
  patience: '50',
  seed: '1',
});
const { num, settings, deadline } = args;
const registry = rbmRegistry();

async function main(): Promise<void> {
  const { folder: source, file } = pretrainedSource(args.name);
  const backend = await activate(args.backend);
  const key = settings.run;
  const store = new RunStore<{ phases: Record<string, EpochsProgress> }>(`${args.name}-${key}`, { source: args.name, ...settings }, { phases: {} }, { fresh: args.fresh });
  console.log(`${store.resumed ? 'resuming' : 'starting'} ${store.folder} on ${backend}`);
  const data = await mnistSplits();
  const phases = store.state.progress.phases;
  const retain = { input: num('retain-input'), hidden: num('retain-hidden') };
  const config = dbnSupervisedConfig({ seed: num('seed'), lr: num('lr'), decay: num('lr-decay'), momentum: num('momentum'), retain });
  try {
    const done = await runPhase(store, phases, key, registry, data, () => pretrainedNetwork(file, config, registry), { batchSize: num('batch'), deadline, maxEpochs: num('max-epochs'), patience: num('patience') });
    if (!done) return console.log('deadline reached; run again to resume');
    const title = `MNIST DBN 784-500-500-2000-10: dropout fine-tuning (retain ${retain.input} of the pixels, ${retain.hidden} of the hidden units), lr ${num('lr')} x ${num('lr-decay')}^epoch`;
    await writeChart(store, key, title, `dbn-${key}`, true);
    const best = await bestOf(store, key, registry, data);
    const phase = phases[key] as EpochsProgress;
    report(
      'dbn',
      `\n## ${title}, ${new Date().toISOString().slice(0, 16)}Z`,
      '',
      `Backend ${backend}; ${machineLine()}. Pretrained stack of ${source}; Nesterov momentum ${num('momentum')}, batch ${num('batch')}; early stopping on the 10,000 held out (${phase.ended ?? ''}); ${store.elapsed(key).toFixed(0)} s.`,
      '',
      `**Test error of the best validation epoch (${phase.bestEpoch}): ${pct(best.testError)}** (validation error ${pct(best.validationError)}).`,
      '',
      ...curveTable(store.state.curves[key] ?? [], SUPERVISED_COLUMNS),
      '',
    );
  } finally {
    store.save();
    data.dispose();
  }
}

await main();
