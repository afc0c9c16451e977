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
import * as tf from '@tensorflow/tfjs-core';
import { Network, Registry, Rng, heldOutScore, selectBackend } from '@dl4ts/core';
import { cpuBackend } from '@dl4ts/backend-cpu';
import { wasmBackend } from '@dl4ts/backend-wasm';
import { registerLayers } from '@dl4ts/layers';
import { registerLosses } from '@dl4ts/losses';
import { RnnStepper, SequenceDataSet, registerRnn } from '@dl4ts/rnn';
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
const vocab = [...new Set(text)].sort();
const index = new Map(vocab.map((c, i) => [c, i]));
const split = Math.floor(0.9 * text.length);
const maxChars = num('max-chars');
const trainText = text.slice(0, maxChars > 0 ? Math.min(split, maxChars) : split);
const validText = text.slice(split, split + Math.min(20_000, text.length - split));

/** Non-overlapping sequences of `length` characters, inputs one-hot and labels the next character. */
function sequences(source: string, length: number): SequenceDataSet {
  const n = Math.floor((source.length - 1) / length);
  const x = new Float32Array(n * length * vocab.length);
  const y = new Float32Array(n * length * vocab.length);
  for (let i = 0; i < n * length; i++) {
    x[i * vocab.length + (index.get(source[i] as string) as number)] = 1;
    y[i * vocab.length + (index.get(source[i + 1] as string) as number)] = 1;
  }
  return SequenceDataSet.adopt({ features: tf.tensor3d(x, [n, length, vocab.length]), labels: tf.tensor3d(y, [n, length, vocab.length]) });
}

const length = num('length');
const train = sequences(trainText, length);
const valid = sequences(validText, length);
const hidden = num('hidden');
const net = new Network(
  {
    seed: 12345,
    input: [null, vocab.length],
    defaults: { weightInit: 'xavier', updater: { type: 'updaters/adam', learningRate: num('learning-rate') }, gradientNormalization: 'clipElementWiseAbsoluteValue', gradientNormalizationThreshold: 5 },
    strategy: { type: 'rnn/truncated-bptt', forwardLength: length, backwardLength: length },
    layers: [
      { type: 'rnn/lstm', nOut: hidden },
      { type: 'rnn/lstm', nOut: hidden },
      { type: 'rnn/rnn-output', nOut: vocab.length, activation: 'softmax', loss: 'mcxent' },
    ],
  },
  { registry },
).init();

/** `count` characters sampled after `prime`, each drawn from softmax(log p / temperature). */
function sampleText(prime: string, count: number, temperature: number, rng: Rng): string {
  const stepper = new RnnStepper(net);
  const oneHot = (c: string) => tf.cast(tf.oneHot(tf.tensor1d([index.get(c) ?? 0], 'int32'), vocab.length), 'float32');
  let out = '';
  let probs: Float32Array | undefined;
  for (const c of prime) probs = tf.tidy(() => stepper.rnnTimeStep(oneHot(c))).dataSync() as Float32Array;
  for (let i = 0; i < count; i++) {
    const p = Array.from(probs as Float32Array, (v) => Math.exp(Math.log(Math.max(v, 1e-12)) / temperature));
    let u = rng.uniform() * p.reduce((s, v) => s + v, 0);
    let k = 0;
    while (k < p.length - 1 && (u -= p[k] as number) > 0) k++;
    out += vocab[k];
    probs = tf.tidy(() => stepper.rnnTimeStep(oneHot(vocab[k] as string))).dataSync() as Float32Array;
  }
  stepper.dispose();
  return out;
}

console.log(`${backend.name}: ${trainText.length} training and ${validText.length} validation characters, ${vocab.length} symbols, ${net.numParams()} parameters`);
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
console.log(`--- sample (temperature ${flags.temperature}) ---\n${sampleText('ROMEO:\n', num('sample'), num('temperature'), new Rng(7))}`);
train.dispose();
valid.dispose();
net.dispose();
