// The tiny Shakespeare character model, trained until the validation loss reaches a target or a
// deadline passes (a long run, not part of `pnpm bench`): two LSTM layers, truncated BPTT, Adam,
// elementwise gradient clipping, the validation loss logged every N iterations, and text sampled
// at two temperatures at the end.
//
//   node bench/dist/charnn.js [--hidden 256] [--target 1.7] [--until 2026-12-01T20:10:00Z] [--every 100]
//
// Data: $DL4TS_DATA/tinyshakespeare/input.txt (DL4TS_DATA defaults to ../shared/data).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { Network, Registry, Rng, heldOutScore, selectBackend } from '@dl4ts/core';
import { wasmBackend } from '@dl4ts/backend-wasm';
import { registerLayers } from '@dl4ts/layers';
import { registerLosses } from '@dl4ts/losses';
import { CharacterCodec, registerRnn } from '@dl4ts/rnn';
import { registerUpdaters } from '@dl4ts/updaters';
import { dataRoot } from './data';

const { values: flags } = parseArgs({
  options: {
    hidden: { type: 'string', default: '256' },
    batch: { type: 'string', default: '32' },
    segment: { type: 'string', default: '50' }, // tBPTT forward = backward length
    length: { type: 'string', default: '200' }, // characters per training sequence (4 segments)
    'learning-rate': { type: 'string', default: '0.002' },
    target: { type: 'string', default: '1.7' }, // stop at this validation loss, nats per character
    until: { type: 'string' }, // ISO time: stop then at the latest
    every: { type: 'string', default: '100' }, // iterations between validation losses
    'max-epochs': { type: 'string', default: '50' },
  },
});
const num = (name: keyof typeof flags) => Number(flags[name]);

const file = join(dataRoot(), 'tinyshakespeare', 'input.txt');
if (!existsSync(file)) {
  console.log(`charnn: skipped, ${file} not found (set DL4TS_DATA to the folder holding tinyshakespeare/)`);
  process.exit(0);
}
const backend = await selectBackend('wasm', [wasmBackend()]);
const text = readFileSync(file, 'latin1');
const codec = CharacterCodec.fromText(text);
// Karpathy's split: the first 90% trains, the rest validates.
const split = Math.floor(0.9 * text.length);
const length = num('length');
const segment = num('segment');
const train = codec.sequences(text.slice(0, split), length);
const valid = codec.sequences(text.slice(split), length);
const hidden = num('hidden');
const registry = registerRnn(registerUpdaters(registerLosses(registerLayers(new Registry()))));
const net = new Network(
  {
    seed: 12345,
    input: [null, codec.size],
    defaults: { weightInit: 'xavier', updater: { type: 'updaters/adam', learningRate: num('learning-rate') }, gradientNormalization: 'clipElementWiseAbsoluteValue', gradientNormalizationThreshold: 5 },
    strategy: { type: 'rnn/truncated-bptt', forwardLength: segment, backwardLength: segment },
    layers: [
      { type: 'rnn/lstm', nOut: hidden },
      { type: 'rnn/lstm', nOut: hidden },
      { type: 'rnn/rnn-output', nOut: codec.size, activation: 'softmax', loss: 'mcxent' },
    ],
  },
  { registry },
).init();

const deadline = flags.until === undefined ? Number.POSITIVE_INFINITY : Date.parse(flags.until);
const target = num('target');
const every = num('every');
const started = performance.now();
const seconds = () => (performance.now() - started) / 1000;
const charsPerIteration = num('batch') * length;
// The score is the mean over segments of a sequence's summed loss: divide by the segment length.
const validate = async () => (await heldOutScore(net, valid, { batchSize: 64 })) / length;
const curve: { iteration: number; characters: number; seconds: number; train: number; valid: number }[] = [];
let trainSum = 0;
let trainCount = 0;
let best = Number.POSITIVE_INFINITY;

console.log(`charnn on ${backend.name}: 2x${hidden} LSTM, ${codec.size} symbols, ${split} training and ${text.length - split} validation characters, sequences of ${length}, tBPTT ${segment}/${segment}, batch ${flags.batch}, ${net.numParams()} parameters`);
console.log('| iteration | characters | seconds | train nats/char | validation nats/char |');
console.log('| --- | --- | --- | --- | --- |');
const tensors = tf.memory().numTensors;
const result = await net.fit(train, {
  epochs: num('max-epochs'),
  batchSize: num('batch'),
  listeners: [
    {
      onIterationEnd: async (info) => {
        trainSum += (await info.score()) / segment;
        trainCount++;
        if (info.iteration % every !== 0 && Date.now() < deadline) return;
        const v = await validate();
        best = Math.min(best, v);
        const row = { iteration: info.iteration, characters: info.iteration * charsPerIteration, seconds: seconds(), train: trainSum / trainCount, valid: v };
        curve.push(row);
        trainSum = 0;
        trainCount = 0;
        console.log(`| ${row.iteration} | ${row.characters} | ${row.seconds.toFixed(0)} | ${row.train.toFixed(3)} | ${row.valid.toFixed(3)} |`);
        if (v <= target) info.stop(`validation loss ${v.toFixed(3)} <= ${target}`);
        else if (Date.now() >= deadline) info.stop(`deadline ${flags.until} reached`);
      },
      onEpochEnd: (e) => console.log(`(epoch ${e.epoch} done at ${seconds().toFixed(0)} s, tensors ${tf.memory().numTensors - tensors} above the start)`),
    },
  ],
});
console.log(`\nstopped: ${result.stopReason ?? 'max epochs'}; best validation ${best.toFixed(3)} nats/char; ${seconds().toFixed(0)} s wall; ${((curve.at(-1)?.characters ?? 0) / seconds()).toFixed(0)} training characters/s including validation`);
for (const temperature of [0.5, 1.0]) {
  console.log(`\n--- sample, temperature ${temperature} ---\n${await codec.sample(net, 'ROMEO:\n', 400, temperature, new Rng(7))}`);
}
console.log(`CHARNN_RESULT ${JSON.stringify({ hidden, best, seconds: seconds(), curve })}`);
train.dispose();
valid.dispose();
net.dispose();
