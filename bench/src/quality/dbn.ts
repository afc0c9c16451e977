// Model quality, MNIST deep belief net (issue 21): greedy CD-1 pretraining of 784-500-500-2000 on
// all 60,000 training images at the papers' schedule (30 passes per layer by default; Hinton,
// Osindero and Teh 2006 used 30 to 50), then backprop fine-tuning of 784-500-500-2000-10 on the
// first 50,000 with early stopping on the last 10,000, plainly and with dropout (Srivastava et al.
// 2014). The same net from random weights, without pretraining, is quality/dbn-random.js.
// Resumable: the state lives in ~/.cache/dl4ts-runs/<--name>.
//
//   node bench/dist/quality/dbn.js [--name dbn] [--backend native] [--pretrain-epochs 30]
//     [--max-epochs 100] [--patience 15] [--lr 0.1] [--lr-decay 0.97] [--dropout-lr 0.1]
//     [--retain-input 0.8] [--retain-hidden 0.5] [--dropout-max-epochs 200] [--dropout-patience 30]
//     [--until ISO-TIME] [--fresh]
//
// Results: bench/results/quality/dbn.md (appended) and the chart pages beside it.
import * as tf from '@tensorflow/tfjs-core';
import { DataSet, Network } from '@dl4ts/core';
import type { NetworkConfig } from '@dl4ts/core';
import { reconstructionError } from '@dl4ts/rbm';
import { SUPERVISED_COLUMNS, activate, curveTable, errorRate, machineLine, mnistSplits, pct, report, writeChart } from './common';
import type { MnistSplits } from './common';
import { DBN_NAMES, copyRbmWeights, dbnPretrainConfig, dbnSupervisedConfig, rbmRegistry } from '../rbm-models';
import { RunStore } from './run-store';
import { runArgs } from './run-args';
import { phaseRow, runPhase } from './train-epochs';
import type { EpochsProgress } from './train-epochs';

const args = runArgs(
  'dbn',
  {
    'pretrain-epochs': '30',
    'pretrain-lr': '0.1',
    'max-epochs': '100',
    patience: '15',
    batch: '100',
    lr: '0.1',
    'lr-decay': '0.97',
    momentum: '0.9',
    'dropout-lr': '0.1',
    'retain-input': '0.8',
    'retain-hidden': '0.5',
    'dropout-max-epochs': '200',
    'dropout-patience': '30',
    seed: '1',
  },
);
const { settings, num, deadline } = args;
const NAMES = DBN_NAMES;
const seed = num('seed');
const batchSize = num('batch');
const pretrainEpochs = num('pretrain-epochs');

interface Progress {
  /** Pretraining: the layer being trained and its epochs done; layer 3 when pretraining is over. */
  layer: number;
  layerEpoch: number;
  pretrainedError?: number;
  phases: Record<string, EpochsProgress>;
}

const registry = rbmRegistry();

/** The net that is fine-tuned, or trained from xavier weights (see `dbnSupervisedConfig`). */
function supervisedConfig(lr: number, retain?: { input: number; hidden: number }): NetworkConfig {
  return dbnSupervisedConfig({ seed, lr, decay: num('lr-decay'), momentum: num('momentum'), ...(retain === undefined ? {} : { retain }) });
}

async function pretrainPhase(store: RunStore<Progress>, data: MnistSplits): Promise<boolean> {
  const progress = store.state.progress;
  if (progress.layer >= NAMES.length) return true;
  // Every training image (the labels are not used): the papers pretrain on all 60,000.
  const pixels = DataSet.adopt(tf.concat([data.train.features, data.validation.features]) as tf.Tensor2D, tf.zeros([60_000, 0]));
  const batchesPerEpoch = Math.ceil(pixels.size / batchSize);
  const net = store.hasCheckpoint('pretrain') ? await store.restore('pretrain', registry) : new Network(dbnPretrainConfig({ seed, learningRate: num('pretrain-lr'), epochs: NAMES.map(() => pretrainEpochs), batchesPerEpoch }), { registry }).init();
  store.startClock('pretrain');
  try {
    while (progress.layer < NAMES.length) {
      if (Date.now() >= deadline) return false;
      const name = NAMES[progress.layer] as string;
      const [score] = await net.pretrainLayer(name, pixels, { epochs: 1, batchSize });
      progress.layerEpoch++;
      const test = await reconstructionError(net, name, data.test.features);
      const point = store.record(`pretrain/${name}`, { step: progress.layerEpoch, train: score as number, testReconstruction: test }, 'pretrain');
      console.log(`pretrain ${name} epoch ${progress.layerEpoch}/${pretrainEpochs}: reconstruction error ${(score as number).toFixed(3)}, test ${test.toFixed(3)}, ${point.seconds.toFixed(0)} s`);
      if (progress.layerEpoch >= pretrainEpochs) {
        progress.layer++;
        progress.layerEpoch = 0;
      }
      await store.checkpoint('pretrain', net);
    }
  } finally {
    store.stopClock('pretrain');
    net.dispose();
    pixels.dispose();
  }
  return true;
}

/** The fine-tuning net with the pretrained weights. */
async function pretrainedNet(store: RunStore<Progress>, config: NetworkConfig): Promise<Network> {
  const pretrained = await store.restore('pretrain', registry);
  const net = new Network(config, { registry }).init();
  copyRbmWeights(pretrained, net, NAMES);
  pretrained.dispose();
  return net;
}

async function main(): Promise<void> {
  const backend = await activate(args.backend);
  const store = new RunStore<Progress>(args.name, settings, { layer: 0, layerEpoch: 0, phases: {} }, { fresh: args.fresh });
  console.log(`${store.resumed ? 'resuming' : 'starting'} ${store.folder} on ${backend}`);
  const data = await mnistSplits();
  try {
    if (!(await pretrainPhase(store, data))) return console.log('deadline reached during pretraining; run again to resume');
    if (store.state.progress.pretrainedError === undefined) {
      const net = await pretrainedNet(store, supervisedConfig(num('lr')));
      store.state.progress.pretrainedError = await errorRate(net, data.test);
      net.dispose();
      store.save();
    }
    const phases = store.state.progress.phases;
    const epochs = { patience: num('patience'), batchSize, deadline };
    if (!(await runPhase(store, phases, 'finetune', registry, data, () => pretrainedNet(store, supervisedConfig(num('lr'))), { ...epochs, maxEpochs: num('max-epochs') }))) return console.log('deadline reached during fine-tuning; run again to resume');
    await writeChart(store, 'finetune', 'MNIST DBN 784-500-500-2000-10: backprop fine-tuning after CD-1 pretraining', 'dbn-finetune', true);
    const retain = { input: num('retain-input'), hidden: num('retain-hidden') };
    const dropoutEpochs = { batchSize, deadline, patience: num('dropout-patience'), maxEpochs: num('dropout-max-epochs') };
    if (!(await runPhase(store, phases, 'finetune-dropout', registry, data, () => pretrainedNet(store, supervisedConfig(num('dropout-lr'), retain)), dropoutEpochs))) return console.log('deadline reached during dropout fine-tuning; run again to resume');
    await writeChart(store, 'finetune-dropout', 'MNIST DBN 784-500-500-2000-10: backprop fine-tuning with dropout after CD-1 pretraining', 'dbn-finetune-dropout', true);
    await writeReport(store, backend, data);
  } finally {
    store.save();
    data.dispose();
  }
}

async function writeReport(store: RunStore<Progress>, backend: string, data: MnistSplits): Promise<void> {
  const { progress, curves } = store.state;
  const rows: string[] = [];
  const pretrained = `CD-1 pretrained (${pretrainEpochs} epochs per layer)`;
  const names: Record<string, string> = {
    finetune: `${pretrained}, backprop lr ${num('lr')} x ${num('lr-decay')}^epoch`,
    'finetune-dropout': `${pretrained}, backprop with dropout (retain ${num('retain-input')} of the pixels, ${num('retain-hidden')} of the hidden units), lr ${num('dropout-lr')} x ${num('lr-decay')}^epoch`,
  };
  for (const key of Object.keys(progress.phases)) {
    rows.push(await phaseRow(store, key, progress.phases[key] as EpochsProgress, registry, data, names[key] ?? key));
  }
  report(
    'dbn',
    `\n## MNIST DBN 784-500-500-2000-10, ${new Date().toISOString().slice(0, 16)}Z`,
    '',
    `Backend ${backend}; ${machineLine()}. Run folder ${store.folder}; settings ${JSON.stringify(store.state.settings)}.`,
    `Pretraining ${store.elapsed('pretrain').toFixed(0)} s; test error of the pretrained stack with an untrained output layer ${pct(progress.pretrainedError ?? Number.NaN)}.`,
    '',
    '| net | test error (best validation epoch) | validation error | best epoch | time, training and per-epoch evaluation |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  );
  for (const name of NAMES) {
    report('dbn', `Pretraining ${name}:`, '', ...curveTable(curves[`pretrain/${name}`] ?? [], [['train', 'reconstruction error', (v) => v.toFixed(3)], ['testReconstruction', 'test reconstruction error', (v) => v.toFixed(3)]]), '');
  }
  for (const key of Object.keys(progress.phases)) report('dbn', `${key}:`, '', ...curveTable(curves[key] ?? [], SUPERVISED_COLUMNS), '');
}

await main();
