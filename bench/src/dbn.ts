// MNIST deep belief net (Hinton, Osindero and Teh 2006): a 784-500-500-2000-10 net of binary RBMs
// pretrained greedily with CD-1, then fine-tuned by backprop, beside the same net trained from
// random weights for the same number of fine-tuning epochs. Test error, wall time per phase,
// tensors after every epoch.
//
//   node bench/dist/dbn.js [--data DIR] [--out FILE] [--pretrain-epochs N|N1,N2,N3] [--epochs N]
//                          [--batch N] [--limit N] [--lr X] [--momentum M] [--pretrain-lr X] [--seed S] [--case both|dbn|random|autoencoder]
//                          [--ae-sizes 500,250,30] [--ae-pretrain-epochs N] [--ae-epochs N]
//
// Data: --data DIR, else DL4TS_DATA, else ../shared/data/mnist from the repository root.
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { DataSet, Evaluation, Network, Registry, selectBackend } from '@dl4ts/core';
import type { NetworkConfig } from '@dl4ts/core';
import { loadMnist } from '@dl4ts/core/node';
import { wasmBackend } from '@dl4ts/backend-wasm';
import { registerLayers } from '@dl4ts/layers';
import { registerLosses } from '@dl4ts/losses';
import { pretrain, reconstructionError, registerRbm, unrollAutoencoder } from '@dl4ts/rbm';
import { registerUpdaters } from '@dl4ts/updaters';
import { DBN_NAMES, DBN_SIZES, copyRbmWeights, dbnPretrainConfig } from './rbm-models';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    out: { type: 'string', default: join(here, '..', 'results', 'dbn.md') },
    'pretrain-epochs': { type: 'string', default: '1' },
    epochs: { type: 'string', default: '3' },
    batch: { type: 'string', default: '100' },
    limit: { type: 'string' },
    lr: { type: 'string', default: '0.1' },
    momentum: { type: 'string', default: '0.9' },
    'lr-decay': { type: 'string', default: '0.85' },
    'random-lr': { type: 'string' },
    'pretrain-lr': { type: 'string', default: '0.1' },
    seed: { type: 'string', default: '1' },
    case: { type: 'string', default: 'both' },
    'ae-sizes': { type: 'string', default: '500,250,30' },
    'ae-pretrain-epochs': { type: 'string', default: '2' },
    'ae-epochs': { type: 'string', default: '3' },
  },
});
const dataDir = values.data ?? process.env.DL4TS_DATA ?? resolve(here, '../../../shared/data/mnist');
if (!existsSync(join(dataDir, 'train-images-idx3-ubyte.gz')) && !existsSync(join(dataDir, 'train-images-idx3-ubyte'))) {
  console.error(`MNIST not found in ${dataDir}: pass --data DIR or set DL4TS_DATA (the IDX files, gzipped or raw).`);
  process.exit(2);
}

const registry = new Registry();
registerLayers(registry);
registerLosses(registry);
registerUpdaters(registry);
registerRbm(registry);

const SIZES = DBN_SIZES;
const NAMES = DBN_NAMES;
const seed = Number(values.seed);
const batchSize = Number(values.batch);
const fineTuneEpochs = Number(values.epochs);
const fineTuneLr = Number(values.lr);
const fineTuneMomentum = Number(values.momentum);
const lrDecay = Number(values['lr-decay']);
const randomLrs = (values['random-lr'] ?? values.lr).split(',').map(Number);
const pretrainLr = Number(values['pretrain-lr']);
const pretrainEpochs = (values['pretrain-epochs'] as string).split(',').map(Number);
const epochsOf = (i: number): number => (pretrainEpochs[i] ?? pretrainEpochs[pretrainEpochs.length - 1]) as number;

/** The net that is fine-tuned (from the pretrained weights) or trained from random (xavier) weights. */
function fineTuneConfig(lr: number): NetworkConfig {
  return {
    seed,
    input: 784,
    defaults: {
      weightInit: 'xavier',
      updater: { type: 'updaters/nesterovs', learningRate: { type: 'exponential', initialValue: lr, gamma: lrDecay, scheduleType: 'epoch' }, momentum: fineTuneMomentum },
    },
    layers: [
      ...SIZES.map((nOut, i) => ({ type: 'rbm/rbm' as const, name: NAMES[i] as string, nOut })),
      { type: 'layers/output', name: 'out', nOut: 10, activation: 'softmax', loss: 'mcxent' },
    ],
  };
}

async function testError(net: Network, test: DataSet): Promise<number> {
  const out = net.output(test.features);
  const ev = await new Evaluation(10).eval(test.labels, out);
  out.dispose();
  return 1 - ev.accuracy();
}

/** Prints a line and appends it to the results file at once, so a run cut short keeps what it measured. */
function report(line: string): void {
  console.log(line);
  appendFileSync(values.out as string, line + '\n');
}
const seconds = (since: number): number => (performance.now() - since) / 1000;
const pct = (e: number): string => `${(100 * e).toFixed(2)}%`;

/** Fine-tunes `net` on `train`, printing test error and tensors after every epoch. */
async function fineTune(name: string, net: Network, train: DataSet, test: DataSet): Promise<{ errors: number[]; tensors: number[]; time: number }> {
  const errors: number[] = [];
  const tensors: number[] = [];
  const started = performance.now();
  let evalTime = 0;
  await net.fit(train, {
    epochs: fineTuneEpochs,
    batchSize,
    listeners: [
      {
        onEpochEnd: async ({ epoch, meanScore }) => {
          const t = performance.now();
          const err = await testError(net, test);
          evalTime += seconds(t);
          errors.push(err);
          tensors.push(tf.memory().numTensors);
          console.log(`  ${name} epoch ${epoch}: loss ${meanScore.toFixed(4)}, test error ${pct(err)}, tensors ${tf.memory().numTensors}, ${seconds(started).toFixed(0)} s`);
        },
      },
    ],
  });
  return { errors, tensors, time: seconds(started) - evalTime };
}

/** Mean squared reconstruction error per image, `sum_i (x_i - r_i)^2` (Hinton and Salakhutdinov's measure). */
async function squaredError(ae: Network, x: tf.Tensor): Promise<number> {
  const out = ae.output(x);
  const e = tf.tidy(() => tf.div(tf.sum(tf.square(tf.sub(x, out))), x.shape[0] as number));
  const value = (await e.data())[0] as number;
  tf.dispose([out, e]);
  return value;
}

/**
 * A deep autoencoder (Hinton and Salakhutdinov 2006, smaller): binary RBMs 784-...-code with linear
 * (gaussian) code units, CD-1 pretrained, unrolled and fine-tuned on cross-entropy with Adam,
 * beside the same autoencoder from xavier weights fine-tuned the same way.
 */
async function autoencoderCase(train: DataSet, test: DataSet): Promise<void> {
  const sizes = (values['ae-sizes'] as string).split(',').map(Number);
  const preEpochs = Number(values['ae-pretrain-epochs']);
  const epochs = Number(values['ae-epochs']);
  report(`\nDeep autoencoder 784-${sizes.join('-')}-...-784, train ${train.size}, test ${test.size}, batch ${batchSize}\n`);
  report(`RBMs: CD-1, ${preEpochs} epochs each, Nesterovs lr ${pretrainLr} (lr ${pretrainLr / 10} for the top RBM, whose gaussian hidden units are the linear code), momentum 0.5 then 0.9, weight decay 2e-4, W ~ N(0, 0.01). Fine-tuning: XENT, Adam 1e-3, ${epochs} epochs. Figures: test squared error per image, sum over the 784 pixels.\n`);
  const stackConfig = (pretrained: boolean): NetworkConfig => ({
    seed,
    input: 784,
    layers: [
      ...sizes.map((nOut, i) => ({
        type: 'rbm/rbm' as const,
        name: `rbm${i + 1}`,
        nOut,
        ...(i === sizes.length - 1 ? { hiddenUnit: 'gaussian' as const } : {}),
        ...(pretrained ? { weightDecay: 2e-4, weightInit: { type: 'layers/distribution', distribution: { type: 'normal', std: 0.01 } } as const } : {}),
        updater: { type: 'updaters/nesterovs', learningRate: i === sizes.length - 1 ? pretrainLr / 10 : pretrainLr, momentum: { type: 'map', values: { '0': 0.5, [String(Math.ceil(train.size / batchSize))]: 0.9 } } } as const,
      })),
      { type: 'layers/output', name: 'out', nOut: 10, activation: 'softmax', loss: 'mcxent' },
    ],
  });
  const fineTuneAe = async (name: string, ae: Network): Promise<string> => {
    const errors: string[] = [(await squaredError(ae, test.features)).toFixed(2)];
    const tensors: number[] = [];
    const started = performance.now();
    await ae.fit({ features: train.features, labels: train.features }, {
      epochs,
      batchSize,
      listeners: [{ onEpochEnd: async ({ epoch }) => {
        errors.push((await squaredError(ae, test.features)).toFixed(2));
        tensors.push(tf.memory().numTensors);
        console.log(`  ${name} epoch ${epoch}: test squared error ${errors[errors.length - 1]}, tensors ${tf.memory().numTensors}`);
      } }],
    });
    return `${errors.join(' -> ')} | ${seconds(started).toFixed(0)} s | ${tensors.join(', ')}`;
  };
  const dbn = new Network(stackConfig(true), { registry }).init();
  const pixels = DataSet.adopt(tf.clone(train.features) as tf.Tensor2D, tf.zeros([train.size, 0]));
  let started = performance.now();
  await pretrain(dbn, pixels, { epochs: preEpochs, batchSize });
  const pretrainTime = seconds(started);
  pixels.dispose();
  const adam = { updater: { type: 'updaters/adam', learningRate: 1e-3 } } as const;
  const pretrained = unrollAutoencoder(dbn, { defaults: adam });
  dbn.dispose();
  const rowPretrained = await fineTuneAe('pretrained autoencoder', pretrained);
  pretrained.dispose();
  const fresh = new Network(stackConfig(false), { registry }).init();
  const random = unrollAutoencoder(fresh, { defaults: adam });
  fresh.dispose();
  started = performance.now();
  const rowRandom = await fineTuneAe('random-init autoencoder', random);
  random.dispose();
  report('| autoencoder | pretraining | test squared error per image: unrolled -> after each epoch | fine-tuning time | tensors after each epoch |');
  report('| --- | --- | --- | --- | --- |');
  report(`| CD-1 pretrained, unrolled | ${pretrainTime.toFixed(0)} s | ${rowPretrained} |`);
  report(`| random init (xavier) | - | ${rowRandom} |`);
}

async function main(): Promise<void> {
  mkdirSync(dirname(values.out as string), { recursive: true });
  const chosen = await selectBackend('wasm', [wasmBackend()]);
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  const train = await loadMnist(dataDir, { split: 'train', scale: true, ...(limit === undefined ? {} : { limit }) });
  const test = await loadMnist(dataDir, { split: 'test', scale: true });
  const batchesPerEpoch = Math.ceil(train.size / batchSize);
  if (values.case === 'autoencoder') {
    report(`\n## MNIST deep autoencoder, backend ${chosen.name}, ${new Date().toISOString().slice(0, 16)}Z, node ${process.version}, seed ${seed}`);
    await autoencoderCase(train, test);
    train.dispose();
    test.dispose();
    return;
  }
  report(`\n## MNIST DBN 784-500-500-2000-10, backend ${chosen.name}, ${new Date().toISOString().slice(0, 16)}Z, node ${process.version}\n`);
  report(`train ${train.size}, test ${test.size}, batch ${batchSize}, seed ${seed}. Pretraining: CD-1 (sampled hidden, mean reconstructions), epochs per layer ${NAMES.map((_, i) => epochsOf(i)).join('/')}, Nesterovs lr ${pretrainLr}, momentum 0.5 then 0.9, weight decay 2e-4, W ~ N(0, 0.01). Fine-tuning: backprop, softmax + MCXENT, Nesterovs lr ${fineTuneLr} x ${lrDecay}^epoch, momentum ${fineTuneMomentum}, ${fineTuneEpochs} epochs; the random-init net is the same net with xavier weights, trained the same way (lr ${randomLrs.join(' and ')}).\n`);
  const header = (): void => {
    report('| net | test error | pretraining time | fine-tuning time | test error per epoch | tensors after each epoch |');
    report('| --- | --- | --- | --- | --- | --- |');
  };

  if (values.case === 'both' || values.case === 'dbn') {
    const dbn = new Network(dbnPretrainConfig({ seed, learningRate: pretrainLr, epochs: NAMES.map((_, i) => epochsOf(i)), batchesPerEpoch }), { registry }).init();
    const unlabeledTrain = DataSet.adopt(tf.clone(train.features) as tf.Tensor2D, tf.zeros([train.size, 0]));
    const phase: string[] = [];
    let started = performance.now();
    for (const [i, name] of NAMES.entries()) {
      const t = performance.now();
      const scores = await pretrain(dbn, unlabeledTrain, { layers: [name], epochs: epochsOf(i), batchSize });
      const rec = await reconstructionError(dbn, name, test.features);
      const line = `${name} (${i === 0 ? 784 : SIZES[i - 1]}-${SIZES[i]}): ${seconds(t).toFixed(0)} s, reconstruction error per epoch ${(scores[name] ?? []).map((s) => s.toFixed(2)).join(', ')}, test ${rec.toFixed(2)}, tensors ${tf.memory().numTensors}`;
      phase.push(line);
      console.log(`  ${line}`);
    }
    const pretrainTime = seconds(started);
    unlabeledTrain.dispose();
    // A fresh net with the fine-tuning updater receives the pretrained W and b (vb is unused by forward).
    const net = new Network(fineTuneConfig(fineTuneLr), { registry }).init();
    copyRbmWeights(dbn, net, NAMES);
    dbn.dispose();
    started = performance.now();
    const before = await testError(net, test);
    const result = await fineTune('pretrained', net, train, test);
    net.dispose();
    report(`Pretraining, layer by layer:\n\n${phase.map((l) => `- ${l}`).join('\n')}\n`);
    report(`Test error of the pretrained net with an untrained (xavier) output layer: ${pct(before)}\n`);
    header();
    report(`| CD-1 pretrained, then backprop (lr ${fineTuneLr}) | ${pct(result.errors[result.errors.length - 1] as number)} | ${pretrainTime.toFixed(0)} s | ${result.time.toFixed(0)} s | ${result.errors.map(pct).join(', ')} | ${result.tensors.join(', ')} |`);
  } else header();
  if (values.case === 'both' || values.case === 'random') {
    for (const lr of randomLrs) {
      const net = new Network(fineTuneConfig(lr), { registry }).init();
      const result = await fineTune(`random init lr ${lr}`, net, train, test);
      net.dispose();
      report(`| random init (xavier), backprop (lr ${lr}) | ${pct(result.errors[result.errors.length - 1] as number)} | - | ${result.time.toFixed(0)} s | ${result.errors.map(pct).join(', ')} | ${result.tensors.join(', ')} |`);
    }
  }
  train.dispose();
  test.dispose();
  console.log(`\nappended to ${values.out}`);
}

await main();
