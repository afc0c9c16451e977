// Model quality, the tiny Shakespeare character model (issue 21; Karpathy's char-rnn, DL4J's
// character modelling example): a stack of LSTMs trained with truncated BPTT on the first 90% of
// the text, the validation loss in nats per character on the last 10%, early stopping on it, and
// text sampled from the best network. Each epoch reads the training text from a new offset, so
// sequence boundaries move between epochs. Resumable: the state lives in
// ~/.cache/dl4ts-runs/<--name>, checkpointed after every epoch.
//
//   node bench/dist/quality/charnn.js [--name charnn] [--backend native] [--layers 2] [--hidden 512]
//     [--retain 0.75] [--lr 0.002] [--lr-decay 0.95] [--batch 32] [--length 200] [--segment 50]
//     [--max-epochs 30] [--patience 3] [--until ISO-TIME] [--fresh] [--samples]
//
// --samples: no training; text sampled from the best network so far goes to charnn.md (while the
// run goes on in another process, or after it stopped for a session).
//
// Results: bench/results/quality/charnn.md (appended) and its chart page.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { Network, Registry, Rng, heldOutScore } from '@dl4ts/core';
import type { NetworkConfig } from '@dl4ts/core';
import { registerLayers } from '@dl4ts/layers';
import { registerLosses } from '@dl4ts/losses';
import { CharacterCodec, registerRnn } from '@dl4ts/rnn';
import { registerUpdaters } from '@dl4ts/updaters';
import { dataRoot } from '../data';
import { activate, curveTable, machineLine, report, writeChart } from './common';
import { RunStore } from './run-store';
import { runArgs } from './run-args';
import { freshEpochs } from './train-epochs';
import type { EpochsProgress } from './train-epochs';

const args = runArgs(
  'charnn',
  {
    layers: '2',
    hidden: '512',
    retain: '0.75',
    lr: '0.002',
    'lr-decay': '0.95',
    batch: '32',
    length: '200',
    segment: '50',
    'max-epochs': '30',
    patience: '3',
    seed: '12345',
  }, ['samples'],
);
const { settings, num, deadline } = args;
const length = num('length');
const registry = registerRnn(registerUpdaters(registerLosses(registerLayers(new Registry()))));

/** LSTM stack, dropout (DL4J's retain probability) on the input of every layer after the first, softmax over the symbols. */
function charConfig(symbols: number): NetworkConfig {
  const retain = num('retain');
  const drop = (i: number) => (i > 0 && retain < 1 ? { dropout: retain } : {});
  const lstms = Array.from({ length: num('layers') }, (_, i) => ({ type: 'rnn/lstm' as const, nOut: num('hidden'), ...drop(i) }));
  return {
    seed: num('seed'),
    input: [null, symbols],
    defaults: {
      weightInit: 'xavier',
      updater: { type: 'updaters/adam', learningRate: { type: 'exponential', initialValue: num('lr'), gamma: num('lr-decay'), scheduleType: 'epoch' } },
      gradientNormalization: 'clipElementWiseAbsoluteValue',
      gradientNormalizationThreshold: 5,
    },
    strategy: { type: 'rnn/truncated-bptt', forwardLength: num('segment'), backwardLength: num('segment') },
    layers: [...lstms, { type: 'rnn/rnn-output', nOut: symbols, activation: 'softmax', loss: 'mcxent', ...drop(lstms.length) }],
  };
}

async function main(): Promise<void> {
  const file = join(dataRoot(), 'tinyshakespeare', 'input.txt');
  if (!existsSync(file)) throw new Error(`${file} not found: set DL4TS_DATA to the folder holding tinyshakespeare/`);
  const backend = await activate(args.backend);
  const store = new RunStore<EpochsProgress>(args.name, settings, freshEpochs(), { fresh: args.fresh });
  console.log(`${store.resumed ? 'resuming' : 'starting'} ${store.folder} on ${backend}`);
  const text = readFileSync(file, 'latin1');
  const codec = CharacterCodec.fromText(text);
  const split = Math.floor(0.9 * text.length); // Karpathy's split: the last 10% validates
  const valid = codec.sequences(text.slice(split), length);
  const progress = store.state.progress;
  if (args.flag('samples')) return reportSamples(store, codec, `after epoch ${progress.epoch}, the best network so far (epoch ${progress.bestEpoch}, validation ${progress.bestValidation.toFixed(3)} nats per character; the run goes on)`);
  const net = store.hasCheckpoint('charnn') ? await store.restore('charnn', registry) : new Network(charConfig(codec.size), { registry }).init();
  console.log(`${num('layers')}x${num('hidden')} LSTM, ${net.numParams()} parameters, ${codec.size} symbols, ${split} training and ${text.length - split} validation characters`);
  // A held-out score is the loss summed over a sequence's steps (mean over sequences): per character,
  // divide by the length. A training epoch's mean score is per tBPTT segment: divide by its length.
  const validate = async (model: Network) => (await heldOutScore(model, valid, { batchSize: 64 })) / length;
  const tensors = tf.memory().numTensors;
  store.startClock('charnn');
  try {
    while (progress.ended === undefined && Date.now() < deadline) {
      const offset = new Rng(num('seed') + progress.epoch).int(length);
      const train = codec.sequences(text.slice(offset, split), length);
      const result = await net.fit(train, { epochs: 1, batchSize: num('batch') });
      train.dispose();
      progress.epoch++;
      const trainLoss = (result.meanScores[0] as number) / num('segment');
      const validation = await validate(net);
      const improved = validation < progress.bestValidation;
      if (improved) {
        progress.bestValidation = validation;
        progress.bestEpoch = progress.epoch;
        await store.checkpoint('charnn-best', net);
      }
      const point = store.record('charnn', { step: progress.epoch, train: trainLoss, validation, tensors: tf.memory().numTensors - tensors });
      console.log(`epoch ${progress.epoch}: train ${trainLoss.toFixed(3)}, validation ${validation.toFixed(3)} nats/char${improved ? ' (best)' : ''}, tensors +${point.tensors}, ${point.seconds.toFixed(0)} s`);
      if (!Number.isFinite(trainLoss)) progress.ended = `training loss ${trainLoss}`;
      else if (progress.epoch - progress.bestEpoch >= num('patience')) progress.ended = `no lower validation loss in ${num('patience')} epochs after epoch ${progress.bestEpoch}`;
      else if (progress.epoch >= num('max-epochs')) progress.ended = `${num('max-epochs')} epochs`;
      await store.checkpoint('charnn', net);
      await writeChart(store, 'charnn', `tiny Shakespeare ${num('layers')}x${num('hidden')} LSTM: nats per character`, 'charnn', progress.ended !== undefined);
    }
    if (progress.ended === undefined) return console.log('deadline reached; run again to resume');
    const samples = await samplesOfBest(store, codec);
    const chars = (split - length) * progress.epoch;
    report(
      'charnn',
      `\n## tiny Shakespeare, ${num('layers')}x${num('hidden')} LSTM, ${new Date().toISOString().slice(0, 16)}Z`,
      '',
      `Backend ${backend}; ${machineLine()}. Run folder ${store.folder}; settings ${JSON.stringify(store.state.settings)}.`,
      '',
      `**Best validation loss ${progress.bestValidation.toFixed(3)} nats per character** at epoch ${progress.bestEpoch} of ${progress.epoch} (${progress.ended}); ${store.elapsed('charnn').toFixed(0)} s of training and validation, about ${(chars / store.elapsed('charnn')).toFixed(0)} training characters/s.`,
      '',
      ...curveTable(store.state.curves.charnn ?? [], [['train', 'train nats/char', (v) => v.toFixed(3)], ['validation', 'validation nats/char', (v) => v.toFixed(3)], ['tensors', 'tensors above start', String]]),
      '',
      'Samples from the best network, primed with `ROMEO:\\n`:',
      '',
      ...samples,
    );
  } finally {
    store.stopClock('charnn');
    store.save();
    net.dispose();
    valid.dispose();
  }
}

/** 500 characters at temperatures 0.5 and 1.0 from the best checkpoint, primed with `ROMEO:\n`, as Markdown lines. */
async function samplesOfBest(store: RunStore<EpochsProgress>, codec: CharacterCodec): Promise<string[]> {
  const best = await store.restore('charnn-best', registry);
  const samples: string[] = [];
  for (const temperature of [0.5, 1.0]) samples.push(`Temperature ${temperature}:`, '', '```text', await codec.sample(best, 'ROMEO:\n', 500, temperature, new Rng(7)), '```', '');
  best.dispose();
  return samples;
}

/** Appends samples of the best network so far to the report, training nothing and saving no state. */
async function reportSamples(store: RunStore<EpochsProgress>, codec: CharacterCodec, when: string): Promise<void> {
  if (!store.hasCheckpoint('charnn-best')) throw new Error(`${store.folder} has no best checkpoint yet: train an epoch first`);
  const samples = await samplesOfBest(store, codec);
  report('charnn', `\n## tiny Shakespeare, ${num('layers')}x${num('hidden')} LSTM: samples ${when}, ${new Date().toISOString().slice(0, 16)}Z`, '', 'Primed with `ROMEO:\\n`:', '', ...samples);
}

await main();
