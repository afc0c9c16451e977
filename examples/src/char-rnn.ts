// Character-level language model on tiny Shakespeare (Karpathy's char-rnn, DL4J's
// GravesLSTMCharModellingExample): two LSTM layers, truncated BPTT 50/50, Adam, and text sampled
// with a temperature.
//
//   pnpm --filter @dl4ts/examples char-rnn -- --epochs 1 --hidden 128 --temperature 0.8
//
// Data: $DL4TS_DATA/tinyshakespeare/input.txt, DL4TS_DATA defaulting to ../shared/data from the
// repository root.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Network, Registry, Rng, heldOutScore, selectBackend } from '@dl4ts/core';
import { cpuBackend } from '@dl4ts/backend-cpu';
import { wasmBackend } from '@dl4ts/backend-wasm';
import { registerLayers } from '@dl4ts/layers';
import { registerLosses } from '@dl4ts/losses';
import { CharacterCodec, registerRnn } from '@dl4ts/rnn';
import { registerUpdaters } from '@dl4ts/updaters';

const { values: flags } = parseArgs({
  options: {
    epochs: { type: 'string', default: '1' },
    hidden: { type: 'string', default: '128' },
    batch: { type: 'string', default: '32' },
    length: { type: 'string', default: '50' }, // characters per training sequence = tBPTT segment
    'learning-rate': { type: 'string', default: '0.002' },
    'max-chars': { type: 'string', default: '0' }, // 0: the whole training split
    temperature: { type: 'string', default: '0.8' },
    sample: { type: 'string', default: '300' },
  },
});
const num = (name: keyof typeof flags) => Number(flags[name]);

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const file = resolve(process.env.DL4TS_DATA ?? resolve(root, '../shared/data'), 'tinyshakespeare/input.txt');
if (!existsSync(file)) {
  console.log(`char-rnn: skipped, ${file} not found (set DL4TS_DATA to the directory holding tinyshakespeare/)`);
  process.exit(0);
}

const backend = await selectBackend(['wasm', 'cpu'], [wasmBackend(), cpuBackend()]);
const registry = registerRnn(registerUpdaters(registerLosses(registerLayers(new Registry()))));
const text = readFileSync(file, 'latin1');
const codec = CharacterCodec.fromText(text);
const split = Math.floor(0.9 * text.length);
const maxChars = num('max-chars');
const trainText = text.slice(0, maxChars > 0 ? Math.min(split, maxChars) : split);
const validText = text.slice(split, split + Math.min(20_000, text.length - split));

const length = num('length');
// Non-overlapping sequences of `length` characters, inputs one-hot and labels the next character.
const train = codec.sequences(trainText, length);
const valid = codec.sequences(validText, length);
const hidden = num('hidden');
const net = new Network(
  {
    seed: 12345,
    input: [null, codec.size],
    defaults: { weightInit: 'xavier', updater: { type: 'updaters/adam', learningRate: num('learning-rate') }, gradientNormalization: 'clipElementWiseAbsoluteValue', gradientNormalizationThreshold: 5 },
    strategy: { type: 'rnn/truncated-bptt', forwardLength: length, backwardLength: length },
    layers: [
      { type: 'rnn/lstm', nOut: hidden },
      { type: 'rnn/lstm', nOut: hidden },
      { type: 'rnn/rnn-output', nOut: codec.size, activation: 'softmax', loss: 'mcxent' },
    ],
  },
  { registry },
).init();

console.log(`${backend.name}: ${trainText.length} training and ${validText.length} validation characters, ${codec.size} symbols, ${net.numParams()} parameters`);
const started = performance.now();
await net.fit(train, {
  epochs: num('epochs'),
  batchSize: num('batch'),
  listeners: [
    {
      onEpochEnd: async (e) => {
        // The score is summed over a sequence's steps: divide by its length for nats per character.
        const validLoss = (await heldOutScore(net, valid, { batchSize: 64 })) / length;
        const seconds = (performance.now() - started) / 1000;
        console.log(`epoch ${e.epoch}: train ${(e.meanScore / length).toFixed(3)}, validation ${validLoss.toFixed(3)} nats/char, ${seconds.toFixed(0)} s`);
      },
    },
  ],
});
console.log(`--- sample (temperature ${flags.temperature}) ---\n${await codec.sample(net, 'ROMEO:\n', num('sample'), num('temperature'), new Rng(7))}`);
train.dispose();
valid.dispose();
net.dispose();
