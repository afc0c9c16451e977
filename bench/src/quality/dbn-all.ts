// Model quality, MNIST deep belief net (issue 21): the last step of Hinton and Salakhutdinov's
// recipe. Early stopping on the 10,000 held-out training images chose how many epochs of plain
// backprop fine-tuning to run (quality/dbn.js, phase `finetune`); this fine-tunes the same
// pretrained stack again, at the same schedule, on all 60,000 training images for that many
// epochs, and reports the test error after each epoch (the test set chooses nothing). It reads the
// pretrained weights, the settings and the chosen epoch from the `dbn` run, which must have
// finished its plain fine-tuning, and writes nothing there. Resumable: ~/.cache/dl4ts-runs/<name>-all.
//
//   node bench/dist/quality/dbn-all.js [--name dbn] [--backend native] [--until ISO-TIME] [--fresh]
//
// Results: bench/results/quality/dbn.md (appended) and dbn-all.html.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dbnSupervisedConfig, rbmRegistry } from '../rbm-models';
import { pretrainedNetwork, pretrainedSource } from './dbn-pretrained';
import { FIXED_COLUMNS, activate, allTraining, curveTable, machineLine, mnistSplits, pct, report, writeChart } from './common';
import { runArgs } from './run-args';
import { RunStore, runFolder } from './run-store';
import type { RunState } from './run-store';
import { runFixedPhase } from './train-epochs';
import type { EpochsProgress, FixedEpochsProgress } from './train-epochs';

// No options of its own: the settings come from the `dbn` run it continues.
const args = runArgs('dbn', {});
const { deadline } = args;
const registry = rbmRegistry();


async function main(): Promise<void> {
  const source = runFolder(args.name);
  const statePath = join(source, 'state.json');
  if (!existsSync(statePath)) throw new Error(`${source} holds no run: run quality/dbn.js first`);
  const main = JSON.parse(readFileSync(statePath, 'utf8')) as RunState<{ phases: Record<string, EpochsProgress> }>;
  const finetune = main.progress.phases.finetune;
  if (finetune?.ended === undefined) throw new Error(`${source}: the plain fine-tuning has not ended yet, so no epoch count is chosen; run quality/dbn.js on`);
  const s = main.settings as Record<string, string>;
  const settings = { source: args.name, epochs: finetune.bestEpoch, lr: s.lr, 'lr-decay': s['lr-decay'], momentum: s.momentum, batch: s.batch, seed: s.seed };
  const backend = await activate(args.backend);
  const store = new RunStore<FixedEpochsProgress>(`${args.name}-all`, settings, { epoch: 0, epochs: finetune.bestEpoch }, { fresh: args.fresh });
  console.log(`${store.resumed ? 'resuming' : 'starting'} ${store.folder} on ${backend}: ${finetune.bestEpoch} epochs on all 60,000 images`);
  const data = await mnistSplits();
  const all = allTraining(data);
  const progress = store.state.progress;
  const create = () => pretrainedNetwork(pretrainedSource(args.name).file, dbnSupervisedConfig({ seed: Number(s.seed), lr: Number(s.lr), decay: Number(s['lr-decay']), momentum: Number(s.momentum) }), registry);
  try {
    if (!(await runFixedPhase(store, 'all', progress, registry, create, all, data.test, { batchSize: Number(s.batch), deadline }))) return console.log('deadline reached; run again to resume');
    const curve = store.state.curves.all ?? [];
    const final = curve.at(-1)?.testError ?? Number.NaN;
    await writeChart(store, 'all', 'MNIST DBN 784-500-500-2000-10 fine-tuned on all 60,000 images', 'dbn-all', true);
    report(
      'dbn',
      `\n## MNIST DBN 784-500-500-2000-10 fine-tuned on all 60,000 training images, ${new Date().toISOString().slice(0, 16)}Z`,
      '',
      `Backend ${backend}; ${machineLine()}. Pretrained stack and settings of ${source}; ${progress.epochs} epochs, the number early stopping chose on the 10,000 held out (${pct(finetune.bestValidation)} validation error there); lr ${s.lr} x ${s['lr-decay']}^epoch, Nesterov ${s.momentum}, batch ${s.batch}; ${store.elapsed('all').toFixed(0)} s.`,
      '',
      `**Test error after the last epoch: ${pct(final)}** (the test set chose nothing: not the epoch count, not the settings).`,
      '',
      ...curveTable(curve, FIXED_COLUMNS),
      '',
    );
  } finally {
    store.save();
    all.dispose();
    data.dispose();
  }
}

await main();
